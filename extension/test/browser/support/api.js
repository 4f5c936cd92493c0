// The real Candor API, started by the test on a copy of fixtures/ in which one
// service's criteria are changed, so that a refreshed bundle differs from the snapshot.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CANDOR_BIN, PROJECT_ROOT, VENV_PYTHON } from '../../support/paths.js';

const RAISE_LEVELS = `
import sys, yaml
path, level = sys.argv[1], sys.argv[2]
data = yaml.safe_load(open(path, encoding="utf-8"))
for cid, entry in data["criteria"].items():
    entry["level"] = level
    entry.pop("official_silent", None)
    if not entry.get("evidence"):
        entry["evidence"] = "Changed by the extension browser test to move the grade."
        entry["sources"] = [{"url": data["homepage"], "kind": "official",
                             "section": "Homepage", "retrieved_on": str(data["reviewed_on"])}]
    entry.pop("latest_period_end", None)
    if level in ("full", "partial") and cid in ("transparency_report", "moderation_transparency"):
        entry["latest_period_end"] = str(data["reviewed_on"])
    if level == "no_disclosure" and not data.get("examined"):
        data["examined"] = [{"url": data["homepage"], "title": "Homepage",
                             "retrieved_on": str(data["reviewed_on"])}]
yaml.safe_dump(data, open(path, "w", encoding="utf-8"), sort_keys=False, allow_unicode=True)
`;

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Start `candor serve` on a temporary database loaded from a modified copy of fixtures/:
 * every criterion of `slug` raised to `level`, plus `synthetic` generated services, its
 * bundle signed with `signingKey` (a PEM file) when given.
 * Returns { url, stop }.
 */
export async function startApi({ slug, level, synthetic = 0, signingKey = null }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'candor-api-'));
  const fixtures = path.join(dir, 'fixtures');
  cpSync(path.join(PROJECT_ROOT, 'fixtures'), fixtures, { recursive: true });
  const file = path.join(fixtures, 'services', `${slug}.yaml`);
  // A real YAML edit (the project's own Python and PyYAML), keeping the file valid under the
  // methodology: a raised report criterion needs a recent period, and every criterion that
  // had no evidence (not assessed) gets some, on the service's homepage.
  const edit = spawnSync(VENV_PYTHON, ['-c', RAISE_LEVELS, file, level], { encoding: 'utf8' });
  if (edit.status !== 0) throw new Error(`could not change the levels in ${file}:\n${edit.stderr}`);
  if (synthetic) {
    // Services the snapshot does not know: the extension has no host access to them.
    const synth = spawnSync(CANDOR_BIN, ['fixtures', 'synth', String(synthetic), path.join(dir, 'synth')], { cwd: dir, encoding: 'utf8' });
    if (synth.status !== 0) throw new Error(`candor fixtures synth failed:\n${synth.stdout}${synth.stderr}`);
    cpSync(path.join(dir, 'synth', 'services'), path.join(fixtures, 'services'), { recursive: true });
  }

  const env = { ...process.env, CANDOR_DATABASE_URL: `sqlite:///${path.join(dir, 'candor.sqlite3')}`, CANDOR_FIXTURES_DIR: fixtures };
  // With a key the API signs its bundle (GET /v1/bundle.sig); without one it serves none.
  delete env.CANDOR_BUNDLE_SIGNING_KEY;
  if (signingKey) env.CANDOR_BUNDLE_SIGNING_KEY = signingKey;
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
