// Badge looks and wording: pure functions of the match result, in the browser's language.
// Also the toolbar icon: a mark that every badge colour stands out against.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { installFakeExtension } from '../support/fake-ext.js';

installFakeExtension();
const {
  badgeState, contrastRatio, DISCONTINUED_COLOURS, GRADE_COLOURS, hexToRgba, INSUFFICIENT_COLOURS,
} = await import('../../src/lib/badge.js');
const { gradePhrase, levelLabel, meetingMessage, staleWarning, statusLine } = await import('../../src/lib/describe.js');
const { drawIcon, ICON_BACKGROUND, ICON_MARK, ICON_SIZES } = await import('../../scripts/icons.mjs');

const service = (over = {}) => ({
  slug: 'zoom', name: 'Zoom', status: 'active', grade: 'B', score: 72, criteria: [], ...over,
});

test('a graded service shows its letter, colour and a tooltip naming it', () => {
  const state = badgeState({ service: service(), meeting: false });
  assert.deepEqual(state, {
    kind: 'graded', text: 'B', color: GRADE_COLOURS.B.background, textColor: GRADE_COLOURS.B.text,
    title: 'Candor: Zoom \u2014 grade B (score 72)',
  });
});

test('a meeting page adds a dot and says so in the tooltip', () => {
  const state = badgeState({ service: service(), meeting: true });
  assert.equal(state.text, 'B\u2022');
  assert.equal(state.color, GRADE_COLOURS.B.background);
  assert.match(state.title, /grade B \(score 72\) \u2014 you are joining a meeting$/);
});

test('unrated sites get no badge', () => {
  for (const match of [null, undefined, { service: null, meeting: false }]) {
    const state = badgeState(match);
    assert.equal(state.text, '');
    assert.equal(state.kind, 'none');
    assert.equal(state.title, 'Candor');
  }
});

test('insufficient data and discontinued services have their own looks', () => {
  const insufficient = badgeState({ service: service({ grade: null, score: null }), meeting: false });
  assert.equal(insufficient.text, '?');
  assert.equal(insufficient.color, INSUFFICIENT_COLOURS.background);
  assert.equal(insufficient.title, 'Candor: Zoom \u2014 review in progress, no grade yet');
  const gone = badgeState({ service: service({ status: 'discontinued', grade: 'D', score: 41 }), meeting: true });
  assert.equal(gone.text, '\u00d7\u2022');
  assert.equal(gone.color, DISCONTINUED_COLOURS.background);
  assert.equal(gone.title, 'Candor: Zoom \u2014 discontinued, last grade D (score 41) \u2014 you are joining a meeting');
  assert.equal(badgeState({ service: service({ status: 'discontinued', grade: null, score: null }) }).title, 'Candor: Zoom \u2014 discontinued, no grade');
});

test('every badge fits in four characters', () => {
  for (const grade of ['A', 'B', 'C', 'D', 'F', null]) {
    for (const status of ['active', 'discontinued']) {
      for (const meeting of [false, true]) {
        assert.ok(badgeState({ service: service({ grade, status }), meeting }).text.length <= 4);
      }
    }
  }
});

const BADGE_PAIRS = [...Object.values(GRADE_COLOURS), INSUFFICIENT_COLOURS, DISCONTINUED_COLOURS];

test('every colour pair has at least 4.5:1 contrast and the grades are distinct', () => {
  for (const { background, text } of BADGE_PAIRS) {
    assert.ok(contrastRatio(background, text) >= 4.5, `${text} on ${background}: ${contrastRatio(background, text).toFixed(2)}`);
  }
  assert.equal(new Set(BADGE_PAIRS.map((p) => p.background)).size, BADGE_PAIRS.length);
  assert.deepEqual(hexToRgba('#56B4E9'), [86, 180, 233, 255]);
});

/** The RGBA pixels of one of our PNGs (8-bit RGBA, filter 0 rows, as png.mjs writes). */
function pixels(png, size) {
  const length = png.readUInt32BE(33);
  const raw = inflateSync(png.subarray(41, 41 + length));
  const rows = [];
  for (let y = 0; y < size; y++) rows.push(raw.subarray(y * (size * 4 + 1) + 1, (y + 1) * (size * 4 + 1)));
  return rows;
}

const hex = ([r, g, b]) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`.toUpperCase();

test('the icon is a mark, not a letter, and every badge colour stands out against it', () => {
  for (const size of ICON_SIZES) {
    const rows = pixels(drawIcon(size), size);
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
    const [dominant] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    assert.equal(dominant, ICON_BACKGROUND, `${size}px: the dominant colour is the background`);
    // A "C" (or any letter but a few) is not mirror-symmetric; the eye is.
    assert.ok(symmetric / opaque > 0.9, `${size}px: mirror symmetry ${(symmetric / opaque).toFixed(2)}`);
    // Legible at 16 px: the mark (pixels at 3:1 or more against the background, whatever
    // their antialiasing) covers a real share of the icon.
    const mark = [...counts.entries()].filter(([c]) => contrastRatio(c, ICON_BACKGROUND) >= 3).reduce((n, [, k]) => n + k, 0);
    assert.ok(mark / opaque > 0.15, `${size}px: the mark covers ${((100 * mark) / opaque).toFixed(0)}%`);
  }
  assert.ok(contrastRatio(ICON_MARK, ICON_BACKGROUND) >= 4.5);
  // The browser draws the badge over the icon's corner: WCAG's 3:1 for graphics, at least.
  for (const { background } of BADGE_PAIRS) {
    const ratio = contrastRatio(background, ICON_BACKGROUND);
    assert.ok(ratio >= 3, `badge ${background} on the icon ${ICON_BACKGROUND}: ${ratio.toFixed(2)}`);
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
