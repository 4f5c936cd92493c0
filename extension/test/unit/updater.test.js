// The bundle updater against a stubbed network: conditional requests, signatures checked
// against the pinned key, rollbacks and mass drops refused, hostile or broken answers that
// must leave the last good copy in place, and the retry backoff after a failure.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { installFakeExtension } from '../support/fake-ext.js';
import { SAMPLE_BUNDLE } from '../support/paths.js';
import { makeSigner } from '../support/signing.js';

const signer = await makeSigner();
// What the build's `define` pins; unbundled, the module reads the global of that name.
globalThis.__CANDOR_PUBLIC_KEY__ = signer.publicKey;
const { store, alarms } = installFakeExtension();
const { refreshBundle } = await import('../../src/background/updater.js');
const { saveSettings } = await import('../../src/lib/storage.js');
const { RETRY_ALARM, RETRY_MINUTES } = await import('../../src/lib/config.js');

const sample = readFileSync(SAMPLE_BUNDLE, 'utf8');
const API = 'https://api.candor.example';
let requests = [];

const json = (text, init = {}) => new Response(text, { status: 200, headers: { 'Content-Type': 'application/json', ETag: '"v1"' }, ...init });
const text = (body, status = 200) => new Response(body, { status, headers: { 'Content-Type': 'text/plain' } });

/** Answer the bundle with `bundle(init)` and its signature with `signature()`; the
 * extension's own snapshot.json is the sample. */
function network({ bundle = () => json(sample), signature = async () => text(await signer.sign(sample)) } = {}) {
  globalThis.fetch = async (url, init = {}) => {
    if (String(url).startsWith('chrome-extension://')) return new Response(sample);
    requests.push({ url, init });
    return String(url).endsWith('/v1/bundle.sig') ? signature(url, init) : bundle(url, init);
  };
}

/** A signed answer for a changed bundle. */
async function signedAnswer(mutate) {
  const raw = JSON.parse(sample);
  mutate(raw);
  const body = JSON.stringify(raw);
  const signature = await signer.sign(body);
  return { bundle: () => json(body), signature: () => text(signature) };
}

beforeEach(async () => {
  store.clear();
  alarms.clear();
  requests = [];
  await saveSettings({ apiUrl: API });
});

async function goodCopy() {
  network();
  const status = await refreshBundle();
  assert.equal(status.result, 'updated', status.lastError);
  return store.get('remote');
}

test('a signed bundle is stored with its ETag, and the next request is conditional', async () => {
  const remote = await goodCopy();
  assert.deepEqual(requests.map((r) => r.url), [`${API}/v1/bundle`, `${API}/v1/bundle.sig`]);
  assert.equal(requests[0].init.headers['If-None-Match'], undefined);
  for (const { init } of requests) {
    assert.equal(init.credentials, 'omit');
    assert.equal(init.referrerPolicy, 'no-referrer');
  }
  assert.equal(remote.etag, '"v1"');
  assert.equal(remote.apiUrl, API);
  assert.equal(remote.extensionVersion, '9.9.9');
  assert.equal(remote.bundle.services.length, JSON.parse(sample).services.length);

  requests = [];
  network({ bundle: () => new Response(null, { status: 304 }) });
  const status = await refreshBundle();
  assert.equal(requests.length, 1, 'a 304 needs no signature');
  assert.equal(requests[0].init.headers['If-None-Match'], '"v1"');
  assert.equal(status.result, 'unchanged');
  assert.equal(store.get('remote').fetchedAt, remote.fetchedAt);
});

test('the requests name no page: only the bundle URLs, no query', async () => {
  await goodCopy();
  for (const { url, init } of requests) {
    assert.equal(new URL(url).search, '');
    assert.deepEqual(Object.keys(init.headers).sort(), ['Accept']);
  }
});

test('changing the API URL drops the ETag', async () => {
  await goodCopy();
  await saveSettings({ apiUrl: 'https://other.candor.example' });
  network();
  await refreshBundle();
  const last = requests.find((r) => r.url === 'https://other.candor.example/v1/bundle');
  assert.ok(last);
  assert.equal(last.init.headers['If-None-Match'], undefined);
});

const refused = {
  'an unsigned bundle (no signature served)': [() => ({ signature: () => new Response('not found', { status: 404 }) }), 'unsigned'],
  'an empty signature': [() => ({ signature: () => text('') }), 'unsigned'],
  'a signature that is not base64': [() => ({ signature: () => text('%%%%') }), 'unsigned'],
  'a signature by another key': [async () => {
    const other = await makeSigner();
    const signature = await other.sign(sample);
    return { signature: () => text(signature) };
  }, 'signature'],
  'a validly signed bundle, changed in transit': [async () => {
    const signature = await signer.sign(sample);
    return { bundle: () => json(sample.replace('"Zoom"', '"Zoom!"')), signature: () => text(signature) };
  }, 'signature'],
  'a signed bundle older than the data in use (rollback)': [() => signedAnswer((b) => (b.generated_at = '2020-01-01T00:00:00Z')), 'rollback'],
  'a signed bundle with no services (services: [])': [() => signedAnswer((b) => (b.services = [])), 'mass-drop'],
  'a signed bundle dropping a third of the services': [() => signedAnswer((b) => (b.services = b.services.slice(0, Math.floor((b.services.length * 2) / 3)))), 'mass-drop'],
};

for (const [what, [answer, reason]] of Object.entries(refused)) {
  test(`${what}: refused with the reason "${reason}", the last good copy stays`, async () => {
    const good = await goodCopy();
    network(await answer());
    const status = await refreshBundle();
    assert.equal(status.result, 'failed');
    assert.equal(status.rejected, reason, status.lastError);
    assert.ok(status.lastError);
    assert.deepEqual(store.get('remote'), good);
  });
}

test('a signed bundle that adds services and drops a few is accepted', async () => {
  await goodCopy();
  network(await signedAnswer((b) => {
    b.generated_at = '2099-01-01T00:00:00Z';
    b.services = b.services.slice(1);
  }));
  const status = await refreshBundle();
  assert.equal(status.result, 'updated', status.lastError);
});

test('an http API is refused in a production build, before any request', async () => {
  const { normaliseApiUrl } = await import('../../src/lib/settings.js');
  assert.equal(normaliseApiUrl('http://api.candor.example', { development: false }), null);
  assert.equal(normaliseApiUrl('http://127.0.0.1:8000', { development: false }), null);
  assert.equal(normaliseApiUrl('http://127.0.0.1:8000', { development: true }), 'http://127.0.0.1:8000');
  assert.equal(normaliseApiUrl('http://api.candor.example', { development: true }), null, 'development: http only on this machine');
  // Storage written by hand (or by an older version) cannot sneak an http API in.
  await chrome.storage.local.set({ settings: { apiUrl: 'http://evil.example', notifications: true } });
  network();
  await refreshBundle();
  assert.ok(requests.every((r) => !String(r.url).startsWith('http://evil.example')));
});

const hostile = {
  '10 MB of junk, streamed': () => json(new ReadableStream({
    pull(controller) {
      controller.enqueue(new Uint8Array(1024 * 1024).fill(0x20));
      if ((this.n = (this.n ?? 0) + 1) > 10) controller.close();
    },
  })),
  'a declared length over the limit': () => json('{}', { headers: { 'Content-Length': String(50 * 1024 * 1024), ETag: '"x"' } }),
  'HTTP 500': () => new Response('no', { status: 500 }),
  'a network error': () => {
    throw new TypeError('Failed to fetch');
  },
};

for (const [what, respond] of Object.entries(hostile)) {
  test(`${what}: rejected, the last good copy stays`, async () => {
    const good = await goodCopy();
    network({ bundle: respond });
    const status = await refreshBundle();
    assert.equal(status.result, 'failed');
    assert.ok(status.lastError);
    assert.deepEqual(store.get('remote'), good);
  });
}

for (const [what, mutate] of Object.entries({
  'script in a name': (b) => (b.services[0].name = '<script>alert(1)</script>'),
  'wrong types': (b) => (b.services = 'all of them'),
  'an unknown format': (b) => (b.format = 3),
})) {
  test(`${what}, even signed: rejected, the last good copy stays`, async () => {
    const good = await goodCopy();
    network(await signedAnswer(mutate));
    const status = await refreshBundle();
    assert.equal(status.result, 'failed');
    assert.match(status.lastError, /invalid bundle/);
    assert.deepEqual(store.get('remote'), good);
  });
}

test('after a failure the next try comes in minutes, backing off, and success clears it', async () => {
  await goodCopy();
  network({ bundle: () => new Response('no', { status: 503 }) });
  const delays = [];
  for (let i = 0; i < RETRY_MINUTES.length + 2; i++) {
    const status = await refreshBundle();
    assert.equal(status.failures, i + 1);
    delays.push(alarms.get(RETRY_ALARM).delayInMinutes);
    assert.ok(Date.parse(status.nextRetry) > Date.now());
  }
  assert.deepEqual(delays, [...RETRY_MINUTES, RETRY_MINUTES.at(-1), RETRY_MINUTES.at(-1)]);
  assert.ok(Math.max(...delays) <= 60, 'minutes, not hours');
  assert.ok(delays.every((d, i) => i === 0 || d >= delays[i - 1]), 'never shorter than the one before');
  network();
  const status = await refreshBundle();
  assert.equal(status.failures, 0);
  assert.equal(status.nextRetry, null);
  assert.equal(alarms.has(RETRY_ALARM), false);
});

test('concurrent refreshes share one request', async () => {
  network();
  await Promise.all([refreshBundle(), refreshBundle(), refreshBundle()]);
  assert.equal(requests.filter((r) => r.url.endsWith('/v1/bundle')).length, 1);
});
