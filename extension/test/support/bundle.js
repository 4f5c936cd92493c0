// The bundle the shared vectors are matched against: the one exported from fixtures/
// by the Python side, or the file named by CANDOR_TEST_BUNDLE.
import { readFileSync } from 'node:fs';
import { exportBundle } from '../../scripts/export-bundle.mjs';
import { parseBundle } from '../../src/lib/bundle.js';
import { CANDOR_BIN, PROJECT_ROOT } from './paths.js';

let cached;

export function loadTestBundle() {
  if (!cached) {
    const file = process.env.CANDOR_TEST_BUNDLE;
    const text = file ? readFileSync(file, 'utf8') : exportBundle(PROJECT_ROOT, { bin: CANDOR_BIN });
    cached = parseBundle(text);
  }
  return cached;
}
