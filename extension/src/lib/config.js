// Build-time settings. The build replaces __CANDOR_API_URL__ (env CANDOR_API_URL); when
// this module runs unbundled (unit tests) the local development default applies.
/* global __CANDOR_API_URL__ */
export const DEFAULT_API_URL = typeof __CANDOR_API_URL__ === 'string' ? __CANDOR_API_URL__ : 'http://127.0.0.1:8000';

// How often the bundle is re-fetched. The API answers unchanged data with 304, so this
// costs one small request per period.
export const REFRESH_PERIOD_MINUTES = 6 * 60;
export const REFRESH_ALARM = 'candor-refresh-bundle';
export const FETCH_TIMEOUT_MS = 30_000;
