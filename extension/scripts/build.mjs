// npm run build: writes dist/chrome/, dist/firefox/ and dist/candor-{chrome,firefox}.zip.
//
// The snapshot of the ratings that ships inside the extension, and the host permissions
// derived from it, come from fixtures/ through the Python side (`candor bundle export`),
// so the extension and the API can never disagree about what is rated. If the export
// fails, or its output does not pass our own validator, the build stops.
//
// Environment:
//   CANDOR_API_URL      the API the extension talks to by default (http://127.0.0.1:8000)
//   CANDOR_BUNDLE_FILE  use this bundle file instead of running the export (development)
//   CANDOR_BIN          the candor command (default: <project>/.venv/bin/candor)
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidBundle, parseBundle } from '../src/lib/bundle.js';
import { normaliseApiUrl } from '../src/lib/settings.js';
import { exportBundle, ExportFailed } from './export-bundle.mjs';
import { drawIcon, ICON_SIZES } from './icons.mjs';
import { makeManifest } from './manifest.mjs';
import { createZip } from './zip.mjs';

const EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PROJECT_ROOT = path.resolve(EXTENSION_DIR, '..');
const DIST = path.join(EXTENSION_DIR, 'dist');
const PAGES = path.join(EXTENSION_DIR, 'src', 'pages');
const BROWSERS = ['chrome', 'firefox'];

function die(message) {
  console.error(`\nbuild failed: ${message}\n`);
  process.exit(1);
}

function snapshotText() {
  const file = process.env.CANDOR_BUNDLE_FILE;
  if (file) {
    console.log(`snapshot: ${file} (CANDOR_BUNDLE_FILE)`);
    return readFileSync(path.resolve(file), 'utf8');
  }
  console.log('snapshot: candor bundle export (from fixtures/)');
  try {
    return exportBundle(PROJECT_ROOT, process.env.CANDOR_BIN ? { bin: process.env.CANDOR_BIN } : {});
  } catch (error) {
    if (error instanceof ExportFailed) die(`could not export the rating bundle.\n${error.message}`);
    throw error;
  }
}

function listFiles(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  ).sort();
}

async function main() {
  const apiUrl = normaliseApiUrl(process.env.CANDOR_API_URL ?? 'http://127.0.0.1:8000');
  if (!apiUrl) die(`CANDOR_API_URL=${process.env.CANDOR_API_URL} is not an http(s) URL`);

  let snapshot;
  try {
    snapshot = parseBundle(snapshotText());
  } catch (error) {
    if (error instanceof InvalidBundle) die(`the exported bundle does not pass the extension's validator: ${error.message}`);
    throw error;
  }
  const { version } = JSON.parse(readFileSync(path.join(EXTENSION_DIR, 'package.json'), 'utf8'));
  const domains = snapshot.services.flatMap((service) => service.domains);

  rmSync(DIST, { recursive: true, force: true });
  const staging = path.join(DIST, '.staging');
  await build({
    entryPoints: {
      background: path.join(EXTENSION_DIR, 'src', 'background', 'main.js'),
      popup: path.join(PAGES, 'popup.js'),
      options: path.join(PAGES, 'options.js'),
    },
    outdir: staging,
    bundle: true,
    format: 'iife',
    target: ['chrome116', 'firefox142'],
    define: { __CANDOR_API_URL__: JSON.stringify(apiUrl) },
    // Readable output: store reviewers read it, and it is small anyway.
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const size of ICON_SIZES) {
    mkdirSync(path.join(staging, 'icons'), { recursive: true });
    writeFileSync(path.join(staging, 'icons', `icon-${size}.png`), drawIcon(size));
  }
  for (const page of ['popup.html', 'popup.css', 'options.html', 'options.css', 'common.css']) {
    cpSync(path.join(PAGES, page), path.join(staging, page));
  }
  writeFileSync(path.join(staging, 'snapshot.json'), JSON.stringify(snapshot));

  for (const browser of BROWSERS) {
    const out = path.join(DIST, browser);
    cpSync(staging, out, { recursive: true });
    const manifest = makeManifest({ browser, version, domains, apiUrl });
    writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const files = listFiles(out).map((name) => ({ name, data: readFileSync(path.join(out, name)) }));
    writeFileSync(path.join(DIST, `candor-${browser}.zip`), createZip(files));
    console.log(`${browser}: dist/${browser}/ and dist/candor-${browser}.zip (${files.length} files, ${manifest.host_permissions.length} host permissions)`);
  }
  rmSync(staging, { recursive: true, force: true });
  // For the browser tests: what this build was made with.
  writeFileSync(path.join(DIST, 'build.json'), `${JSON.stringify({ version, apiUrl, snapshotVersion: snapshot.version }, null, 2)}\n`);
  console.log(`snapshot ${snapshot.version}: ${snapshot.services.length} services; API ${apiUrl}`);
}

main().catch((error) => die(error?.stack ?? String(error)));
