// Applies the badge of one tab. Chrome resets a tab's badge when the tab navigates, and
// single-page apps change the URL without a navigation, so this runs on every URL change
// and again when the page has loaded. Updates for one tab are chained, so a slow, older
// update can never overwrite a newer one.
import { badgeState } from '../lib/badge.js';
import { ext } from '../lib/ext.js';
import { tryMatchUrl } from '../lib/matcher.js';

const queues = new Map();

/**
 * Show the badge for `url` on `tabId` (url is undefined for pages we have no access to:
 * those are unrated by construction). Resolves to the match.
 * @param {number} tabId
 * @param {string | undefined} url
 * @param {Dataset} dataset
 */
export function applyBadge(tabId, url, dataset) {
  const previous = queues.get(tabId) ?? Promise.resolve();
  const next = previous.then(() => setBadge(tabId, url, dataset));
  const settled = next.catch(() => {});
  queues.set(tabId, settled);
  settled.then(() => {
    if (queues.get(tabId) === settled) queues.delete(tabId);
  });
  return next;
}

/**
 * @param {number} tabId
 * @param {string | undefined} url
 * @param {Dataset} dataset
 */
async function setBadge(tabId, url, dataset) {
  const match = url ? tryMatchUrl(dataset.index, url) : { host: null, service: null, meeting: false };
  const state = badgeState(match, dataset.bundle.methodology);
  try {
    await Promise.all([
      ext.action.setBadgeText({ tabId, text: state.text }),
      ext.action.setBadgeBackgroundColor({ tabId, color: state.color }),
      ext.action.setBadgeTextColor?.({ tabId, color: state.textColor }),
      ext.action.setTitle({ tabId, title: state.title }),
    ]);
  } catch {
    // The tab closed meanwhile: nothing to show.
  }
  return match;
}

/**
 * Re-apply every open tab's badge, e.g. after the dataset or the permissions changed.
 * @param {Dataset} dataset
 */
export async function applyAllBadges(dataset) {
  const tabs = await ext.tabs.query({});
  // Tabs without an id (devtools windows) have no badge.
  await Promise.all(tabs.flatMap((tab) => (tab.id === undefined ? [] : [applyBadge(tab.id, tab.url, dataset)])));
}
