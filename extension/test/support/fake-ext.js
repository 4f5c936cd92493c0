// A minimal in-memory stand-in for the extension APIs the background modules use, for
// unit tests in Node. Installed as globalThis.chrome before those modules are imported.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXTENSION_DIR } from './paths.js';

export function readMessages(locale = 'en') {
  return JSON.parse(readFileSync(path.join(EXTENSION_DIR, '_locales', locale, 'messages.json'), 'utf8'));
}

/** chrome.i18n.getMessage over one locale's messages.json, with $1..$9 and named
 * placeholders substituted as the browsers do. */
export function fakeI18n(locale = 'en') {
  const messages = readMessages(locale);
  const uiLocale = locale;
  return {
    getUILanguage: () => uiLocale.replace('_', '-'),
    getMessage(name, substitutions) {
      if (name === '@@ui_locale') return uiLocale;
      if (name === '@@bidi_dir') return 'ltr';
      const entry = messages[name];
      if (!entry) return '';
      const args = substitutions === undefined ? [] : Array.isArray(substitutions) ? substitutions : [substitutions];
      const positional = (text) => text.replace(/\$(\d)/g, (_, n) => String(args[Number(n) - 1] ?? ''));
      const named = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, key) => {
        const placeholder = entry.placeholders?.[key.toLowerCase()];
        return placeholder ? positional(placeholder.content) : whole;
      });
      return positional(named).replace(/\$\$/g, '$');
    },
  };
}

export function installFakeExtension({ version = '9.9.9', locale = 'en' } = {}) {
  const store = new Map();
  const listeners = [];
  const alarms = new Map();
  const createdTabs = [];
  const fake = {
    runtime: { getManifest: () => ({ version }), getURL: (p) => `chrome-extension://test/${p}`, id: 'test' },
    i18n: fakeI18n(locale),
    alarms: {
      async create(name, info) {
        alarms.set(name, { name, ...info });
      },
      async clear(name) {
        return alarms.delete(name);
      },
      async get(name) {
        return alarms.get(name);
      },
    },
    tabs: {
      async create(properties) {
        createdTabs.push(properties);
        return { id: createdTabs.length, ...properties };
      },
    },
    storage: {
      local: {
        async get(key) {
          const keys = key === undefined ? [...store.keys()] : Array.isArray(key) ? key : [key];
          return Object.fromEntries(keys.filter((k) => store.has(k)).map((k) => [k, structuredClone(store.get(k))]));
        },
        async set(items) {
          const changes = {};
          for (const [k, v] of Object.entries(items)) {
            changes[k] = { oldValue: store.get(k), newValue: v };
            store.set(k, structuredClone(v));
          }
          listeners.forEach((fn) => fn(changes, 'local'));
        },
        async clear() {
          store.clear();
        },
      },
      onChanged: { addListener: (fn) => listeners.push(fn) },
    },
  };
  globalThis.chrome = fake;
  return { fake, store, alarms, createdTabs };
}
