// Fetches <API>/v1/bundle (with If-None-Match) and its signature, <API>/v1/bundle.sig,
// and keeps the last good copy.
//
// The requests carry nothing about the user: no page, no host, no cookies, no referrer.
// Whatever comes back is size-limited while it streams in, must be signed by the key
// pinned in this build, must validate, must not be older than the data in use and must
// not drop a large share of its services; on any failure the previous copy stays in use,
// the options page says why, and the next attempt comes after a short, growing delay
// (minutes, not the 6-hour refresh period).
import { MAX_BUNDLE_BYTES, parseBundle } from '../lib/bundle.js';
import { bundlePublicKey, FETCH_TIMEOUT_MS, RETRY_ALARM, RETRY_MINUTES } from '../lib/config.js';
import { loadDataset } from '../lib/dataset.js';
import { ext } from '../lib/ext.js';
import { normaliseApiUrl } from '../lib/settings.js';
import { getRemote, getSettings, getStatus, setRemote, setStatus } from '../lib/storage.js';
import { checkSuccession, Untrusted, verifySignature } from '../lib/trust.js';

const MAX_SIGNATURE_BYTES = 1024;
/** @type {Promise<UpdateStatus> | null} */
let inFlight = null;

/**
 * Refresh the bundle; concurrent callers share one request. Resolves to the new status.
 * @returns {Promise<UpdateStatus>}
 */
export function refreshBundle() {
  inFlight ??= doRefresh().finally(() => {
    inFlight = null;
  });
  return inFlight;
}

/**
 * @param {string} url
 * @param {Record<string, string>} [headers]
 */
const request = (url, headers = {}) =>
  fetch(url, {
    headers: { Accept: 'application/json', ...headers },
    cache: 'no-store', // our own ETag handling; no second copy in the HTTP cache
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });

/**
 * The bundle's bytes and its signature text, or null for "not modified".
 * @param {string} apiUrl
 * @param {string | null} etag
 */
async function download(apiUrl, etag) {
  const response = await request(`${apiUrl}/v1/bundle`, etag ? { 'If-None-Match': etag } : {});
  if (response.status === 304) return null;
  if (!response.ok) throw new Error(`the API answered HTTP ${response.status}`);
  const bytes = await readLimited(response, MAX_BUNDLE_BYTES);
  const signed = await request(`${apiUrl}/v1/bundle.sig`);
  if (signed.status === 404) throw new Untrusted('unsigned', 'the API serves no signature for its bundle');
  if (!signed.ok) throw new Error(`the API answered HTTP ${signed.status} for the signature`);
  const signature = new TextDecoder().decode(await readLimited(signed, MAX_SIGNATURE_BYTES));
  return { bytes, signature, etag: response.headers.get('ETag') };
}

async function doRefresh() {
  const { apiUrl } = await getSettings();
  const remote = await getRemote();
  const extensionVersion = ext.runtime.getManifest().version;
  const etag = remote?.etag && remote.apiUrl === apiUrl && remote.extensionVersion === extensionVersion ? remote.etag : null;
  const now = new Date().toISOString();
  /** @type {UpdateStatus} */
  const status = { ...(await getStatus()), lastAttempt: now, apiUrl };
  try {
    if (normaliseApiUrl(apiUrl) !== apiUrl) throw new Error('the API address must be https');
    let answer = await download(apiUrl, etag);
    if (answer) {
      try {
        await verifySignature(answer.bytes, answer.signature, bundlePublicKey());
      } catch (error) {
        // The dataset may have changed between the two requests: fetch both once more.
        if (!(error instanceof Untrusted) || error.reason !== 'signature') throw error;
        answer = await download(apiUrl, null);
        if (answer) await verifySignature(answer.bytes, answer.signature, bundlePublicKey());
      }
    }
    if (!answer) {
      Object.assign(status, { lastSuccess: now, lastError: null, rejected: null, result: 'unchanged' });
    } else {
      const bundle = parseBundle(answer.bytes);
      checkSuccession((await loadDataset()).bundle, bundle);
      await setRemote({ bundle, etag: answer.etag, fetchedAt: now, apiUrl, extensionVersion });
      Object.assign(status, { lastSuccess: now, lastChange: now, lastError: null, rejected: null, result: 'updated', version: bundle.version });
    }
    status.failures = 0;
    status.nextRetry = null;
    await ext.alarms.clear(RETRY_ALARM);
  } catch (error) {
    const failures = (status.failures ?? 0) + 1;
    const minutes = RETRY_MINUTES[Math.min(failures, RETRY_MINUTES.length) - 1];
    Object.assign(status, {
      lastError: describeError(error),
      rejected: error instanceof Untrusted ? error.reason : null,
      result: 'failed',
      failures,
      nextRetry: new Date(Date.now() + minutes * 60_000).toISOString(),
    });
    await ext.alarms.create(RETRY_ALARM, { delayInMinutes: minutes });
  }
  await setStatus(status);
  return status;
}

/**
 * @param {unknown} error
 */
function describeError(error) {
  // Anything may be thrown; only an error's name and message are read.
  const { name, message } = /** @type {{ name?: unknown, message?: unknown }} */ (Object(error));
  if (name === 'TimeoutError') return 'the API did not answer in time';
  if (error instanceof TypeError) return 'the API could not be reached';
  return String(message ?? error).slice(0, 300);
}

/**
 * The body as bytes, aborting as soon as it grows past `limit`.
 * @param {Response} response
 * @param {number} limit
 * @returns {Promise<Uint8Array<ArrayBuffer>>}
 */
async function readLimited(response, limit) {
  const declared = Number(response.headers.get('Content-Length'));
  if (declared > limit) throw new Error(`the answer is larger than ${limit} bytes`);
  if (!response.body) throw new Error('the answer has no body');
  const reader = response.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new Error(`the answer is larger than ${limit} bytes`);
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
