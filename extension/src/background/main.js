// The background: keeps the dataset fresh and every tab's badge right.
//
// Listeners are registered synchronously at the top level, so that a service worker
// woken up by an event gets it. Nothing here needs the "tabs" permission: tab URLs are
// visible only for the rated domains (our host permissions), which is exactly where a
// badge belongs; every other tab shows none.
import { DEVELOPMENT, REFRESH_ALARM, REFRESH_PERIOD_MINUTES, RETRY_ALARM } from '../lib/config.js';
import { loadDataset } from '../lib/dataset.js';
import { ext } from '../lib/ext.js';
import { KEYS } from '../lib/storage.js';
import { badgeState } from '../lib/badge.js';
import { applyAllBadges, applyBadge } from './badges.js';
import { onInstalled } from './install.js';
import { notifyMeeting, onNotificationClicked } from './notifications.js';
import { refreshBundle } from './updater.js';

/** @type {Promise<Dataset> | null} */
let datasetPromise = null;
/**
 * Development builds only (the browser tests): every tab update this worker has finished
 * handling (badge set, notification decided), in order, so that a test can tell "handled,
 * and no badge" from "not handled yet" instead of sleeping and hoping.
 * @type {Map<number, { status: string | null, url: string | null, badge: string }[]>}
 */
const handledUpdates = new Map();

/**
 * The dataset and its index, built once and rebuilt when a new bundle is stored.
 * @returns {Promise<Dataset>}
 */
function dataset() {
  datasetPromise ??= loadDataset().catch((error) => {
    datasetPromise = null;
    throw error;
  });
  return datasetPromise;
}

/**
 * @param {number} tabId
 * @param {chrome.tabs.OnUpdatedInfo} changeInfo
 * @param {chrome.tabs.Tab} tab
 */
async function onTabUpdated(tabId, changeInfo, tab) {
  // A URL change (navigation, redirect, history.pushState) or a load state change: both
  // can leave the badge stale or reset.
  if (!('url' in changeInfo) && !('status' in changeInfo)) return;
  const data = await dataset();
  const match = await applyBadge(tabId, tab.url, data);
  if (match.meeting && match.service) await notifyMeeting(match.service, tabId);
  if (DEVELOPMENT) {
    const badge = badgeState(match, data.bundle.methodology).text;
    const update = { status: changeInfo.status ?? null, url: tab.url ?? null, badge };
    handledUpdates.set(tabId, [...(handledUpdates.get(tabId) ?? []), update]);
  }
}

async function refreshAndReapply() {
  const status = await refreshBundle();
  // Do not wait for storage.onChanged: rebuild now, so the badges below use the new data.
  if (status.result === 'updated') datasetPromise = null;
  await applyAllBadges(await dataset());
  return status;
}

async function ensureAlarm() {
  const existing = await ext.alarms.get(REFRESH_ALARM);
  if (!existing || existing.periodInMinutes !== REFRESH_PERIOD_MINUTES) {
    await ext.alarms.create(REFRESH_ALARM, { periodInMinutes: REFRESH_PERIOD_MINUTES, delayInMinutes: REFRESH_PERIOD_MINUTES });
  }
}

/** @param {unknown} error */
const log = (error) => console.warn('Candor:', error);

ext.tabs.onUpdated.addListener((tabId, changeInfo, tab) => {
  onTabUpdated(tabId, changeInfo, tab).catch(log);
});

ext.tabs.onReplaced.addListener((addedTabId) => {
  (async () => {
    const tab = await ext.tabs.get(addedTabId);
    await applyBadge(addedTabId, tab.url, await dataset());
  })().catch(log);
});

ext.runtime.onInstalled.addListener((details) => {
  onInstalled(details).catch(log);
  ensureAlarm().catch(log);
  refreshAndReapply().catch(log);
});

ext.runtime.onStartup.addListener(() => {
  ensureAlarm().catch(log);
  refreshAndReapply().catch(log);
});

ext.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === REFRESH_ALARM || alarm.name === RETRY_ALARM) refreshAndReapply().catch(log);
});

ext.storage.onChanged.addListener((changes, area) => {
  if (area !== 'local' || !(KEYS.remote in changes)) return;
  datasetPromise = null;
  dataset().then(applyAllBadges).catch(log);
});

// Access to a newly rated domain was granted (options page): its tabs now have URLs.
ext.permissions.onAdded.addListener(() => {
  dataset().then(applyAllBadges).catch(log);
});

ext.notifications.onClicked.addListener((id) => {
  onNotificationClicked(id).catch(log);
});

// Requests from our own pages (options: "update now").
ext.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== ext.runtime.id || message?.type !== 'refresh') return false;
  refreshAndReapply()
    .then((status) => sendResponse({ ok: true, status }))
    .catch((error) => sendResponse({ ok: false, error: String(error) }));
  return true;
});

ensureAlarm().catch(log);

// Development builds only (the build drops this block from production bundles, which a
// unit test checks): headless browsers cannot click a system notification, so the
// browser tests call the click handler from the worker's console, and read which tab
// updates were handled.
if (DEVELOPMENT) {
  Reflect.set(globalThis, 'candorDevelopment', Object.freeze({
    onNotificationClicked,
    /** @param {number} tabId */
    handledUpdates: (tabId) => handledUpdates.get(tabId) ?? [],
  }));
}
