// The build's pure parts: manifests (least privilege), permission patterns, settings,
// and the self-written PNG and ZIP encoders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { drawIcon, ICON_SIZES } from '../../scripts/icons.mjs';
import { makeManifest } from '../../scripts/manifest.mjs';
import { createZip } from '../../scripts/zip.mjs';
import { apiPattern, domainPatterns, isCovered } from '../../src/lib/permissions.js';
import { askUrl, normaliseApiUrl, reportUrl, serviceUrl, suggestUrl, withDefaults } from '../../src/lib/settings.js';

const domains = ['zoom.us', 'zoom.com', 'meet.google.com', 'teams.microsoft.com', 'sub.zoom.us'];

test('manifests ask for the rated domains and the API origin, nothing broad', () => {
  for (const browser of ['chrome', 'firefox']) {
    const m = makeManifest({ browser, version: '1.2.3', domains, apiUrl: 'https://api.candor.example:8443/base' });
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
  }
  const chrome = makeManifest({ browser: 'chrome', version: '1', domains, apiUrl: 'http://127.0.0.1:8000' });
  assert.deepEqual(chrome.background, { service_worker: 'background.js' });
  assert.equal(chrome.browser_specific_settings, undefined);
  const firefox = makeManifest({ browser: 'firefox', version: '1', domains, apiUrl: 'http://127.0.0.1:8000' });
  assert.deepEqual(firefox.background, { scripts: ['background.js'] });
  assert.equal(firefox.browser_specific_settings.gecko.id, 'candor@candor.example');
  assert.deepEqual(firefox.browser_specific_settings.gecko.data_collection_permissions, { required: ['none'] });
  assert.throws(() => makeManifest({ browser: 'safari', version: '1', domains, apiUrl: 'http://x.example' }));
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
  assert.equal(normaliseApiUrl(' http://127.0.0.1:8000/api// '), 'http://127.0.0.1:8000/api');
  for (const bad of ['ftp://x.example', 'javascript:alert(1)', 'https://u:p@x.example', 'https://x.example/?q=1', 'https://x.example/#f', 'nope', '', null, 'x'.repeat(600)]) {
    assert.equal(normaliseApiUrl(bad), null, String(bad));
  }
  assert.deepEqual(withDefaults(undefined), { apiUrl: 'http://127.0.0.1:8000', notifications: true });
  assert.deepEqual(withDefaults({ apiUrl: 'javascript:x', notifications: 'yes' }), { apiUrl: 'http://127.0.0.1:8000', notifications: true });
  assert.equal(serviceUrl('https://c.example', 'zoom'), 'https://c.example/services/zoom');
  assert.equal(suggestUrl('https://c.example', 'a.example'), 'https://c.example/suggest?host=a.example');
  assert.equal(suggestUrl('https://c.example', null), 'https://c.example/suggest');
  assert.equal(reportUrl('https://c.example', 'zoom', 'e2ee_calls'), 'https://c.example/suggest?service=zoom&criterion=e2ee_calls');
  assert.equal(reportUrl('https://c.example', 'a&b', 'c d'), 'https://c.example/suggest?service=a%26b&criterion=c+d');
  assert.equal(askUrl('https://c.example', 'zoom'), 'https://c.example/services/zoom#ask');
});

test('icons are valid PNGs of each size', () => {
  for (const size of ICON_SIZES) {
    const png = drawIcon(size);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.readUInt32BE(16), size);
    assert.equal(png.readUInt32BE(20), size);
    const idatLength = png.readUInt32BE(33);
    assert.equal(png.toString('ascii', 37, 41), 'IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    assert.equal(raw.length, size * (size * 4 + 1));
  }
});

test('zips open with unzip and hold the same bytes', { skip: spawnSync('unzip', ['-v']).error && 'no unzip' }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'candor-zip-'));
  try {
    const files = [
      { name: 'manifest.json', data: Buffer.from('{"a":1}') },
      { name: 'icons/icon-16.png', data: drawIcon(16) },
      { name: 'empty.txt', data: Buffer.alloc(0) },
    ];
    const file = path.join(dir, 'x.zip');
    writeFileSync(file, createZip(files));
    execFileSync('unzip', ['-tq', file]);
    for (const { name, data } of files) {
      assert.deepEqual(execFileSync('unzip', ['-p', file, name]), data, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
