// Badge looks and wording: pure functions of the match result, in the browser's language.
// Also the toolbar icon: a mark that every badge colour stands out against.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { installFakeExtension } from '../support/fake-ext.js';
import { loadTestBundle } from '../support/bundle.js';
import { EXTENSION_DIR } from '../support/paths.js';
import { readPng } from '../support/png.js';

installFakeExtension();
const {
  badgeState, contrastRatio, DISCONTINUED_COLOURS, hexToRgba, INSUFFICIENT_COLOURS, NEUTRAL_GRADE_COLOURS,
} = await import('../../src/lib/badge.js');
const { gradeMeaning, gradePhrase, levelLabel, meetingMessage, staleWarning, statusLine } = await import('../../src/lib/describe.js');
const { validateBundle } = await import('../../src/lib/bundle.js');

// The methodology's grades and their colours, as the bundle exported from fixtures/ carries them.
const { methodology } = loadTestBundle();
const GRADE_COLOURS = Object.fromEntries(methodology.grades.map((g) => [g.letter, g.colours]));
const ICON_SIZES = [16, 32, 48, 128];

const service = (over = {}) => ({
  slug: 'zoom', name: 'Zoom', status: 'active', grade: 'B', score: 72, criteria: [], ...over,
});

test('a graded service shows its letter, colour and a tooltip naming it', () => {
  const state = badgeState({ service: service(), meeting: false }, methodology);
  assert.deepEqual(state, {
    kind: 'graded', text: 'B', color: GRADE_COLOURS.B.background, textColor: GRADE_COLOURS.B.text,
    title: 'Candor: Zoom \u2014 grade B (score 72)',
  });
});

test('a meeting page adds a dot and says so in the tooltip', () => {
  const state = badgeState({ service: service(), meeting: true }, methodology);
  assert.equal(state.text, 'B\u2022');
  assert.equal(state.color, GRADE_COLOURS.B.background);
  assert.match(state.title, /grade B \(score 72\) \u2014 you are joining a meeting$/);
});

test('unrated sites get no badge', () => {
  for (const match of [null, undefined, { service: null, meeting: false }]) {
    const state = badgeState(match, methodology);
    assert.equal(state.text, '');
    assert.equal(state.kind, 'none');
    assert.equal(state.title, 'Candor');
  }
});

test('insufficient data and discontinued services have their own looks', () => {
  const insufficient = badgeState({ service: service({ grade: null, score: null }), meeting: false }, methodology);
  assert.equal(insufficient.text, '?');
  assert.equal(insufficient.color, INSUFFICIENT_COLOURS.background);
  assert.equal(insufficient.title, 'Candor: Zoom \u2014 review in progress, no grade yet');
  const gone = badgeState({ service: service({ status: 'discontinued', grade: 'D', score: 41 }), meeting: true }, methodology);
  assert.equal(gone.text, '\u00d7\u2022');
  assert.equal(gone.color, DISCONTINUED_COLOURS.background);
  assert.equal(gone.title, 'Candor: Zoom \u2014 discontinued, last grade D (score 41) \u2014 you are joining a meeting');
  assert.equal(badgeState({ service: service({ status: 'discontinued', grade: null, score: null }) }, methodology).title, 'Candor: Zoom \u2014 discontinued, no grade');
});

test('every badge fits in four characters', () => {
  for (const grade of [...methodology.grades.map((g) => g.letter), null]) {
    for (const status of ['active', 'discontinued']) {
      for (const meeting of [false, true]) {
        assert.ok(badgeState({ service: service({ grade, status }), meeting }, methodology).text.length <= 4);
      }
    }
  }
});

test('a grade\'s colours are the bundle\'s; a letter without colours is neutral, still a grade', () => {
  assert.deepEqual(Object.keys(GRADE_COLOURS), ['A', 'B', 'C', 'D', 'F']);
  for (const grade of methodology.grades) {
    assert.match(grade.colours.background, /^#[0-9A-F]{6}$/);
    const state = badgeState({ service: service({ grade: grade.letter }) }, methodology);
    assert.deepEqual([state.kind, state.text, state.color, state.textColor], ['graded', grade.letter, grade.colours.background, grade.colours.text]);
  }
  // A methodology that adds a letter brings its colours with it...
  const withE = {
    ...methodology,
    grades: [...methodology.grades.slice(0, 4), { letter: 'E', min_score: 25, meaning: 'Poor.', colours: { background: '#CC79A7', text: '#000000' } }, methodology.grades[4]],
  };
  assert.equal(badgeState({ service: service({ grade: 'E' }) }, withE).color, '#CC79A7');
  // ...and one from a server that sends no colours still shows the letter, on a neutral grey.
  const bare = { ...methodology, grades: methodology.grades.map((g) => ({ ...g, colours: null })) };
  const state = badgeState({ service: service({ grade: 'B' }) }, bare);
  assert.deepEqual([state.kind, state.text, state.color, state.textColor], ['graded', 'B', NEUTRAL_GRADE_COLOURS.background, NEUTRAL_GRADE_COLOURS.text]);
});

test('the validator takes grades with and without colours, and refuses malformed ones', () => {
  const bundle = loadTestBundle();
  const withColours = validateBundle(structuredClone(bundle));
  assert.deepEqual(withColours.methodology.grades.map((g) => g.colours), methodology.grades.map((g) => g.colours));
  const old = structuredClone(bundle);
  for (const grade of old.methodology.grades) delete grade.colours;
  assert.deepEqual(validateBundle(old).methodology.grades.map((g) => g.colours), methodology.grades.map(() => null));
  for (const colours of [{ background: 'red', text: '#000000' }, { background: '#009E73' }, '#009E73', { background: '#009E73', text: '#00000' }]) {
    const bad = structuredClone(bundle);
    bad.methodology.grades[0].colours = colours;
    assert.throws(() => validateBundle(bad), /methodology\.grades\[0\]\.colours/, JSON.stringify(colours));
  }
});

const BADGE_PAIRS = [...Object.values(GRADE_COLOURS), NEUTRAL_GRADE_COLOURS, INSUFFICIENT_COLOURS, DISCONTINUED_COLOURS];

test('every colour pair has at least 4.5:1 contrast and the grades are distinct', () => {
  for (const { background, text } of BADGE_PAIRS) {
    assert.ok(contrastRatio(background, text) >= 4.5, `${text} on ${background}: ${contrastRatio(background, text).toFixed(2)}`);
  }
  assert.equal(new Set(BADGE_PAIRS.map((p) => p.background)).size, BADGE_PAIRS.length);
  assert.deepEqual(hexToRgba('#56B4E9'), [86, 180, 233, 255]);
});

const hex = ([r, g, b]) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`.toUpperCase();

test('the icon is a mark, not a letter, and every badge colour stands out against it', () => {
  let iconBackground = null;
  for (const size of ICON_SIZES) {
    const { width, height, rows } = readPng(path.join(EXTENSION_DIR, 'icons', `icon-${size}.png`));
    assert.deepEqual([width, height], [size, size]);
    const counts = new Map();
    let symmetric = 0;
    let opaque = 0;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const p = rows[y].subarray(x * 4, x * 4 + 4);
        if (p[3] !== 255) continue;
        opaque += 1;
        counts.set(hex(p), (counts.get(hex(p)) ?? 0) + 1);
        const m = rows[y].subarray((size - 1 - x) * 4, (size - x) * 4);
        if (Math.abs(m[0] - p[0]) + Math.abs(m[1] - p[1]) + Math.abs(m[2] - p[2]) < 24) symmetric += 1;
      }
    }
    // The dominant colour is the background, the same dark navy at every size.
    const [dominant] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    iconBackground ??= dominant;
    assert.equal(dominant, iconBackground, `${size}px: the dominant colour is the background`);
    // A "C" (or any letter but a few) is not mirror-symmetric; the eye is.
    assert.ok(symmetric / opaque > 0.9, `${size}px: mirror symmetry ${(symmetric / opaque).toFixed(2)}`);
    // Legible at 16 px: the mark (pixels at 3:1 or more against the background, whatever
    // their antialiasing) covers a real share of the icon.
    const mark = [...counts.entries()].filter(([c]) => contrastRatio(c, dominant) >= 3).reduce((n, [, k]) => n + k, 0);
    assert.ok(mark / opaque > 0.15, `${size}px: the mark covers ${((100 * mark) / opaque).toFixed(0)}%`);
  }
  // The browser draws the badge over the icon's corner: WCAG's 3:1 for graphics, at least.
  for (const { background } of BADGE_PAIRS) {
    const ratio = contrastRatio(background, iconBackground);
    assert.ok(ratio >= 3, `badge ${background} on the icon ${iconBackground}: ${ratio.toFixed(2)}`);
  }
});

test('the meeting notification says what the two key levels say, in sentences', () => {
  const criteria = (t, e) => [{ id: 'transparency_report', level: t }, { id: 'e2ee_calls', level: e }];
  assert.equal(
    meetingMessage(service({ grade: 'C', score: 60, criteria: criteria('none', 'partial') })),
    'Zoom: grade C. Publishes no transparency report on government demands. End-to-end encryption covers only some calls, plans or settings.',
  );
  assert.equal(
    meetingMessage(service({ grade: 'A', score: 90, criteria: criteria('full', 'full') })),
    'Zoom: grade A. Publishes a detailed transparency report on government demands. End-to-end encryption is on by default for every call.',
  );
  assert.equal(
    meetingMessage(service({ grade: null, score: null, criteria: criteria('no_disclosure', 'not_applicable') })),
    'Zoom: review in progress, no grade yet. Says nothing about government demands for user data.',
  );
  assert.equal(meetingMessage(service({ criteria: criteria('not_assessed', 'not_assessed') })), 'Zoom: grade B.');
  assert.equal(meetingMessage(service({ criteria: [] })), 'Zoom: grade B.');
  assert.equal(gradePhrase(service({ status: 'discontinued', grade: null })), 'discontinued, no grade');
  // English: the methodology's words from the bundle.
  const methodology = { level_labels: { no_disclosure: 'Not disclosed', not_assessed: 'Not assessed yet' } };
  assert.equal(levelLabel('no_disclosure', methodology), 'Not disclosed');
  assert.equal(levelLabel('not_assessed', methodology), 'Not assessed yet');
  assert.equal(levelLabel('made_up', methodology), 'made_up');
});

test('the popup status line and stale warning', () => {
  assert.equal(statusLine(service()), 'Active \u00b7 grade B (score 72)');
  assert.equal(statusLine(service({ grade: null, score: null })), 'Active \u00b7 review in progress, no grade yet');
  assert.equal(statusLine(service({ status: 'discontinued', grade: 'D', score: 41 })), 'Discontinued \u00b7 last grade D (score 41)');
  assert.equal(staleWarning(service({ stale: false })), null);
  assert.match(staleWarning(service({ stale: true, reviewed_on: '2024-01-02' })), /2024-01-02.*out of date/);
});

test('in English, level names and grade meanings are the bundle\'s words, whatever they say', () => {
  const words = {
    level_labels: { full: 'Complete', no_disclosure: 'Silent' },
    grades: [{ letter: 'E', meaning: 'Poor, but not failing.' }],
  };
  assert.equal(levelLabel('full', words), 'Complete');
  assert.equal(levelLabel('no_disclosure', words), 'Silent');
  assert.equal(gradeMeaning('E', words), 'Poor, but not failing.');
  assert.equal(gradeMeaning('Q', words), null);
});
