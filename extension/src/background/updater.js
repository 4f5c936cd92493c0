// Fetches <API>/v1/bundle with If-None-Match and keeps the last good copy.
//
// The request carries nothing about the user: no page, no host, no cookies, no referrer.
// Whatever comes back is size-limited while it streams in and validated before it
// replaces anything; on any failure the previous copy stays in use.
import { MAX_BUNDLE_BYTES, parseBundle } from '../lib/bundle.js';
import { FETCH_TIMEOUT_MS } from '../lib/config.js';
import { ext } from '../lib/ext.js';
import { getRemote, getSettings, getStatus, setRemote, setStatus } from '../lib/storage.js';

let inFlight = null;

/** Refresh the bundle; concurrent callers share one request. Resolves to the new status. */
export function refreshBundle() {
  inFlight ??= doRefresh().finally(() => {
    inFlight = null;
  });
  return inFlight;
}

async function doRefresh() {
  const { apiUrl } = await getSettings();
  const remote = await getRemote();
  const extensionVersion = ext.runtime.getManifest().version;
  const headers = { Accept: 'application/json' };
  if (remote?.etag && remote.apiUrl === apiUrl && remote.extensionVersion === extensionVersion) {
    headers['If-None-Match'] = remote.etag;
  }
  const now = new Date().toISOString();
  const status = { ...(await getStatus()), lastAttempt: now, apiUrl };
  try {
    const response = await fetch(`${apiUrl}/v1/bundle`, {
      headers,
      cache: 'no-store', // our own ETag handling; no second copy in the HTTP cache
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (response.status === 304) {
      Object.assign(status, { lastSuccess: now, lastError: null, result: 'unchanged' });
    } else if (response.ok) {
      const bundle = parseBundle(await readLimited(response, MAX_BUNDLE_BYTES));
      await setRemote({ bundle, etag: response.headers.get('ETag'), fetchedAt: now, apiUrl, extensionVersion });
      Object.assign(status, { lastSuccess: now, lastChange: now, lastError: null, result: 'updated', version: bundle.version });
    } else {
      throw new Error(`the API answered HTTP ${response.status}`);
    }
  } catch (error) {
    Object.assign(status, { lastError: describeError(error), result: 'failed' });
  }
  await setStatus(status);
  return status;
}

function describeError(error) {
  if (error?.name === 'TimeoutError') return 'the API did not answer in time';
  if (error instanceof TypeError) return 'the API could not be reached';
  return String(error?.message ?? error).slice(0, 300);
}

/** The body as bytes, aborting as soon as it grows past `limit`. */
async function readLimited(response, limit) {
  const declared = Number(response.headers.get('Content-Length'));
  if (declared > limit) throw new Error(`the bundle is larger than ${limit} bytes`);
  const reader = response.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new Error(`the bundle is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
