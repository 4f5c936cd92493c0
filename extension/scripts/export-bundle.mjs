// Runs the Python side's `candor bundle export OUT` and returns the bundle text.
// Shared by the build (the shipped snapshot) and the tests (the bundle the shared
// vectors are written against), so both see exactly what the fixtures say.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export class ExportFailed extends Error {}

/** Export the bundle from `projectRoot`'s fixtures. Throws ExportFailed with the reason. */
export function exportBundle(projectRoot, { bin = path.join(projectRoot, '.venv', 'bin', 'candor'), env = process.env } = {}) {
  if (!existsSync(bin)) {
    throw new ExportFailed(`${bin} not found: install the Python side first (the project's venv with the candor command)`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'candor-bundle-'));
  const out = path.join(dir, 'bundle.json');
  try {
    const result = spawnSync(bin, ['bundle', 'export', out], { cwd: projectRoot, env, encoding: 'utf8', timeout: 120_000 });
    if (result.error) throw new ExportFailed(`could not run ${bin}: ${result.error.message}`);
    if (result.status !== 0) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
      throw new ExportFailed(`\`candor bundle export\` exited with ${result.status}:\n${output}`);
    }
    if (!existsSync(out)) throw new ExportFailed('`candor bundle export` succeeded but wrote no file');
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
