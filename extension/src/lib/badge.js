// What the toolbar badge shows for a match: a pure function, so every look is unit-tested
// and the options page can draw the same legend.
//
// A grade's colours are the methodology's, carried by the bundle (the Okabe-Ito palette,
// which stays distinguishable with the common colour-vision deficiencies, each text at a
// WCAG contrast of at least 4.5:1 on its background); the letter itself always carries the
// grade, so colour is never the only signal. A letter the bundle gives no colours (a
// server from before they were part of the methodology) is drawn in a neutral grey.
import { gradePhrase } from './describe.js';
import { t } from './i18n.js';

// Light greys rather than dark ones: the toolbar icon is dark navy (icons/), and the
// browser draws the badge over its corner, so every badge colour must stand out against
// it as well as carry its text (both checked in test/unit/badge.test.js).
export const NEUTRAL_GRADE_COLOURS = { background: '#A0A0A0', text: '#000000' };
export const INSUFFICIENT_COLOURS = { background: '#C8C8C8', text: '#000000' };
export const DISCONTINUED_COLOURS = { background: '#FFFFFF', text: '#000000' };
export const NO_BADGE_COLOURS = { background: '#5F5F5F', text: '#FFFFFF' };

// Appended on meeting pages: short enough for the badge's four characters.
export const MEETING_MARK = '\u2022';
export const DISCONTINUED_MARK = '\u00d7';
export const INSUFFICIENT_MARK = '?';

export const DEFAULT_TITLE = 'Candor';

/**
 * The badge colours of a grade letter of `methodology` (the bundle's).
 * @param {string} letter
 * @param {Methodology | undefined} methodology
 * @returns {GradeColours}
 */
export function gradeColours(letter, methodology) {
  return methodology?.grades?.find((grade) => grade.letter === letter)?.colours ?? NEUTRAL_GRADE_COLOURS;
}

/**
 * Badge state for a match result ({service, meeting} from the matcher), in the colours of
 * the bundle's `methodology`.
 * Returns { text, color, textColor, title, kind } where kind is one of
 * 'none' | 'graded' | 'insufficient' | 'discontinued'.
 * @param {BadgeMatch | null | undefined} match
 * @param {Methodology | undefined} methodology
 */
export function badgeState(match, methodology) {
  const service = match?.service ?? null;
  if (!service) {
    return { kind: 'none', text: '', color: NO_BADGE_COLOURS.background, textColor: NO_BADGE_COLOURS.text, title: DEFAULT_TITLE };
  }
  const meeting = Boolean(match?.meeting);
  let kind;
  let mark;
  let colours;
  if (service.status === 'discontinued') {
    kind = 'discontinued';
    mark = DISCONTINUED_MARK;
    colours = DISCONTINUED_COLOURS;
  } else if (!service.grade) {
    kind = 'insufficient';
    mark = INSUFFICIENT_MARK;
    colours = INSUFFICIENT_COLOURS;
  } else {
    kind = 'graded';
    mark = service.grade;
    colours = gradeColours(service.grade, methodology);
  }
  const what = gradePhrase(service);
  return {
    kind,
    text: mark + (meeting ? MEETING_MARK : ''),
    color: colours.background,
    textColor: colours.text,
    title: meeting ? t('badge_title_meeting', service.name, what) : t('badge_title', service.name, what),
  };
}

/**
 * WCAG 2 contrast ratio of two #RRGGBB colours.
 * @param {string} a
 * @param {string} b
 */
export function contrastRatio(a, b) {
  const luminance = (/** @type {string} */ hex) => {
    const [r, g, b2] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
    const lin = (/** @type {number} */ c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b2);
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * #RRGGBB to the [r, g, b, 255] array that action.getBadgeBackgroundColor returns.
 * @param {string} hex
 */
export function hexToRgba(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).concat(255);
}
