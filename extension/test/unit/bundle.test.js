// The bundle validator: a good bundle passes (and is copied clean), hostile ones are
// rejected with a reason, whatever the junk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InvalidBundle, MAX_BUNDLE_BYTES, parseBundle, validateBundle } from '../../src/lib/bundle.js';
import { SAMPLE_BUNDLE } from '../support/paths.js';

const sampleText = readFileSync(SAMPLE_BUNDLE, 'utf8');
const fresh = () => JSON.parse(sampleText);

function rejects(mutate, why) {
  const raw = fresh();
  mutate(raw);
  assert.throws(() => validateBundle(raw), InvalidBundle, why);
}

test('the sample bundle is valid and comes back as a clean copy', () => {
  const raw = fresh();
  raw.services[0].extra = { evil: true };
  raw.unexpected = 1;
  const clean = validateBundle(raw);
  assert.equal(clean.services.length, raw.services.length);
  assert.equal(clean.services[0].extra, undefined);
  assert.equal(clean.unexpected, undefined);
  assert.notEqual(clean.services[0], raw.services[0]);
});

test('unknown or missing format is rejected', () => {
  rejects((b) => (b.format = 2), 'format 2');
  rejects((b) => (b.format = '1'), 'format as a string');
  rejects((b) => delete b.format, 'no format');
});

test('wrong types anywhere are rejected', () => {
  assert.throws(() => validateBundle(null), InvalidBundle);
  assert.throws(() => validateBundle([]), InvalidBundle);
  assert.throws(() => validateBundle('bundle'), InvalidBundle);
  rejects((b) => (b.services = {}), 'services as object');
  rejects((b) => (b.services[0] = 'zoom'), 'service as string');
  rejects((b) => (b.services[0].name = 42), 'name as number');
  rejects((b) => (b.services[0].domains = 'zoom.us'), 'domains as string');
  rejects((b) => (b.services[0].grade = 'b'), 'lowercase grade');
  rejects((b) => (b.services[0].grade = 'E'), 'grade E');
  rejects((b) => (b.services[0].grade = 3), 'numeric grade');
  rejects((b) => (b.services[0].score = 101), 'score over 100');
  rejects((b) => (b.services[0].score = -1), 'negative score');
  rejects((b) => (b.services[0].score = '72'), 'score as string');
  rejects((b) => (b.services[0].score = NaN), 'NaN score');
  rejects((b) => (b.services[0].stale = 'no'), 'stale as string');
  rejects((b) => (b.services[0].status = 'zombie'), 'unknown status');
  rejects((b) => (b.services[0].reviewed_on = '2026-02-30'), 'impossible date');
  rejects((b) => (b.services[0].criteria[0].level = 'excellent'), 'unknown level');
  rejects((b) => (b.services[0].criteria[0].id = 'made_up'), 'unknown criterion');
  rejects((b) => (b.services[0].criteria[0].sources = ['javascript:alert(1)']), 'script URL as source');
  rejects((b) => (b.services[0].criteria[0].sources = ['data:text/html,hi']), 'data URL as source');
  rejects((b) => (b.methodology.criteria = []), 'no criteria');
  rejects((b) => (b.version = 'a b'), 'bad version');
  rejects((b) => (b.generated_at = 'yesterday'), 'bad time');
});

test('script and markup in names are rejected', () => {
  rejects((b) => (b.services[0].name = '<script>alert(1)</script>'), 'script in a name');
  rejects((b) => (b.services[0].company = '<img src=x onerror=alert(1)>'), 'markup in a company');
  rejects((b) => (b.methodology.criteria[0].name = '<b>bold</b>'), 'markup in a criterion name');
  rejects((b) => (b.services[0].name = 'Zoom\u0000'), 'control character');
  rejects((b) => (b.services[0].name = ''), 'empty name');
  rejects((b) => (b.services[0].name = 'Z'.repeat(500)), 'over-long name');
  rejects((b) => (b.services[0].criteria[0].evidence = 'x'.repeat(5000)), 'over-long evidence');
});

test('bad slugs, domains and duplicates are rejected', () => {
  rejects((b) => (b.services[0].slug = 'Zoom'), 'uppercase slug');
  rejects((b) => (b.services[0].slug = '../x'), 'path in slug');
  rejects((b) => (b.services[1].slug = b.services[0].slug), 'duplicate slug');
  rejects((b) => (b.services[1].domains = ['zoom.us']), 'a domain owned twice');
  for (const bad of ['ZOOM.us', 'zoom.us.', '127.0.0.1', 'localhost', 'com', '*.zoom.us', 'zoom.us/x', 'z\u043e\u043em.us', '', 'a'.repeat(64) + '.com']) {
    rejects((b) => (b.services[0].domains = [bad]), `domain ${bad}`);
  }
  rejects((b) => (b.services[0].domains = []), 'no domains');
});

test('bad meeting patterns are rejected', () => {
  for (const bad of [
    { path: 'j/{d}' },
    { path: '/J/{d}' },
    { path: '/{q}' },
    { path: '/**/x' },
    { path: 42 },
    { path: '/j', host: 'evil.com' },
    { path: '/j', host: 'Zoom.us' },
    { path: '/j', query: ['a b'] },
    { path: '/j', query: 'MTID' },
  ]) {
    rejects((b) => (b.services[0].meeting_patterns = [bad]), JSON.stringify(bad));
  }
});

test('too many items are rejected', () => {
  rejects((b) => (b.services[0].domains = Array.from({ length: 51 }, (_, i) => `d${i}.example`)), 'domains');
  rejects((b) => (b.services = Array.from({ length: 20001 }, () => b.services[0])), 'services');
});

test('oversized, non-JSON and non-UTF-8 input is rejected before parsing', () => {
  const junk = 'x'.repeat(10 * 1024 * 1024);
  assert.throws(() => parseBundle(junk), /larger than/);
  assert.throws(() => parseBundle(new Uint8Array(MAX_BUNDLE_BYTES + 1)), /larger than/);
  assert.throws(() => parseBundle('{"format": 1,'), /not JSON/);
  assert.throws(() => parseBundle(new Uint8Array([0xff, 0xfe, 0x00])), /not UTF-8/);
  assert.throws(() => parseBundle(12), InvalidBundle);
  const padded = JSON.stringify({ ...fresh(), padding: ' '.repeat(MAX_BUNDLE_BYTES) });
  assert.throws(() => parseBundle(padded), /larger than/);
});

test('bytes and text parse to the same bundle', () => {
  const fromText = parseBundle(sampleText);
  const fromBytes = parseBundle(new TextEncoder().encode(sampleText));
  assert.deepEqual(fromBytes, fromText);
});
