// Everything the extension keeps, in storage.local, under a few named keys.
import { ext } from './ext.js';
import { withDefaults } from './settings.js';

export const KEYS = Object.freeze({
  settings: 'settings', // { apiUrl, notifications }
  remote: 'remote', // last good bundle from the API: { bundle, etag, fetchedAt, apiUrl, extensionVersion }
  status: 'updateStatus', // { lastAttempt, lastSuccess, lastError, result }
  notified: 'notified', // { [slug]: "YYYY-MM-DD" }: one meeting notification per service per day
});

/**
 * @param {string} key
 * @returns {Promise<any>} what was stored under `key`: this module gives it its type
 */
async function read(key) {
  const items = await ext.storage.local.get(key);
  return items[key];
}

/** @returns {Promise<Settings>} */
export async function getSettings() {
  return withDefaults(await read(KEYS.settings));
}

/**
 * @param {Partial<Settings>} changes
 * @returns {Promise<Settings>}
 */
export async function saveSettings(changes) {
  const next = withDefaults({ ...(await getSettings()), ...changes });
  await ext.storage.local.set({ [KEYS.settings]: next });
  return next;
}

/** @returns {Promise<Remote | undefined>} */
export const getRemote = () => read(KEYS.remote);
/** @param {Remote} remote */
export const setRemote = (remote) => ext.storage.local.set({ [KEYS.remote]: remote });
/** @returns {Promise<UpdateStatus>} */
export const getStatus = async () => (await read(KEYS.status)) ?? {};
/** @param {UpdateStatus} status */
export const setStatus = (status) => ext.storage.local.set({ [KEYS.status]: status });
/** @returns {Promise<Record<string, string>>} */
export const getNotified = async () => (await read(KEYS.notified)) ?? {};
/** @param {Record<string, string>} notified */
export const setNotified = (notified) => ext.storage.local.set({ [KEYS.notified]: notified });
