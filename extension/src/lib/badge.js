// What the toolbar badge shows for a match: a pure function, so every look is unit-tested
// and the options page can draw the same legend.
//
// Colours follow the Okabe-Ito palette, which stays distinguishable with the common
// colour-vision deficiencies; the letter itself always carries the grade, so colour is
// never the only signal. Each background is paired with the text colour that gives a
// WCAG contrast of at least 4.5:1 (checked in test/unit/badge.test.js).

export const GRADE_COLOURS = {
  A: { background: '#009E73', text: '#000000' }, // bluish green
  B: { background: '#56B4E9', text: '#000000' }, // sky blue
  C: { background: '#F0E442', text: '#000000' }, // yellow
  D: { background: '#E69F00', text: '#000000' }, // orange
  F: { background: '#D55E00', text: '#000000' }, // vermillion
};
export const INSUFFICIENT_COLOURS = { background: '#5F5F5F', text: '#FFFFFF' };
export const DISCONTINUED_COLOURS = { background: '#1A1A1A', text: '#FFFFFF' };
export const NO_BADGE_COLOURS = { background: '#5F5F5F', text: '#FFFFFF' };

// Appended on meeting pages: short enough for the badge's four characters.
export const MEETING_MARK = '\u2022';
export const DISCONTINUED_MARK = '\u00d7';
export const INSUFFICIENT_MARK = '?';

export const DEFAULT_TITLE = 'Candor';

function scorePart(service) {
  return service.score === null ? '' : ` (score ${Math.round(service.score)})`;
}

/**
 * Badge state for a match result ({service, meeting} from the matcher).
 * Returns { text, color, textColor, title, kind } where kind is one of
 * 'none' | 'graded' | 'insufficient' | 'discontinued'.
 */
export function badgeState(match) {
  const service = match?.service ?? null;
  if (!service) {
    return { kind: 'none', text: '', color: NO_BADGE_COLOURS.background, textColor: NO_BADGE_COLOURS.text, title: DEFAULT_TITLE };
  }
  const meeting = Boolean(match.meeting);
  const suffix = meeting ? MEETING_MARK : '';
  const meetingNote = meeting ? ' \u2014 you are joining a meeting' : '';
  let kind;
  let mark;
  let colours;
  let what;
  if (service.status === 'discontinued') {
    kind = 'discontinued';
    mark = DISCONTINUED_MARK;
    colours = DISCONTINUED_COLOURS;
    what = service.grade ? `discontinued, last grade ${service.grade}${scorePart(service)}` : 'discontinued';
  } else if (service.grade === null || !GRADE_COLOURS[service.grade]) {
    kind = 'insufficient';
    mark = INSUFFICIENT_MARK;
    colours = INSUFFICIENT_COLOURS;
    what = 'review in progress, no grade yet';
  } else {
    kind = 'graded';
    mark = service.grade;
    colours = GRADE_COLOURS[service.grade];
    what = `grade ${service.grade}${scorePart(service)}`;
  }
  return {
    kind,
    text: mark + suffix,
    color: colours.background,
    textColor: colours.text,
    title: `Candor: ${service.name} \u2014 ${what}${meetingNote}`,
  };
}

/** WCAG 2 contrast ratio of two #RRGGBB colours. */
export function contrastRatio(a, b) {
  const luminance = (hex) => {
    const [r, g, b2] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
    const lin = (c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b2);
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** #RRGGBB to the [r, g, b, 255] array that action.getBadgeBackgroundColor returns. */
export function hexToRgba(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).concat(255);
}
