// npm run build (production) / npm run build:dev (development): writes <out>/chrome/,
// <out>/firefox/ and their store zips <out>/candor-chrome.zip, <out>/candor-firefox.zip
// (made by web-ext build). <out> is dist/ unless CANDOR_BUILD_OUT says otherwise.
//
// The snapshot of the ratings that ships inside the extension, and the host permissions
// derived from it, come from fixtures/ through the Python side (`candor bundle export`),
// so the extension and the API can never disagree about what is rated. Without the
// project's Python environment the build makes it first (`make setup`). If the export
// fails, or its output does not pass our own validator, the build stops.
//
// production: CANDOR_API_URL (https only; default release.json's apiUrl, the project's
//   public origin); the bundle key from CANDOR_BUNDLE_PUBLIC_KEY, else the public half of
//   CANDOR_BUNDLE_SIGNING_KEY, else release.json; never the development key; no test hooks.
// development: CANDOR_API_URL may be http on this machine (default http://127.0.0.1:8000);
//   the key as above, else dev-key/development.pub (what `make run` signs with).
// Other settings: CANDOR_BUNDLE_FILE (use this bundle file instead of the export),
//   CANDOR_BIN (the candor command, default <project>/.venv/bin/candor).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import webExt from 'web-ext';
import { InvalidBundle, parseBundle } from '../src/lib/bundle.js';
import { normaliseApiUrl } from '../src/lib/settings.js';
import { decodeBase64 } from '../src/lib/trust.js';
import { exportBundle, ExportFailed } from './export-bundle.mjs';
import { makeManifest } from './manifest.mjs';

export const EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PROJECT_ROOT = path.resolve(EXTENSION_DIR, '..');
const PAGES = path.join(EXTENSION_DIR, 'src', 'pages');
const BROWSERS = ['chrome', 'firefox'];
const PAGE_FILES = [
  'popup.html', 'popup.css', 'options.html', 'options.css', 'welcome.html', 'privacy.html', 'pages.css', 'common.css',
];
export const DEVELOPMENT_KEY = readFileSync(path.join(EXTENSION_DIR, 'dev-key', 'development.pub'), 'utf8').trim();
export const RELEASE = JSON.parse(readFileSync(path.join(EXTENSION_DIR, 'release.json'), 'utf8'));

export class BuildFailed extends Error {}

/**
 * The candor command of the project's Python environment, made with `make setup` when a
 * fresh clone lacks it. `run` and `root` are there for the tests.
 */
export function ensureCandor(env, log, { root = PROJECT_ROOT, run = spawnSync } = {}) {
  const bin = env.CANDOR_BIN ?? path.join(root, '.venv', 'bin', 'candor');
  if (existsSync(bin) || env.CANDOR_BIN) return bin;
  log(`${bin} not found: making the project's Python environment (make setup)`);
  const made = run('make', ['-C', root, 'setup'], { stdio: 'inherit', env });
  if (made.error || made.status !== 0 || !existsSync(bin)) {
    throw new BuildFailed(`could not make the Python environment with \`make setup\` in ${root}; it needs Python 3.11+ (${made.error?.message ?? `exit ${made.status}`})`);
  }
  return bin;
}

function snapshotText(env, log) {
  if (env.CANDOR_BUNDLE_FILE) {
    log(`snapshot: ${env.CANDOR_BUNDLE_FILE} (CANDOR_BUNDLE_FILE)`);
    return readFileSync(path.resolve(env.CANDOR_BUNDLE_FILE), 'utf8');
  }
  log('snapshot: candor bundle export (from fixtures/)');
  try {
    return exportBundle(PROJECT_ROOT, { bin: ensureCandor(env, log), env });
  } catch (error) {
    if (error instanceof ExportFailed) throw new BuildFailed(`could not export the rating bundle.\n${error.message}`);
    throw error;
  }
}

function publicKey(mode, env, log) {
  let key = env.CANDOR_BUNDLE_PUBLIC_KEY?.trim() || null;
  let from = 'CANDOR_BUNDLE_PUBLIC_KEY';
  if (!key && env.CANDOR_BUNDLE_SIGNING_KEY) {
    const result = spawnSync(ensureCandor(env, log), ['bundle', 'public-key'], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new BuildFailed(`candor bundle public-key failed: ${result.stderr.trim()}`);
    key = result.stdout.trim();
    from = 'CANDOR_BUNDLE_SIGNING_KEY';
  }
  if (!key && mode === 'production' && RELEASE.bundlePublicKey) [key, from] = [RELEASE.bundlePublicKey, 'release.json'];
  if (!key && mode === 'development') [key, from] = [DEVELOPMENT_KEY, 'dev-key/development.pub'];
  if (!key) {
    throw new BuildFailed(
      'a production build pins the public key the API signs its bundle with: set CANDOR_BUNDLE_PUBLIC_KEY ' +
        '(the output of `candor bundle public-key`), or CANDOR_BUNDLE_SIGNING_KEY, or release.json\'s bundlePublicKey; ' +
        'for a local build use `npm run build:dev`',
    );
  }
  if (decodeBase64(key)?.length !== 32) throw new BuildFailed(`the bundle public key from ${from} is not 32 bytes of base64`);
  if (mode === 'production' && key === DEVELOPMENT_KEY) throw new BuildFailed('a production build may not pin the development key (dev-key/)');
  log(`bundle key: ${from}`);
  return key;
}

/**
 * Build both browsers' extensions into `out`. Returns what it made. Throws BuildFailed
 * with the reason.
 */
export async function buildExtension({ mode = 'production', env = process.env, out = path.join(EXTENSION_DIR, 'dist'), log = console.log } = {}) {
  if (!['production', 'development'].includes(mode)) throw new BuildFailed(`unknown build mode ${mode}`);
  const development = mode === 'development';
  const requested = env.CANDOR_API_URL ?? (development ? 'http://127.0.0.1:8000' : RELEASE.apiUrl);
  const apiUrl = normaliseApiUrl(requested, { development });
  if (!apiUrl) {
    throw new BuildFailed(`CANDOR_API_URL=${requested} is not acceptable: ${development ? 'https, or http on localhost' : 'a production build needs an https URL'}`);
  }
  const key = publicKey(mode, env, log);
  let snapshot;
  try {
    snapshot = parseBundle(snapshotText(env, log));
  } catch (error) {
    if (error instanceof InvalidBundle) throw new BuildFailed(`the exported bundle does not pass the extension's validator: ${error.message}`);
    throw error;
  }
  const { version } = JSON.parse(readFileSync(path.join(EXTENSION_DIR, 'package.json'), 'utf8'));
  const domains = snapshot.services.flatMap((service) => service.domains);

  rmSync(out, { recursive: true, force: true });
  const staging = path.join(out, '.staging');
  await build({
    entryPoints: {
      background: path.join(EXTENSION_DIR, 'src', 'background', 'main.js'),
      popup: path.join(PAGES, 'popup.js'),
      options: path.join(PAGES, 'options.js'),
      welcome: path.join(PAGES, 'welcome.js'),
      privacy: path.join(PAGES, 'privacy.js'),
    },
    outdir: staging,
    bundle: true,
    format: 'iife',
    target: ['chrome137', 'firefox142'],
    define: {
      __CANDOR_API_URL__: JSON.stringify(apiUrl),
      __CANDOR_PUBLIC_KEY__: JSON.stringify(key),
      __CANDOR_DEVELOPMENT__: JSON.stringify(development),
    },
    // Readable output: store reviewers read it, and it is small anyway. Syntax
    // minification only folds constants, so `if (DEVELOPMENT)` blocks leave production.
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  cpSync(path.join(EXTENSION_DIR, 'icons'), path.join(staging, 'icons'), { recursive: true });
  for (const page of PAGE_FILES) cpSync(path.join(PAGES, page), path.join(staging, page));
  cpSync(path.join(PAGES, 'images'), path.join(staging, 'images'), { recursive: true });
  cpSync(path.join(EXTENSION_DIR, '_locales'), path.join(staging, '_locales'), { recursive: true });
  writeFileSync(path.join(staging, 'snapshot.json'), JSON.stringify(snapshot));

  const made = {};
  for (const browser of BROWSERS) {
    const dir = path.join(out, browser);
    cpSync(staging, dir, { recursive: true });
    const manifest = makeManifest({ browser, version, domains, apiUrl, homepageUrl: RELEASE.homepageUrl, geckoId: RELEASE.geckoId });
    writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const filename = `candor-${browser}.zip`;
    await webExt.cmd.build(
      { sourceDir: dir, artifactsDir: out, filename, overwriteDest: true },
      { shouldExitProgram: false, showReadyMessage: false },
    );
    made[browser] = { dir, zip: path.join(out, filename), hostPermissions: manifest.host_permissions.length };
    log(`${browser}: ${path.relative(process.cwd(), dir)}/ and ${filename} (${manifest.host_permissions.length} host permissions)`);
  }
  rmSync(staging, { recursive: true, force: true });
  // For the tests: what this build was made with.
  const info = { mode, version, apiUrl, publicKey: key, snapshotVersion: snapshot.version };
  writeFileSync(path.join(out, 'build.json'), `${JSON.stringify(info, null, 2)}\n`);
  log(`${mode} build, snapshot ${snapshot.version}: ${snapshot.services.length} services; API ${apiUrl}`);
  return { ...info, out, made };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv.includes('--development') ? 'development' : 'production';
  const out = process.env.CANDOR_BUILD_OUT ? path.resolve(process.env.CANDOR_BUILD_OUT) : undefined;
  buildExtension({ mode, out }).catch((error) => {
    console.error(`\nbuild failed: ${error instanceof BuildFailed ? error.message : error?.stack ?? error}\n`);
    process.exit(1);
  });
}
