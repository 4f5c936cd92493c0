// Plain-language wording shared by the popup and the meeting notification.

/**
 * A level in the methodology's words, which the bundle carries (one vocabulary for the
 * API, the pages and the extension); the level's id when the bundle has no word for it.
 */
export function levelLabel(level, methodology) {
  return methodology?.level_labels?.[level] ?? level;
}

/** What a grade letter means on the methodology's scale, or null. */
export function gradeMeaning(letter, methodology) {
  return methodology?.grades?.find((g) => g.letter === letter)?.meaning ?? null;
}

/** "grade B (score 72)", "review in progress, no grade yet", "discontinued (...)" */
export function gradePhrase(service, { withScore = true } = {}) {
  const score = service.score === null || !withScore ? '' : ` (score ${Math.round(service.score)})`;
  const graded = service.grade ? `grade ${service.grade}${score}` : 'review in progress, no grade yet';
  return service.status === 'discontinued' ? `discontinued, ${service.grade ? `last ${graded}` : 'no grade'}` : graded;
}

/** "Active · grade C (score 63)", "Discontinued · last grade D (score 41)", ... */
export function statusLine(service) {
  if (service.status !== 'discontinued') return `Active \u00b7 ${gradePhrase(service)}`;
  const score = service.score === null ? '' : ` (score ${Math.round(service.score)})`;
  return `Discontinued \u00b7 ${service.grade ? `last grade ${service.grade}${score}` : 'no grade'}`;
}

// What the two criteria people care most about when joining a call say, by level.
const TRANSPARENCY = {
  full: 'Publishes a transparency report',
  partial: 'Publishes a limited transparency report',
  none: 'No transparency report',
  no_disclosure: 'Discloses nothing about government demands',
};
// The methodology's level definitions for e2ee_calls: partial covers opt-in, some calls
// only and some plans only, so the notice says no more than that.
const E2EE = {
  full: 'end-to-end encryption is on by default for every call',
  partial: 'end-to-end encryption covers only some calls, plans or settings',
  none: 'no end-to-end encryption',
  no_disclosure: 'end-to-end encryption not disclosed',
};

function levelOf(service, id) {
  return service.criteria.find((criterion) => criterion.id === id)?.level;
}

/**
 * The meeting notification: "Zoom: grade C. No transparency report; end-to-end
 * encryption is off by default." Built from the levels of transparency_report and
 * e2ee_calls; a criterion that is missing or not applicable is left out.
 */
export function meetingMessage(service) {
  const facts = [TRANSPARENCY[levelOf(service, 'transparency_report')], E2EE[levelOf(service, 'e2ee_calls')]].filter(
    Boolean,
  );
  let sentence = facts.join('; ');
  if (sentence) sentence = ` ${sentence[0].toUpperCase()}${sentence.slice(1)}.`;
  return `${service.name}: ${gradePhrase(service, { withScore: false })}.${sentence}`;
}

/** Whether a review is stale, as the bundle says. */
export function staleWarning(service) {
  return service.stale ? `Last reviewed on ${service.reviewed_on}: this rating may be out of date.` : null;
}
