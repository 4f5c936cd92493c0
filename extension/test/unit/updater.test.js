// The bundle updater against a stubbed network: conditional requests, and hostile or
// broken answers that must leave the last good copy in place.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { installFakeExtension } from '../support/fake-ext.js';
import { SAMPLE_BUNDLE } from '../support/paths.js';

const { store } = installFakeExtension();
const { refreshBundle } = await import('../../src/background/updater.js');
const { saveSettings } = await import('../../src/lib/storage.js');

const sample = readFileSync(SAMPLE_BUNDLE, 'utf8');
const API = 'https://api.candor.example';
let requests = [];

/** Answer fetches with `respond(url, init)`, recording them. */
function network(respond) {
  globalThis.fetch = async (url, init = {}) => {
    requests.push({ url, init });
    return respond(url, init);
  };
}

const json = (text, init = {}) => new Response(text, { status: 200, headers: { 'Content-Type': 'application/json', ETag: '"v1"' }, ...init });

beforeEach(async () => {
  store.clear();
  requests = [];
  await saveSettings({ apiUrl: API });
});

async function goodCopy() {
  network(() => json(sample));
  const status = await refreshBundle();
  assert.equal(status.result, 'updated');
  return store.get('remote');
}

test('a valid bundle is stored with its ETag, and the next request is conditional', async () => {
  const remote = await goodCopy();
  assert.equal(requests[0].url, `${API}/v1/bundle`);
  assert.equal(requests[0].init.headers['If-None-Match'], undefined);
  assert.equal(requests[0].init.credentials, 'omit');
  assert.equal(requests[0].init.referrerPolicy, 'no-referrer');
  assert.equal(remote.etag, '"v1"');
  assert.equal(remote.apiUrl, API);
  assert.equal(remote.extensionVersion, '9.9.9');
  assert.equal(remote.bundle.services.length, JSON.parse(sample).services.length);

  network(() => new Response(null, { status: 304 }));
  const status = await refreshBundle();
  assert.equal(requests[1].init.headers['If-None-Match'], '"v1"');
  assert.equal(status.result, 'unchanged');
  assert.equal(store.get('remote').fetchedAt, remote.fetchedAt);
});

test('the request names no page: only the bundle URL, no query', async () => {
  await goodCopy();
  assert.equal(new URL(requests[0].url).search, '');
  assert.deepEqual(Object.keys(requests[0].init.headers).sort(), ['Accept']);
});

test('changing the API URL drops the ETag', async () => {
  await goodCopy();
  await saveSettings({ apiUrl: 'https://other.candor.example' });
  network(() => json(sample));
  await refreshBundle();
  assert.equal(requests.at(-1).url, 'https://other.candor.example/v1/bundle');
  assert.equal(requests.at(-1).init.headers['If-None-Match'], undefined);
});

const hostile = {
  '10 MB of junk, streamed': () => json(new ReadableStream({
    pull(controller) {
      controller.enqueue(new Uint8Array(1024 * 1024).fill(0x20));
      if ((this.n = (this.n ?? 0) + 1) > 10) controller.close();
    },
  })),
  'a declared length over the limit': () => json('{}', { headers: { 'Content-Length': String(50 * 1024 * 1024), ETag: '"x"' } }),
  'not JSON': () => json('<html>oops</html>'),
  'script in a name': () => {
    const b = JSON.parse(sample);
    b.services[0].name = '<script>alert(1)</script>';
    return json(JSON.stringify(b));
  },
  'wrong types': () => json(JSON.stringify({ ...JSON.parse(sample), services: 'all of them' })),
  'an unknown format': () => json(JSON.stringify({ ...JSON.parse(sample), format: 3 })),
  'HTTP 500': () => new Response('no', { status: 500 }),
  'a network error': () => {
    throw new TypeError('Failed to fetch');
  },
};

for (const [what, respond] of Object.entries(hostile)) {
  test(`${what}: rejected, the last good copy stays`, async () => {
    const good = await goodCopy();
    network(respond);
    const status = await refreshBundle();
    assert.equal(status.result, 'failed');
    assert.ok(status.lastError);
    assert.deepEqual(store.get('remote'), good);
  });
}

test('concurrent refreshes share one request', async () => {
  network(() => json(sample));
  await Promise.all([refreshBundle(), refreshBundle(), refreshBundle()]);
  assert.equal(requests.length, 1);
});
