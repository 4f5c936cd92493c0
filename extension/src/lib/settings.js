// User settings and their validation; stored under storage.local "settings".
import { DEFAULT_API_URL, DEVELOPMENT } from './config.js';

export const DEFAULT_SETTINGS = Object.freeze({ apiUrl: DEFAULT_API_URL, notifications: true });

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The canonical form of an API base URL (no query, fragment or credentials, no trailing
 * slash), or null if it is not acceptable. https only; a development build also takes
 * http on this machine (localhost, 127.0.0.1, [::1]), for a local `candor serve`.
 * @param {unknown} input
 * @param {{ development?: boolean }} [options]
 * @returns {string | null}
 */
export function normaliseApiUrl(input, { development = DEVELOPMENT } = {}) {
  if (typeof input !== 'string' || input.length > 512) return null;
  let url;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  const secure = url.protocol === 'https:';
  const local = development && url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  if (!(secure || local) || url.username || url.password || url.search || url.hash) return null;
  if (!url.hostname) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Settings read from storage, with defaults for anything missing or malformed.
 * @param {unknown} stored what storage holds, if anything
 * @returns {Settings}
 */
export function withDefaults(stored) {
  const saved = /** @type {{ apiUrl?: unknown, notifications?: unknown }} */ (Object(stored));
  const apiUrl = normaliseApiUrl(saved.apiUrl) ?? DEFAULT_SETTINGS.apiUrl;
  const notifications = typeof saved.notifications === 'boolean' ? saved.notifications : DEFAULT_SETTINGS.notifications;
  return { apiUrl, notifications };
}

/**
 * Links on the API's web pages, built from the configured base URL.
 * @param {string} apiUrl
 * @param {string} slug
 */
export function serviceUrl(apiUrl, slug) {
  return `${apiUrl}/services/${encodeURIComponent(slug)}`;
}

/**
 * @param {string} apiUrl
 * @param {string} slug
 */
export function reportUrl(apiUrl, slug) {
  return `${serviceUrl(apiUrl, slug)}#report`;
}

/**
 * @param {string} apiUrl
 */
export function methodologyUrl(apiUrl) {
  return `${apiUrl}/methodology`;
}

/**
 * @param {string} apiUrl
 */
export function listUrl(apiUrl) {
  return `${apiUrl}/`;
}

/**
 * @param {string} apiUrl
 * @param {string | null} [host]
 */
export function suggestUrl(apiUrl, host) {
  return host ? `${apiUrl}/suggest?host=${encodeURIComponent(host)}` : `${apiUrl}/suggest`;
}

/** The page's "Report an error" form for one criterion of a service. */
/**
 * The site's report form, prefilled with the service and one criterion.
 * @param {string} apiUrl
 * @param {string} slug
 * @param {string} criterion
 */
export function criterionReportUrl(apiUrl, slug, criterion) {
  const query = new URLSearchParams({ service: slug, criterion });
  return `${apiUrl}/suggest?${query}`;
}

/**
 * The "Ask the company to do better" letter on the service's page.
 * @param {string} apiUrl
 * @param {string} slug
 */
export function askUrl(apiUrl, slug) {
  return `${serviceUrl(apiUrl, slug)}#ask`;
}
