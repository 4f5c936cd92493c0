// The manifest for each browser, from one description. Host permissions are the rated
// domains of the snapshot plus the API origin: nothing broader is granted at install.
// Texts come from _locales (default English).
import { apiPattern, domainPatterns } from '../src/lib/permissions.js';

// Firefox 142: the first version (desktop and Android) that knows
// data_collection_permissions; it also has optional_host_permissions (128), grants MV3
// host permissions at install (127) and has WebCrypto Ed25519 (129).
export const FIREFOX_MIN_VERSION = '142.0';
// Chrome 137: WebCrypto Ed25519 (bundle signatures) without a flag; also
// action.setBadgeTextColor (110) and the promise-based APIs we use.
export const CHROME_MIN_VERSION = '137';

export function makeManifest({ browser, version, domains, apiUrl, homepageUrl, geckoId }) {
  const icons = { 16: 'icons/icon-16.png', 32: 'icons/icon-32.png', 48: 'icons/icon-48.png', 128: 'icons/icon-128.png' };
  const hostPermissions = [...new Set([...domainPatterns(domains), apiPattern(apiUrl)])];
  const manifest = {
    manifest_version: 3,
    name: '__MSG_extension_name__',
    short_name: 'Candor',
    version,
    description: '__MSG_extension_description__',
    default_locale: 'en',
    homepage_url: homepageUrl,
    icons,
    action: { default_title: 'Candor', default_popup: 'popup.html', default_icon: icons },
    options_ui: { page: 'options.html', open_in_tab: true },
    // storage: the last good bundle and settings; alarms: the periodic refresh and the
    // retry after a failure; notifications: the meeting notice; activeTab: the popup may
    // read the address of the tab the user clicked it on, to name an unrated site.
    permissions: ['storage', 'alarms', 'notifications', 'activeTab'],
    host_permissions: hostPermissions,
    // Services rated after this build: the options page asks for their domains, one
    // origin each, when the user clicks "Grant access".
    optional_host_permissions: ['*://*/*'],
    content_security_policy: { extension_pages: "script-src 'self'; object-src 'none'" },
  };
  if (browser === 'chrome') {
    manifest.background = { service_worker: 'background.js' };
    manifest.minimum_chrome_version = CHROME_MIN_VERSION;
  } else if (browser === 'firefox') {
    manifest.background = { scripts: ['background.js'] };
    manifest.browser_specific_settings = {
      gecko: {
        id: geckoId,
        strict_min_version: FIREFOX_MIN_VERSION,
        // Candor transmits nothing about the user: it only downloads the public bundle.
        data_collection_permissions: { required: ['none'] },
      },
    };
  } else {
    throw new Error(`unknown browser ${browser}`);
  }
  return manifest;
}
