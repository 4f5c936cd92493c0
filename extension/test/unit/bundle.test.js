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
  rejects((b) => (b.format = 1), 'format 1 (the v1 shape)');
  rejects((b) => (b.format = 3), 'format 3');
  rejects((b) => (b.format = '2'), 'format as a string');
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
  rejects((b) => (b.services[0].grade = 'E'), 'grade E (not on this methodology\'s scale)');
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
  const source = (url, kind = 'official') => [{ url, kind, section: 'A section' }];
  rejects((b) => (b.services[0].criteria[0].sources = source('javascript:alert(1)')), 'script URL as source');
  rejects((b) => (b.services[0].criteria[0].sources = source('data:text/html,hi')), 'data URL as source');
  rejects((b) => (b.services[0].criteria[0].sources = ['https://zoom.us/']), 'a v1 bare-URL source');
  rejects((b) => (b.services[0].criteria[0].sources = source('https://zoom.us/', 'mirror')), 'unknown source kind');
  rejects((b) => (b.services[0].criteria[0].sources[0].section = 'x\u0007'), 'control character in a section');
  rejects((b) => (b.services[0].criteria[0].counted_level = 'great'), 'unknown counted level');
  rejects((b) => (b.services[0].criteria[0].latest_period_end = '2026-13-01'), 'impossible report period');
  rejects((b) => (b.services[0].groups = [{ id: 'made_up', score: 1 }]), 'unknown group');
  rejects((b) => (b.services[0].groups[0].score = 100.5), 'fractional sub-score');
  rejects((b) => (b.methodology.grades[1].letter = 'A'), 'duplicate grade letter');
  rejects((b) => (b.methodology.grades[0].letter = 'a'), 'lowercase grade letter');
  rejects((b) => (b.methodology.criteria[0].group = 'made_up'), 'criterion in an unknown group');
  rejects((b) => delete b.methodology.level_labels.full, 'a level without words');
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

test('the grade letters come from the methodology: a new grade E is accepted when the bundle lists it', () => {
  const raw = fresh();
  raw.methodology.grades.splice(4, 0, { letter: 'E', min_score: 25, meaning: 'Poor.' });
  raw.services[0].grade = 'E';
  const clean = validateBundle(raw);
  assert.equal(clean.services[0].grade, 'E');
  assert.deepEqual(
    clean.methodology.grades.map((g) => g.letter),
    ['A', 'B', 'C', 'D', 'E', 'F'],
  );
});

test('v2 fields come through clean: sub-scores, source objects, report period, not_assessed', () => {
  const raw = fresh();
  raw.services[0].criteria[1].level = 'not_assessed';
  raw.services[0].criteria[1].counted_level = 'not_assessed';
  raw.services[0].criteria[1].evidence = null;
  raw.services[0].criteria[1].sources = [];
  const clean = validateBundle(raw);
  const zoom = clean.services[0];
  assert.equal(zoom.criteria[1].level, 'not_assessed');
  assert.equal(zoom.criteria[1].evidence, null);
  assert.deepEqual(zoom.groups, raw.services[0].groups);
  assert.equal(zoom.criteria[0].latest_period_end, '2026-06-30');
  assert.deepEqual(Object.keys(zoom.criteria[0].sources[0]).sort(), ['kind', 'section', 'url']);
  assert.equal(clean.methodology.level_labels.no_disclosure, 'Not disclosed');
});
