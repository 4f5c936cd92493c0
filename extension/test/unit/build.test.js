// The build: production and development variants (API URL, pinned key, test hooks),
// manifests (least privilege, homepage, Firefox id, locales), the store zips made by
// web-ext build, web-ext lint, permission patterns and settings.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BuildFailed, buildExtension, DEVELOPMENT_KEY, ensureCandor, RELEASE } from '../../scripts/build.mjs';
import { makeManifest } from '../../scripts/manifest.mjs';
import { apiPattern, domainPatterns, isCovered } from '../../src/lib/permissions.js';
import { askUrl, criterionReportUrl, normaliseApiUrl, reportUrl, serviceUrl, suggestUrl, withDefaults } from '../../src/lib/settings.js';
import { loadTestBundle } from '../support/bundle.js';
import { EXTENSION_DIR } from '../support/paths.js';
import { readPng } from '../support/png.js';
import { makeSigner } from '../support/signing.js';

const domains = ['zoom.us', 'zoom.com', 'meet.google.com', 'teams.microsoft.com', 'sub.zoom.us'];
const quiet = () => {};

test('manifests ask for the rated domains and the API origin, nothing broad', () => {
  for (const browser of ['chrome', 'firefox']) {
    const m = makeManifest({ browser, version: '1.2.3', domains, apiUrl: 'https://api.candor.example:8443/base', homepageUrl: 'https://candor.example/', geckoId: RELEASE.geckoId });
    assert.equal(m.manifest_version, 3);
    assert.deepEqual(m.permissions, ['storage', 'alarms', 'notifications', 'activeTab']);
    assert.deepEqual(m.host_permissions, [
      '*://*.meet.google.com/*', '*://*.teams.microsoft.com/*', '*://*.zoom.com/*', '*://*.zoom.us/*',
      'https://api.candor.example/*',
    ]);
    const everything = JSON.stringify([m.permissions, m.host_permissions]);
    assert.ok(!/<all_urls>|"tabs"|\*:\/\/\*\/\*|webNavigation/.test(everything), everything);
    assert.deepEqual(m.optional_host_permissions, ['*://*/*']);
    assert.equal(m.content_security_policy.extension_pages, "script-src 'self'; object-src 'none'");
    assert.equal(m.homepage_url, 'https://candor.example/');
    assert.equal(m.default_locale, 'en');
    assert.equal(m.name, '__MSG_extension_name__');
  }
  const chrome = makeManifest({ browser: 'chrome', version: '1', domains, apiUrl: 'https://c.example', homepageUrl: 'https://c.example/', geckoId: RELEASE.geckoId });
  assert.deepEqual(chrome.background, { service_worker: 'background.js' });
  assert.equal(chrome.minimum_chrome_version, '137', 'WebCrypto Ed25519');
  assert.equal(chrome.browser_specific_settings, undefined);
  const firefox = makeManifest({ browser: 'firefox', version: '1', domains, apiUrl: 'https://c.example', homepageUrl: 'https://c.example/', geckoId: RELEASE.geckoId });
  assert.deepEqual(firefox.background, { scripts: ['background.js'] });
  assert.deepEqual(firefox.browser_specific_settings.gecko.data_collection_permissions, { required: ['none'] });
  assert.throws(() => makeManifest({ browser: 'safari', version: '1', domains, apiUrl: 'https://x.example' }));
});

test('the Firefox add-on id is a real, fixed one (a GUID), not a placeholder', () => {
  assert.match(RELEASE.geckoId, /^\{[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\}$/);
  assert.doesNotMatch(RELEASE.geckoId, /example/);
  assert.match(RELEASE.apiUrl, /^https:\/\//);
});

test('permission patterns and coverage', () => {
  assert.deepEqual(domainPatterns(['b.example', 'a.b.example', 'c.example', 'c.example']), ['*://*.b.example/*', '*://*.c.example/*']);
  assert.equal(apiPattern('http://127.0.0.1:8000'), 'http://127.0.0.1/*');
  const granted = ['*://*.zoom.us/*', 'https://*.webex.com/*', '*://meet.google.com/*'];
  assert.equal(isCovered('zoom.us', granted), true);
  assert.equal(isCovered('us02web.zoom.us', granted), true);
  assert.equal(isCovered('evilzoom.us', granted), false);
  assert.equal(isCovered('webex.com', granted), false, 'https only is not every page');
  assert.equal(isCovered('meet.google.com', granted), false, 'an exact host misses subdomains');
  assert.equal(isCovered('anything.example', ['*://*/*']), true);
  assert.equal(isCovered('anything.example', ['<all_urls>']), true);
});

test('API URL settings are validated and links built from them', () => {
  assert.equal(normaliseApiUrl('https://candor.example/'), 'https://candor.example');
  assert.equal(normaliseApiUrl(' http://127.0.0.1:8000/api// ', { development: true }), 'http://127.0.0.1:8000/api');
  assert.equal(normaliseApiUrl('http://127.0.0.1:8000', { development: false }), null);
  for (const bad of ['ftp://x.example', 'javascript:alert(1)', 'https://u:p@x.example', 'https://x.example/?q=1', 'https://x.example/#f', 'nope', '', null, 'x'.repeat(600), 'http://x.example']) {
    assert.equal(normaliseApiUrl(bad, { development: true }), null, String(bad));
  }
  assert.deepEqual(withDefaults(undefined), { apiUrl: 'http://127.0.0.1:8000', notifications: true });
  assert.deepEqual(withDefaults({ apiUrl: 'javascript:x', notifications: 'yes' }), { apiUrl: 'http://127.0.0.1:8000', notifications: true });
  assert.equal(serviceUrl('https://c.example', 'zoom'), 'https://c.example/services/zoom');
  assert.equal(reportUrl('https://c.example', 'zoom'), 'https://c.example/services/zoom#report');
  assert.equal(suggestUrl('https://c.example', 'a.example'), 'https://c.example/suggest?host=a.example');
  assert.equal(suggestUrl('https://c.example', null), 'https://c.example/suggest');
  assert.equal(criterionReportUrl('https://c.example', 'zoom', 'e2ee_calls'), 'https://c.example/suggest?service=zoom&criterion=e2ee_calls');
  assert.equal(criterionReportUrl('https://c.example', 'a&b', 'c d'), 'https://c.example/suggest?service=a%26b&criterion=c+d');
  assert.equal(askUrl('https://c.example', 'zoom'), 'https://c.example/services/zoom#ask');
});

test('every icon the manifest names is a committed PNG of that size', () => {
  const manifest = makeManifest({ browser: 'chrome', version: '1', domains, apiUrl: 'https://c.example', homepageUrl: 'https://c.example/', geckoId: RELEASE.geckoId });
  for (const [size, file] of Object.entries(manifest.icons)) {
    const png = readPng(path.join(EXTENSION_DIR, file));
    assert.deepEqual([png.width, png.height], [Number(size), Number(size)], file);
  }
  assert.deepEqual(manifest.action.default_icon, manifest.icons);
});

test('from a fresh clone, the build makes the Python environment itself (make setup)', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'candor-clone-'));
  try {
    const calls = [];
    const bin = ensureCandor({}, quiet, {
      root,
      run: (command, args) => {
        calls.push([command, ...args]);
        mkdirSync(path.join(root, '.venv', 'bin'), { recursive: true });
        writeFileSync(path.join(root, '.venv', 'bin', 'candor'), '');
        return { status: 0 };
      },
    });
    assert.deepEqual(calls, [['make', '-C', root, 'setup']]);
    assert.equal(bin, path.join(root, '.venv', 'bin', 'candor'));
    // Once there, nothing is run again.
    assert.equal(ensureCandor({}, quiet, { root, run: () => assert.fail('ran make again') }), bin);
    rmSync(path.join(root, '.venv'), { recursive: true });
    assert.throws(() => ensureCandor({}, quiet, { root, run: () => ({ status: 2 }) }), (e) => e instanceof BuildFailed && /make setup.*exit 2/.test(e.message));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

describe('production and development builds', { timeout: 180_000 }, () => {
  let dir;
  let env;
  let signer;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'candor-build-'));
    const bundleFile = path.join(dir, 'bundle.json');
    writeFileSync(bundleFile, JSON.stringify(loadTestBundle()));
    signer = await makeSigner();
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CANDOR_')));
    env = { ...base, CANDOR_BUNDLE_FILE: bundleFile };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const built = (out, file) => readFileSync(path.join(out, file), 'utf8');

  test('a production build: https API, the pinned key, no test hooks, store zips, lint clean', async () => {
    const out = path.join(dir, 'production');
    const result = await buildExtension({ mode: 'production', env: { ...env, CANDOR_BUNDLE_PUBLIC_KEY: signer.publicKey }, out, log: quiet });
    assert.equal(result.apiUrl, RELEASE.apiUrl);
    for (const browser of ['chrome', 'firefox']) {
      const root = path.join(out, browser);
      const background = built(root, 'background.js');
      assert.ok(background.includes(JSON.stringify(signer.publicKey)), 'the key is pinned');
      assert.ok(background.includes(JSON.stringify(RELEASE.apiUrl)));
      assert.doesNotMatch(background, /candorDevelopment|globalThis\.candor\b/, 'no test hook in production');
      assert.doesNotMatch(background, /127\.0\.0\.1:8000/, 'no development API address');
      const manifest = JSON.parse(built(root, 'manifest.json'));
      assert.ok(!manifest.host_permissions.some((p) => p.startsWith('http://')), JSON.stringify(manifest.host_permissions));
      assert.ok(manifest.host_permissions.includes(apiPattern(RELEASE.apiUrl)));
      for (const page of ['popup.html', 'options.html', 'welcome.html', 'privacy.html', 'images/pin-chrome.svg', 'images/pin-firefox.svg', '_locales/pt_BR/messages.json']) {
        assert.ok(existsSync(path.join(root, page)), page);
      }
      for (const icon of Object.values(JSON.parse(built(root, 'manifest.json')).icons)) {
        assert.ok(readFileSync(path.join(root, icon)).equals(readFileSync(path.join(EXTENSION_DIR, icon))), icon);
      }
      // The store zip holds exactly the built folder.
      const listing = execFileSync('unzip', ['-Z1', result.made[browser].zip], { encoding: 'utf8' }).trim().split('\n').sort();
      const files = [];
      const walk = (d, prefix = '') => readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name), `${prefix}${e.name}/`) : files.push(`${prefix}${e.name}`)));
      walk(root);
      assert.deepEqual(listing.filter((f) => !f.endsWith('/')), files.sort());
    }
    assert.equal(JSON.parse(built(path.join(out, 'firefox'), 'manifest.json')).browser_specific_settings.gecko.id, RELEASE.geckoId);
    const lint = spawnSync(path.join(EXTENSION_DIR, 'node_modules', '.bin', 'web-ext'), ['lint', '--source-dir', path.join(out, 'firefox'), '--warnings-as-errors', '--output', 'json'], { encoding: 'utf8' });
    const report = JSON.parse(lint.stdout);
    assert.equal(report.count, 0, JSON.stringify([...report.errors, ...report.warnings, ...report.notices].map((m) => `${m.code}: ${m.message} ${m.file ?? ''}`)));
    assert.equal(lint.status, 0);
  });

  test('a development build may use a local http API and keeps the test hook', async () => {
    const out = path.join(dir, 'development');
    const result = await buildExtension({ mode: 'development', env, out, log: quiet });
    assert.equal(result.apiUrl, 'http://127.0.0.1:8000');
    assert.equal(result.publicKey, DEVELOPMENT_KEY);
    const background = built(path.join(out, 'chrome'), 'background.js');
    assert.match(background, /candorDevelopment/);
  });

  test('a production build refuses http, a missing key and the development key', async () => {
    const attempt = (extra) => buildExtension({ mode: 'production', env: { ...env, ...extra }, out: path.join(dir, 'refused'), log: quiet });
    await assert.rejects(attempt({ CANDOR_API_URL: 'http://api.candor.example', CANDOR_BUNDLE_PUBLIC_KEY: signer.publicKey }), (e) => e instanceof BuildFailed && /https/.test(e.message));
    await assert.rejects(attempt({ CANDOR_API_URL: 'http://127.0.0.1:8000', CANDOR_BUNDLE_PUBLIC_KEY: signer.publicKey }), BuildFailed);
    if (!RELEASE.bundlePublicKey) {
      await assert.rejects(attempt({}), (e) => e instanceof BuildFailed && /CANDOR_BUNDLE_PUBLIC_KEY/.test(e.message));
    }
    await assert.rejects(attempt({ CANDOR_BUNDLE_PUBLIC_KEY: DEVELOPMENT_KEY }), (e) => e instanceof BuildFailed && /development key/.test(e.message));
    await assert.rejects(attempt({ CANDOR_BUNDLE_PUBLIC_KEY: 'c2hvcnQ=' }), (e) => e instanceof BuildFailed && /32 bytes/.test(e.message));
  });
});
