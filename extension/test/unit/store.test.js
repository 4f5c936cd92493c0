// The store listing: texts in the five languages, a summary short enough for the stores,
// and the screenshots (taken by the browser tests) at a size both stores take.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXTENSION_DIR, STORE_SCREENSHOTS_DIR } from '../support/paths.js';

const STORE = path.join(EXTENSION_DIR, 'store');

test('a listing per locale, with the summary within 132 characters', () => {
  const english = readFileSync(path.join(STORE, 'listing.md'), 'utf8');
  const summary = english.split('**Summary (132 characters at most):**\n')[1].split('\n')[0];
  assert.ok(summary.length > 40 && summary.length <= 132, `${summary.length} characters`);
  for (const heading of ['## Description', '## Privacy', '## Permission justifications']) assert.ok(english.includes(heading), heading);
  // Every permission of the manifest is justified.
  for (const permission of ['storage', 'alarms', 'notifications', 'activeTab', 'host permissions', 'optional host permissions']) {
    assert.ok(english.includes(`| \`${permission}\``) || english.includes(`| ${permission}`), permission);
  }
  for (const locale of ['es', 'fr', 'de', 'pt_BR']) {
    const text = readFileSync(path.join(STORE, `listing.${locale}.md`), 'utf8');
    const messages = JSON.parse(readFileSync(path.join(EXTENSION_DIR, '_locales', locale, 'messages.json'), 'utf8'));
    assert.ok(text.includes(messages.extension_name.message), locale);
    assert.ok(text.split('\n')[4].length <= 132, `${locale} summary`);
  }
});

test('the store screenshots are 1280x800 PNGs', () => {
  for (const name of ['1-popup.png', '2-options.png', '3-onboarding.png']) {
    const png = readFileSync(path.join(STORE_SCREENSHOTS_DIR, name));
    assert.equal(png.toString('ascii', 1, 4), 'PNG', name);
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1280, 800], name);
  }
});
