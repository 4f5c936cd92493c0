// A minimal in-memory stand-in for the extension APIs the background modules use, for
// unit tests in Node. Installed as globalThis.chrome before those modules are imported.
export function installFakeExtension({ version = '9.9.9' } = {}) {
  const store = new Map();
  const listeners = [];
  const fake = {
    runtime: { getManifest: () => ({ version }), getURL: (p) => `chrome-extension://test/${p}`, id: 'test' },
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
  return { fake, store };
}
