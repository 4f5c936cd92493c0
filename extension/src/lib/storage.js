// Everything the extension keeps, in storage.local, under a few named keys.
import { ext } from './ext.js';
import { withDefaults } from './settings.js';

export const KEYS = Object.freeze({
  settings: 'settings', // { apiUrl, notifications }
  remote: 'remote', // last good bundle from the API: { bundle, etag, fetchedAt, apiUrl, extensionVersion }
  status: 'updateStatus', // { lastAttempt, lastSuccess, lastError, result }
  notified: 'notified', // { [slug]: "YYYY-MM-DD" }: one meeting notification per service per day
});

async function read(key) {
  const items = await ext.storage.local.get(key);
  return items[key];
}

export async function getSettings() {
  return withDefaults(await read(KEYS.settings));
}

export async function saveSettings(changes) {
  const next = withDefaults({ ...(await getSettings()), ...changes });
  await ext.storage.local.set({ [KEYS.settings]: next });
  return next;
}

export const getRemote = () => read(KEYS.remote);
export const setRemote = (remote) => ext.storage.local.set({ [KEYS.remote]: remote });
export const getStatus = async () => (await read(KEYS.status)) ?? {};
export const setStatus = (status) => ext.storage.local.set({ [KEYS.status]: status });
export const getNotified = async () => (await read(KEYS.notified)) ?? {};
export const setNotified = (notified) => ext.storage.local.set({ [KEYS.notified]: notified });
