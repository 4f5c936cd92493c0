// A development build of the extension for the browser tests, made by the test itself
// into a temporary folder: it pins the public half of a signing key generated now, which
// the test's `candor serve` signs with, and it talks to an http API on this machine.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildExtension } from '../../../scripts/build.mjs';
import { freePort } from './api.js';
import { loadTestBundle } from '../../support/bundle.js';

export async function testBuild() {
  const dir = mkdtempSync(path.join(tmpdir(), 'candor-test-build-'));
  const keyFile = path.join(dir, 'signing.pem');
  execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', keyFile], { stdio: 'pipe' });
  const bundleFile = path.join(dir, 'snapshot.json');
  writeFileSync(bundleFile, JSON.stringify(loadTestBundle()));
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CANDOR_') || k === 'CANDOR_BIN'));
  const info = await buildExtension({
    mode: 'development',
    // The default API is a port nothing listens on: the install-time update fails, as it
    // does offline, and no other local server can answer it.
    env: { ...base, CANDOR_BUNDLE_SIGNING_KEY: keyFile, CANDOR_BUNDLE_FILE: bundleFile, CANDOR_API_URL: `http://127.0.0.1:${await freePort()}` },
    out: path.join(dir, 'dist'),
    log: () => {},
  });
  return {
    ...info,
    keyFile,
    chrome: path.join(dir, 'dist', 'chrome'),
    firefox: path.join(dir, 'dist', 'firefox'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
