// The real Candor API, started by the test on a copy of fixtures/ in which one
// service's criteria are changed, so that a refreshed bundle differs from the snapshot.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CANDOR_BIN, PROJECT_ROOT } from '../../support/paths.js';

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Start `candor serve` on a temporary database loaded from a modified copy of fixtures/:
 * every criterion of `slug` raised to `level`, plus `synthetic` generated services.
 * Returns { url, stop }.
 */
export async function startApi({ slug, level, synthetic = 0 }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'candor-api-'));
  const fixtures = path.join(dir, 'fixtures');
  cpSync(path.join(PROJECT_ROOT, 'fixtures'), fixtures, { recursive: true });
  const file = path.join(fixtures, 'services', `${slug}.yaml`);
  const original = readFileSync(file, 'utf8');
  const changed = original.replace(/^(\s+level:\s*)\S+/gm, `$1${level}`);
  if (changed === original) throw new Error(`could not change the levels in ${file}`);
  writeFileSync(file, changed);
  if (synthetic) {
    // Services the snapshot does not know: the extension has no host access to them.
    const synth = spawnSync(CANDOR_BIN, ['fixtures', 'synth', String(synthetic), path.join(dir, 'synth')], { cwd: dir, encoding: 'utf8' });
    if (synth.status !== 0) throw new Error(`candor fixtures synth failed:\n${synth.stdout}${synth.stderr}`);
    cpSync(path.join(dir, 'synth', 'services'), path.join(fixtures, 'services'), { recursive: true });
  }

  const env = { ...process.env, CANDOR_DATABASE_URL: `sqlite:///${path.join(dir, 'candor.sqlite3')}`, CANDOR_FIXTURES_DIR: fixtures };
  const load = spawnSync(CANDOR_BIN, ['fixtures', 'load', fixtures], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
  if (load.status !== 0) throw new Error(`candor fixtures load failed:\n${load.stdout}${load.stderr}`);

  const port = await freePort();
  const child = spawn(CANDOR_BIN, ['serve', '--host', '127.0.0.1', '--port', String(port), '--fixtures', fixtures], {
    cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => {
        const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 5000);
        child.once('exit', () => { clearTimeout(timer); resolve(); });
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/v1/bundle`);
      if (response.ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`candor serve did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop };
}
