// Plain-language wording shared by the badge tooltip, the popup and the meeting
// notification, in the browser's language (src/lib/i18n.js).
import { dataWord, t } from './i18n.js';

/**
 * A level in the methodology's words (the bundle's, or the locale's translation).
 * @param {string} level
 * @param {Pick<Methodology, 'level_labels'> | undefined} methodology
 */
export function levelLabel(level, methodology) {
  return dataWord(`level_${level}`, methodology?.level_labels?.[level] ?? level);
}

/**
 * What a grade letter means on the methodology's scale, or null.
 * @param {string} letter
 * @param {{ grades: Pick<Grade, 'letter' | 'meaning'>[] } | undefined} methodology
 */
export function gradeMeaning(letter, methodology) {
  const meaning = methodology?.grades?.find((g) => g.letter === letter)?.meaning ?? null;
  return meaning === null ? null : dataWord(`grade_meaning_${letter}`, meaning);
}

/**
 * @param {Pick<Service, 'score'>} service
 */
const score = (service) => (service.score === null ? null : String(Math.round(service.score)));

/**
 * "grade B (score 72)", "review in progress, no grade yet", "discontinued, last grade D"
 * @param {Pick<Service, 'status' | 'grade' | 'score'>} service
 * @param {{ withScore?: boolean }} [options]
 */
export function gradePhrase(service, { withScore = true } = {}) {
  const points = withScore ? score(service) : null;
  if (service.status === 'discontinued') {
    if (!service.grade) return t('what_discontinued');
    return points === null ? t('what_discontinued_grade', service.grade) : t('what_discontinued_grade_score', service.grade, points);
  }
  if (!service.grade) return t('what_in_progress');
  return points === null ? t('what_grade', service.grade) : t('what_grade_score', service.grade, points);
}

/**
 * "Active · grade C (score 63)", "Discontinued · last grade D (score 41)", ...
 * @param {Pick<Service, 'status' | 'grade' | 'score'>} service
 */
export function statusLine(service) {
  if (service.status !== 'discontinued') return t('status_active', gradePhrase(service));
  const points = score(service);
  if (!service.grade) return t('status_discontinued_none');
  return points === null ? t('status_discontinued_grade', service.grade) : t('status_discontinued_grade_score', service.grade, points);
}

// The notice says what the levels of the two criteria people care most about when
// joining a call say, in the methodology's sense of each level, and nothing more: e2ee
// `partial` covers opt-in, some calls only and some plans only, so it says just that.
const FACTS = {
  transparency_report: ['full', 'partial', 'none', 'no_disclosure'],
  e2ee_calls: ['full', 'partial', 'none', 'no_disclosure'],
};

/**
 * @param {Pick<Service, 'criteria'>} service
 * @param {string} id
 */
function levelOf(service, id) {
  return service.criteria.find((criterion) => criterion.id === id)?.level;
}

/**
 * The meeting notification, e.g. "Zoom: grade C. No transparency report. End-to-end
 * encryption covers only some calls, plans or settings." A criterion that is missing, not
 * assessed or not applicable is left out.
 * @param {Pick<Service, 'name' | 'status' | 'grade' | 'score' | 'criteria'>} service
 */
export function meetingMessage(service) {
  const sentences = [t('notice_head', service.name, gradePhrase(service, { withScore: false }))];
  for (const [id, levels] of Object.entries(FACTS)) {
    const level = levelOf(service, id);
    if (level !== undefined && levels.includes(level)) sentences.push(t(`fact_${id}_${level}`));
  }
  return sentences.join(' ');
}

/**
 * Whether a review is stale, as the bundle says.
 * @param {Pick<Service, 'stale' | 'reviewed_on'>} service
 */
export function staleWarning(service) {
  return service.stale ? t('stale_warning', service.reviewed_on) : null;
}
