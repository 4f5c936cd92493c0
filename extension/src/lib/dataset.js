// The dataset in use: the last good bundle fetched from the API, or else the snapshot
// shipped inside the extension (built from fixtures/), so that ratings work on first run
// and offline. Both go through the same validator.
import { parseBundle, validateBundle } from './bundle.js';
import { ext } from './ext.js';
import { buildIndex } from './matcher.js';
import { getRemote } from './storage.js';

export const SNAPSHOT_FILE = 'snapshot.json';

/** @type {Promise<Bundle> | null} */
let snapshotPromise = null;

/**
 * The bundled snapshot, validated; loaded once per extension process.
 * @returns {Promise<Bundle>}
 */
export function loadSnapshot() {
  snapshotPromise ??= (async () => {
    const response = await fetch(ext.runtime.getURL(SNAPSHOT_FILE));
    return parseBundle(new Uint8Array(await response.arrayBuffer()));
  })();
  return snapshotPromise;
}

/**
 * { bundle, index, source: "api" | "snapshot", fetchedAt }. A stored copy fetched by an
 * older version of the extension is ignored: the snapshot of this version may be newer,
 * and the next refresh fetches again.
 * @returns {Promise<Dataset>}
 */
export async function loadDataset() {
  const remote = await getRemote();
  if (remote && remote.extensionVersion === ext.runtime.getManifest().version) {
    try {
      // Checked when fetched; checked again because storage outlives code changes.
      const bundle = validateBundle(remote.bundle);
      return { bundle, index: buildIndex(bundle.services), source: 'api', fetchedAt: remote.fetchedAt };
    } catch {
      // Fall through to the snapshot.
    }
  }
  const bundle = await loadSnapshot();
  return { bundle, index: buildIndex(bundle.services), source: 'snapshot', fetchedAt: null };
}
