// The shared URL vectors (tests/vectors/urls.json), also run by the Python tests: the
// two matchers must give the same answer, case by case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildIndex, InvalidInput, matchHost, matchUrl } from '../../src/lib/matcher.js';
import { loadTestBundle } from '../support/bundle.js';
import { VECTORS_FILE } from '../support/paths.js';

const vectors = JSON.parse(readFileSync(process.env.CANDOR_TEST_VECTORS ?? VECTORS_FILE, 'utf8'));
const cases = Array.isArray(vectors) ? vectors : vectors.cases;

test('the vectors file has cases', () => {
  assert.ok(Array.isArray(cases) && cases.length > 0, 'no cases in the vectors file');
});

const index = buildIndex(loadTestBundle().services);

for (const [i, c] of cases.entries()) {
  const label = `#${i} ${c.kind === 'host' ? 'host' : 'url'} ${JSON.stringify(c.input).slice(0, 120)}${c.note ? ` (${c.note})` : ''}`;
  test(label, () => {
    const run = () => (c.kind === 'host' ? matchHost(index, c.input) : matchUrl(index, c.input));
    if (c.error) {
      assert.throws(run, InvalidInput, 'expected the input to be rejected as invalid');
      return;
    }
    const result = run();
    assert.equal(result.service?.slug ?? null, c.service, 'service');
    assert.equal(result.meeting, c.meeting, 'meeting');
  });
}
