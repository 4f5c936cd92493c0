// User settings and their validation; stored under storage.local "settings".
import { DEFAULT_API_URL } from './config.js';

export const DEFAULT_SETTINGS = Object.freeze({ apiUrl: DEFAULT_API_URL, notifications: true });

/**
 * The canonical form of an API base URL (http(s), no query, fragment or credentials, no
 * trailing slash), or null if it is not acceptable.
 */
export function normaliseApiUrl(input) {
  if (typeof input !== 'string' || input.length > 512) return null;
  let url;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) return null;
  if (!url.hostname) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Settings read from storage, with defaults for anything missing or malformed. */
export function withDefaults(stored) {
  const apiUrl = normaliseApiUrl(stored?.apiUrl) ?? DEFAULT_SETTINGS.apiUrl;
  const notifications = typeof stored?.notifications === 'boolean' ? stored.notifications : DEFAULT_SETTINGS.notifications;
  return { apiUrl, notifications };
}

/** Links on the API's web pages, built from the configured base URL. */
export function serviceUrl(apiUrl, slug) {
  return `${apiUrl}/services/${encodeURIComponent(slug)}`;
}

export function suggestUrl(apiUrl, host) {
  return host ? `${apiUrl}/suggest?host=${encodeURIComponent(host)}` : `${apiUrl}/suggest`;
}

/** The page's "Report an error" form for one criterion of a service. */
export function reportUrl(apiUrl, slug, criterion) {
  const query = new URLSearchParams({ service: slug, criterion });
  return `${apiUrl}/suggest?${query}`;
}

/** The "Ask the company to do better" letter on the service's page. */
export function askUrl(apiUrl, slug) {
  return `${serviceUrl(apiUrl, slug)}#ask`;
}
