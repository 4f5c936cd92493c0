// Build-time settings. The build replaces the __CANDOR_*__ names (scripts/build.mjs):
// production builds talk to an https API and verify bundles with the pinned production
// key; development builds may use an http API on this machine. Run unbundled (the unit
// tests), the development defaults apply and the key is whatever the test sets.
export const DEVELOPMENT = typeof __CANDOR_DEVELOPMENT__ === 'boolean' ? __CANDOR_DEVELOPMENT__ : true;
export const DEFAULT_API_URL = typeof __CANDOR_API_URL__ === 'string' ? __CANDOR_API_URL__ : 'http://127.0.0.1:8000';
// The raw Ed25519 public key (base64) whose signature every downloaded bundle must carry.
export function bundlePublicKey() {
  return typeof __CANDOR_PUBLIC_KEY__ === 'string' ? __CANDOR_PUBLIC_KEY__ : null;
}

// How often the bundle is re-fetched. The API answers unchanged data with 304, so this
// costs one small request per period.
export const REFRESH_PERIOD_MINUTES = 6 * 60;
export const REFRESH_ALARM = 'candor-refresh-bundle';
// After a failed update: try again after these many minutes, then keep to the last one
// until an update succeeds (the regular refresh goes on meanwhile).
export const RETRY_MINUTES = [1, 2, 5, 10, 20, 30];
export const RETRY_ALARM = 'candor-retry-bundle';
export const FETCH_TIMEOUT_MS = 30_000;
// A bundle that drops more than this share of the services in use at once is refused:
// a real dataset never loses a fifth of its services in one update, a broken or hostile
// one may (`services: []` would wipe every badge).
export const MAX_DROP_SHARE = 0.2;
