// Five locales through _locales: every locale has every key English has (and no other),
// the same substitutions, and every key the code and pages use exists. Bundle words
// (criteria, groups, levels, grade meanings) are the methodology's: English has none of
// its own and shows the bundle's; the other locales translate every id the methodology
// has today, keyed by id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fakeI18n, installFakeExtension, readMessages } from '../support/fake-ext.js';
import { loadTestBundle } from '../support/bundle.js';
import { EXTENSION_DIR } from '../support/paths.js';

const LOCALES = ['de', 'en', 'es', 'fr', 'pt_BR'];
const english = readMessages('en');
const substitutions = (text) => [...new Set(text.match(/\$\d/g) ?? [])].sort().join(',');
// Translations of the methodology's words, keyed by its ids.
const DATA_WORD = /^(criterion|group|level|grade_meaning)_/;

test('the five locales, and only they, are shipped', () => {
  assert.deepEqual(readdirSync(path.join(EXTENSION_DIR, '_locales')).sort(), LOCALES);
});

for (const locale of LOCALES) {
  test(`${locale}: every key, no extra key, the same substitutions, no empty text`, () => {
    const messages = readMessages(locale);
    assert.deepEqual(Object.keys(messages).filter((k) => !(k in english) && !DATA_WORD.test(k)), [], 'keys English lacks');
    assert.deepEqual(Object.keys(english).filter((k) => !(k in messages)), [], 'missing keys');
    for (const [key, { message }] of Object.entries(messages)) {
      assert.ok(message.trim(), `${key} is empty`);
      assert.equal(substitutions(message), DATA_WORD.test(key) ? '' : substitutions(english[key].message), `${key}: substitutions`);
      assert.match(key, /^[a-zA-Z0-9_]+$/, 'a valid message name');
    }
  });
}

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : /\.(js|html)$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

test('every message the code and the pages name exists in English', () => {
  const used = new Set();
  for (const file of sources(path.join(EXTENSION_DIR, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/data-i18n="([^"]+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/data-i18n-attr="([^"]+)"/g)) m[1].split(/\s+/).forEach((pair) => used.add(pair.split(':')[1]));
    // Every string literal shaped like a message name of ours, inside or outside t().
    for (const m of text.matchAll(/'((?:badge|what|status|notice|fact|stale|source|period|popup|options|rejected|legend|welcome|privacy)_[a-z0-9_]+)'/g)) used.add(m[1]);
  }
  const missing = [...used].filter((key) => !(key in english));
  assert.deepEqual(missing, []);
  assert.ok(used.size > 100, `found ${used.size} keys: the scan works`);
  // Families built at run time.
  for (const id of ['transparency_report', 'e2ee_calls']) {
    for (const level of ['full', 'partial', 'none', 'no_disclosure']) assert.ok(`fact_${id}_${level}` in english);
  }
  for (const reason of ['unsigned', 'signature', 'rollback', 'mass_drop']) assert.ok(`rejected_${reason}` in english);
});

test('every criterion, group, level and grade of the methodology has words in every locale', () => {
  const { methodology } = loadTestBundle();
  const keys = [
    ...methodology.criteria.map((c) => `criterion_${c.id}`),
    ...methodology.groups.map((g) => `group_${g.id}`),
    ...methodology.levels.map((l) => `level_${l}`),
    ...methodology.grades.map((g) => `grade_meaning_${g.letter}`),
  ];
  for (const locale of LOCALES.filter((l) => l !== 'en')) {
    const messages = readMessages(locale);
    assert.deepEqual(keys.filter((k) => !(k in messages)), [], locale);
  }
  // English is the methodology's own words, from the bundle: no second copy to drift.
  assert.deepEqual(Object.keys(english).filter((k) => DATA_WORD.test(k)), []);
});

test('in another language, the popup words come from the locale; unknown ids fall back to the bundle', async () => {
  installFakeExtension({ locale: 'de' });
  const { criterionName, dataWord, t } = await import(`../../src/lib/i18n.js?de`);
  const { levelLabel, statusLine, meetingMessage } = await import(`../../src/lib/describe.js?de`);
  assert.equal(criterionName({ id: 'e2ee_calls', name: 'End-to-end encryption of calls' }), 'Ende-zu-Ende-Verschlüsselung von Anrufen');
  assert.equal(criterionName({ id: 'brand_new', name: 'A criterion added later' }), 'A criterion added later');
  assert.equal(levelLabel('no_disclosure', { level_labels: { no_disclosure: 'Not disclosed' } }), 'Nicht offengelegt');
  assert.equal(dataWord('grade_meaning_E', 'Poor.'), 'Poor.');
  assert.equal(t('popup_reviewed', '2026-11-30'), 'Geprüft am 2026-11-30');
  assert.equal(fakeI18n('fr').getMessage('badge_title', ['Zoom', 'note B']), 'Candor : Zoom — note B');
  // Whichever module instance the fake is read by, the words are German.
  assert.match(statusLine({ status: 'active', grade: 'B', score: 70 }), /^Aktiv/);
  assert.match(meetingMessage({ name: 'Zoom', status: 'active', grade: 'C', score: 60, criteria: [{ id: 'e2ee_calls', level: 'partial' }] }), /Ende-zu-Ende-Verschlüsselung gilt nur/);
});
