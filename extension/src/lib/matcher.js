// Which rated service a URL or host belongs to, and whether the URL is a meeting link.
//
// Same rules as ratings/matching.py (Matcher): the most specific listed domain wins, on
// label boundaries, and only the matched service's meeting patterns are tried. The index
// is built once per bundle; a lookup walks the host's suffixes, so its cost depends on
// the number of labels in the host, not on the number of services.

import { InvalidInput, normaliseHost, parseUrl } from './host.js';
import { compileMeetingPattern, matchMeetingPattern } from './template.js';

export { InvalidInput };

/**
 * Build the lookup index from a validated bundle's services.
 * Returns { owner: Map(domain -> service), patterns: Map(slug -> compiled[]) }.
 * @param {Pick<Service, 'slug' | 'domains' | 'meeting_patterns'>[]} services
 */
export function buildIndex(services) {
  const owner = new Map();
  const patterns = new Map();
  for (const service of services) {
    for (const domain of service.domains) owner.set(domain, service);
    patterns.set(service.slug, service.meeting_patterns.map(compileMeetingPattern));
  }
  return { owner, patterns };
}

/**
 * The service owning an already-normalised host, or null.
 * @template {Pick<Service, 'slug'>} S
 * @param {{ owner: Map<string, S> }} index
 * @param {string} host
 * @returns {S | null}
 */
export function serviceForHost(index, host) {
  let candidate = host;
  for (;;) {
    const service = index.owner.get(candidate);
    if (service !== undefined) return service;
    const dot = candidate.indexOf('.');
    if (dot === -1) return null;
    candidate = candidate.slice(dot + 1);
  }
}

/**
 * Match a bare host. Throws InvalidInput. Returns { host, service, meeting: false }.
 * @template {Pick<Service, 'slug'>} S
 * @param {{ owner: Map<string, S> }} index
 * @param {unknown} raw
 */
export function matchHost(index, raw) {
  const host = normaliseHost(raw);
  return { host, service: serviceForHost(index, host), meeting: false };
}

/**
 * Match an absolute http(s) URL. Throws InvalidInput. Returns { host, service, meeting }.
 * @template {Pick<Service, 'slug'>} S
 * @param {{ owner: Map<string, S>, patterns: Map<string, import('./template.js').CompiledPattern[]> }} index
 * @param {unknown} raw
 */
export function matchUrl(index, raw) {
  const url = parseUrl(raw);
  const service = serviceForHost(index, url.host);
  const meeting =
    service !== null && (index.patterns.get(service.slug) ?? []).some((pattern) => matchMeetingPattern(pattern, url));
  return { host: url.host, service, meeting };
}

/**
 * matchUrl for callers that treat invalid input as "not rated" (tabs, popup).
 * @template {Pick<Service, 'slug'>} S
 * @param {{ owner: Map<string, S>, patterns: Map<string, import('./template.js').CompiledPattern[]> }} index
 * @param {unknown} raw
 */
export function tryMatchUrl(index, raw) {
  try {
    return matchUrl(index, raw);
  } catch (error) {
    if (!(error instanceof InvalidInput)) throw error;
    return { host: null, service: null, meeting: false };
  }
}
