// Badge looks: a pure function of the match result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  badgeState, contrastRatio, DISCONTINUED_COLOURS, GRADE_COLOURS, hexToRgba, INSUFFICIENT_COLOURS,
} from '../../src/lib/badge.js';
import { gradePhrase, levelLabel, meetingMessage, staleWarning, statusLine } from '../../src/lib/describe.js';

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
  assert.equal(badgeState({ service: service({ status: 'discontinued', grade: null, score: null }) }).title, 'Candor: Zoom \u2014 discontinued');
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

test('every colour pair has at least 4.5:1 contrast and the grades are distinct', () => {
  const pairs = [...Object.values(GRADE_COLOURS), INSUFFICIENT_COLOURS, DISCONTINUED_COLOURS];
  for (const { background, text } of pairs) {
    assert.ok(contrastRatio(background, text) >= 4.5, `${text} on ${background}: ${contrastRatio(background, text).toFixed(2)}`);
  }
  assert.equal(new Set(pairs.map((p) => p.background)).size, pairs.length);
  assert.deepEqual(hexToRgba('#56B4E9'), [86, 180, 233, 255]);
});

test('the meeting notification says what is missing or present', () => {
  const criteria = (t, e) => [{ id: 'transparency_report', level: t }, { id: 'e2ee_calls', level: e }];
  assert.equal(
    meetingMessage(service({ grade: 'C', score: 60, criteria: criteria('none', 'partial') })),
    'Zoom: grade C. No transparency report; end-to-end encryption covers only some calls, plans or settings.',
  );
  assert.equal(
    meetingMessage(service({ grade: 'A', score: 90, criteria: criteria('full', 'full') })),
    'Zoom: grade A. Publishes a transparency report; end-to-end encryption is on by default for every call.',
  );
  assert.equal(
    meetingMessage(service({ grade: null, score: null, criteria: criteria('no_disclosure', 'not_applicable') })),
    'Zoom: review in progress, no grade yet. Discloses nothing about government demands.',
  );
  assert.equal(meetingMessage(service({ criteria: [] })), 'Zoom: grade B.');
  assert.equal(gradePhrase(service({ status: 'discontinued', grade: null })), 'discontinued, no grade');
  const methodology = { level_labels: { no_disclosure: 'Not disclosed', not_assessed: 'Not assessed yet' } };
  assert.equal(levelLabel('no_disclosure', methodology), 'Not disclosed');
  assert.equal(levelLabel('not_assessed', methodology), 'Not assessed yet');
  assert.equal(levelLabel('made_up', methodology), 'made_up');
});

test('the popup status line and stale warning', () => {
  assert.equal(statusLine(service()), 'Active \u00b7 grade B (score 72)');
  assert.equal(statusLine(service({ grade: null, score: null })), 'Active \u00b7 review in progress, no grade yet');
  assert.equal(statusLine(service({ status: 'discontinued', grade: 'D', score: 41 })), 'Discontinued \u00b7 last grade D (score 41)');
  assert.equal(statusLine(service({ status: 'discontinued', grade: null, score: null })), 'Discontinued \u00b7 no grade');
  assert.equal(staleWarning(service({ stale: false })), null);
  assert.match(staleWarning(service({ stale: true, reviewed_on: '2024-01-02' })), /2024-01-02.*out of date/);
});
