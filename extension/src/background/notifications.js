// One system notification per service per day when the user joins a meeting there.
// Clicking it opens the rating details.
import { meetingMessage } from '../lib/describe.js';
import { ext } from '../lib/ext.js';
import { getNotified, getSettings, setNotified } from '../lib/storage.js';

const PREFIX = 'candor-meeting:';
let chain = Promise.resolve();

export function localDay(date = new Date()) {
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Notify about `service` unless turned off or already done today. Serialised, so the
 * several tab events of one page load cannot notify twice. */
/**
 * @param {Service} service
 * @param {number} tabId
 */
export function notifyMeeting(service, tabId) {
  chain = chain.then(() => notifyOnce(service, tabId)).catch(() => {});
  return chain;
}

/**
 * @param {Service} service
 * @param {number} tabId
 */
async function notifyOnce(service, tabId) {
  const { notifications } = await getSettings();
  if (!notifications) return;
  const today = localDay();
  const notified = await getNotified();
  if (notified[service.slug] === today) return;
  // Only today's entries are worth keeping.
  const kept = Object.fromEntries(Object.entries(notified).filter(([, day]) => day === today));
  await setNotified({ ...kept, [service.slug]: today });
  await ext.notifications.create(`${PREFIX}${tabId}:${service.slug}`, {
    type: 'basic',
    iconUrl: ext.runtime.getURL('icons/icon-128.png'),
    title: 'Candor',
    message: meetingMessage(service),
  });
}

/** Open the details for the tab a notification was about: the popup where the browser
 * lets us open it, else the same page in a tab. */
/**
 * @param {string} notificationId
 */
export async function onNotificationClicked(notificationId) {
  if (!notificationId.startsWith(PREFIX)) return;
  const tabId = Number(notificationId.slice(PREFIX.length).split(':')[0]);
  ext.notifications.clear(notificationId).catch(() => {});
  let windowId;
  try {
    const tab = await ext.tabs.update(tabId, { active: true });
    if (!tab) throw new Error('the tab is gone');
    windowId = tab.windowId;
    await ext.windows.update(windowId, { focused: true });
  } catch {
    // The tab is gone; the details page below still shows what it can.
  }
  try {
    await ext.action.openPopup(windowId === undefined ? {} : { windowId });
  } catch {
    await ext.tabs.create({ url: ext.runtime.getURL(`popup.html?tabId=${Number.isInteger(tabId) ? tabId : ''}`) });
  }
}
