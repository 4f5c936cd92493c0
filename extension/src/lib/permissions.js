// Host permission patterns: which origins the extension asks for, and whether a domain
// is already covered. Pure functions, shared by the build and the options page.

/**
 * "*://*.zoom.us/*": zoom.us and all its subdomains, any scheme and port.
 * @param {string} domain
 */
export function domainPattern(domain) {
  return `*://*.${domain}/*`;
}

/** The match pattern for an API base URL: its scheme and host, any port (match
 * patterns carry no port). */
/**
 * @param {string} apiUrl
 */
export function apiPattern(apiUrl) {
  const url = new URL(apiUrl);
  return `${url.protocol}//${url.hostname}/*`;
}

/** Patterns for a bundle's domains, minimal: a domain inside another listed one adds
 * nothing, since "*.parent" already covers it. */
/**
 * @param {string[]} domains
 */
export function domainPatterns(domains) {
  const all = [...new Set(domains)].sort();
  const set = new Set(all);
  const kept = all.filter((domain) => {
    const labels = domain.split('.');
    for (let i = 1; i < labels.length - 1; i++) {
      if (set.has(labels.slice(i).join('.'))) return false;
    }
    return true;
  });
  return kept.map(domainPattern);
}

const PATTERN = /^(\*|https?):\/\/(\*|\*\.[^/*]+|[^/*]+)\/.*$/;

/**
 * Whether the granted origin patterns give access to every page of `domain`.
 * @param {string} domain
 * @param {string[]} origins
 */
export function isCovered(domain, origins) {
  return origins.some((origin) => {
    if (origin === '<all_urls>') return true;
    const m = PATTERN.exec(origin);
    if (!m || m[1] === 'http' || m[1] === 'https') return false; // one scheme only: not every page
    const host = m[2];
    if (host === '*') return true;
    if (!host.startsWith('*.')) return false; // an exact host misses the subdomains
    const base = host.slice(2);
    return domain === base || domain.endsWith(`.${base}`);
  });
}
