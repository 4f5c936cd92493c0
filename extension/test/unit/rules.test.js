// The shared bundle rules (tests/vectors/rules.json), on the extension's side; the
// server's tests run the same cases through `candor fixtures check`'s rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { domainProblem, InvalidBundle, textProblem, validateBundle } from '../../src/lib/bundle.js';
import { PROJECT_ROOT, SAMPLE_BUNDLE } from '../support/paths.js';

const RULES = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'tests', 'vectors', 'rules.json'), 'utf8'));

for (const kase of RULES.domains) {
  test(`domain ${kase.input}: ${kase.valid ? 'valid' : 'refused'}`, () => {
    const problem = domainProblem(kase.input);
    assert.equal(problem === null, kase.valid, `${kase.note ?? ''} ${problem ?? ''}`);
  });
}

for (const kase of RULES.text) {
  test(`text ${JSON.stringify(kase.input)}: ${kase.valid ? 'valid' : 'refused'}`, () => {
    assert.equal(textProblem(kase.input) === null, kase.valid, kase.note ?? '');
  });
}

const sample = () => JSON.parse(readFileSync(SAMPLE_BUNDLE, 'utf8'));

test('a refused text anywhere refuses the bundle', () => {
  for (const bad of RULES.text.filter((k) => !k.valid)) {
    const raw = sample();
    raw.services[0].summary = `Summary ${bad.input}`;
    assert.throws(() => validateBundle(raw), InvalidBundle, JSON.stringify(bad.input));
    const method = sample();
    method.methodology.grades[0].meaning = `Meaning ${bad.input}`;
    assert.throws(() => validateBundle(method), InvalidBundle, JSON.stringify(bad.input));
  }
});

test('a public-suffix domain refuses the bundle', () => {
  const raw = sample();
  raw.services[0].domains = ['github.io'];
  assert.throws(() => validateBundle(raw), InvalidBundle, /public suffix/);
});

test("a domain under another service's domain needs inside", () => {
  const raw = sample();
  const meet = raw.services.find((s) => s.slug === 'google-meet');
  assert.deepEqual(validateBundle(raw).services.find((s) => s.slug === 'google-meet').inside, ['google-workspace']);
  // meet.google.com lies under google-workspace's google.com: undeclared, refused.
  meet.inside = [];
  assert.throws(() => validateBundle(raw), InvalidBundle, /lies under google\.com/);
  meet.inside = ['Not A Slug'];
  assert.throws(() => validateBundle(raw), InvalidBundle, /inside/);
});

test('a service without inside (an older server) nests nothing', () => {
  const raw = sample();
  raw.services.filter((s) => s.slug !== 'google-meet').forEach((s) => delete s.inside);
  const clean = validateBundle(raw);
  assert.ok(clean.services.every((s) => Array.isArray(s.inside)));
});
