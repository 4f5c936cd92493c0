// The popup: the tab's service, its grade and what the grade means, the sub-scores, what
// pulls the grade down most, and each criterion's level, evidence and sources. Opened
// from the toolbar (the active tab) or as popup.html?tabId=N (from a notification, or in
// tests). Reads the same dataset as the background; sends nothing.
import { badgeState } from '../lib/badge.js';
import { gradeMeaning, levelLabel, staleWarning, statusLine } from '../lib/describe.js';
import { loadDataset } from '../lib/dataset.js';
import { losses } from '../lib/explain.js';
import { ext } from '../lib/ext.js';
import { criterionName, groupName, localisePage, t } from '../lib/i18n.js';
import { tryMatchUrl } from '../lib/matcher.js';
import { askUrl, criterionReportUrl, listUrl, methodologyUrl, reportUrl, serviceUrl, suggestUrl } from '../lib/settings.js';
import { getSettings } from '../lib/storage.js';
import { byId, clear, externalLink, h } from './dom.js';

// How many criteria "what pulls the grade down most" names.
const TOP_LOSSES = 3;

async function currentTab() {
  const requested = new URLSearchParams(location.search).get('tabId');
  if (requested !== null && /^\d+$/.test(requested)) {
    try {
      return await ext.tabs.get(Number(requested));
    } catch {
      return null;
    }
  }
  const [tab] = await ext.tabs.query({ active: true, currentWindow: true });
  return tab ?? null;
}

/**
 * @param {string} url
 */
function publisherOf(url) {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}

/**
 * @param {BadgeMatch} match
 * @param {Methodology} methodology
 */
function gradeTile(match, methodology) {
  const state = badgeState(match, methodology);
  return h(
    'div',
    { className: 'grade-tile', role: 'img', 'aria-label': state.title, style: `background:${state.color};color:${state.textColor}` },
    state.text.replace('\u2022', '') || '?',
  );
}

/**
 * @param {Source} source
 */
function sourceItem(source) {
  // Publisher and section, not a bare host: two sources on one site read differently.
  const official = source.kind === 'official';
  return h(
    'li',
    { className: `source source-${source.kind}` },
    h('span', { className: 'source-kind' }, t(official ? 'source_official' : 'source_independent')),
    ' ',
    externalLink(source.url, `${publisherOf(source.url)}: ${source.section}`),
  );
}

/**
 * @param {ServiceCriterion} criterion
 * @param {Map<string, string>} names
 * @param {Methodology} methodology
 * @param {(id: string) => string} report
 */
function criterionItem(criterion, names, methodology, report) {
  const head = h(
    'span',
    { className: 'criterion-head' },
    h('span', { className: 'criterion-name' }, names.get(criterion.id) ?? criterion.id),
    h('span', { className: `level level-${criterion.level}` }, levelLabel(criterion.level, methodology)),
  );
  const body = [];
  if (criterion.latest_period_end) {
    const counted = criterion.counted_level !== criterion.level ? ` ${t('period_too_old', levelLabel(criterion.counted_level, methodology))}` : '';
    body.push(h('p', { className: 'period' }, `${t('period_covers', criterion.latest_period_end)}${counted}`));
  }
  if (criterion.evidence) body.push(h('p', { className: 'evidence' }, criterion.evidence));
  if (criterion.sources.length) body.push(h('ul', { className: 'sources' }, criterion.sources.map(sourceItem)));
  // To the site's report form, prefilled with the service and this criterion.
  const link = externalLink(report(criterion.id), t('popup_report_criterion'));
  link.classList.add('report');
  body.push(h('p', { className: 'report-line' }, link));
  // A <details> element opens and closes by keyboard (Enter, Space) as well as by click.
  const item = h('details', {}, h('summary', {}, head), ...body);
  return h('li', { 'data-criterion': criterion.id }, item);
}

/**
 * @param {Service} service
 * @param {Methodology} methodology
 */
function subScores(service, methodology) {
  const scores = new Map((service.groups ?? []).map((g) => [g.id, g.score]));
  return h(
    'ul',
    { className: 'sub-scores', id: 'sub-scores', 'aria-label': t('popup_sub_scores') },
    methodology.groups.map((group) => {
      const score = scores.get(group.id);
      const name = groupName(group);
      const id = `group-${group.id}`;
      return h(
        'li',
        { 'data-group': group.id },
        h('span', { className: 'group-name', id }, name),
        h('meter', { min: 0, max: 100, value: score ?? 0, 'aria-labelledby': id, 'aria-valuetext': score == null ? t('popup_no_score') : t('popup_score_of_100', score) }),
        h('span', { className: 'group-score', 'aria-hidden': 'true' }, score == null ? '\u2014' : String(score)),
      );
    }),
  );
}

/**
 * @param {Service} service
 * @param {Map<string, string>} names
 * @param {Methodology} methodology
 */
function pullsDown(service, names, methodology) {
  const top = losses(service, methodology).slice(0, TOP_LOSSES);
  if (!top.length) return null;
  return h(
    'section',
    { id: 'pulls-down', 'aria-labelledby': 'pulls-down-h' },
    h('h2', { id: 'pulls-down-h' }, t('popup_pulls_down')),
    h(
      'ol',
      {},
      top.map((item) =>
        h(
          'li',
          { 'data-criterion': item.id },
          h('span', { className: 'loss-name' }, `${names.get(item.id) ?? item.id} (${levelLabel(item.level, methodology)})`),
          ' ',
          h('span', { className: 'loss-points' }, t('popup_points_lost', item.loss.toFixed(1))),
        ),
      ),
    ),
  );
}

/**
 * @param {HTMLElement} root
 * @param {{ service: Service, meeting: boolean }} match
 * @param {Dataset} dataset
 * @param {string} apiUrl
 */
function renderRated(root, match, dataset, apiUrl) {
  const { service } = match;
  const methodology = dataset.bundle.methodology;
  const names = new Map(methodology.criteria.map((c) => [c.id, criterionName(c)]));
  const meaning = service.grade ? gradeMeaning(service.grade, methodology) : null;
  const order = new Map(methodology.criteria.map((c, i) => [c.id, i]));
  const criteria = [...service.criteria].sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const stale = staleWarning(service);
  // Element.append would print a null as "null": leave the absent parts out first.
  const parts = [
    h(
      'header',
      {},
      gradeTile(match, methodology),
      h(
        'div',
        {},
        h('h1', { id: 'service-name' }, service.name),
        service.company ? h('p', { className: 'facts muted', id: 'company' }, service.company) : null,
        h('p', { className: 'facts', id: 'grade' }, statusLine(service)),
        h('p', { className: 'facts muted', id: 'reviewed' }, t('popup_reviewed', service.reviewed_on)),
      ),
    ),
    match.meeting ? h('p', { className: 'meeting', id: 'meeting' }, t('popup_meeting')) : null,
    stale ? h('p', { className: 'warning', id: 'stale' }, stale) : null,
    meaning ? h('p', { className: 'grade-meaning', id: 'grade-meaning' }, `${service.grade}: ${meaning}`) : null,
    service.grade ? null : h('p', { className: 'grade-meaning', id: 'grade-meaning' }, t('popup_in_progress_explained')),
    service.summary ? h('p', { className: 'summary' }, service.summary) : null,
    subScores(service, methodology),
    pullsDown(service, names, methodology),
    h('h2', { className: 'criteria-h' }, t('popup_criteria')),
    h(
      'ul',
      { className: 'criteria', id: 'criteria' },
      criteria.map((c) => criterionItem(c, names, methodology, (id) => criterionReportUrl(apiUrl, service.slug, id))),
    ),
    // One click to the letter on the service's page (made from its weak criteria there).
    h('p', { className: 'ask', id: 'ask' }, externalLink(askUrl(apiUrl, service.slug), t('popup_ask', service.company || service.name))),
    h(
      'footer',
      {},
      h(
        'nav',
        { 'aria-label': t('popup_links') },
        externalLink(serviceUrl(apiUrl, service.slug), t('popup_full_rating')),
        externalLink(methodologyUrl(apiUrl), t('popup_methodology')),
        externalLink(reportUrl(apiUrl, service.slug), t('popup_report_error')),
      ),
      h('p', { className: 'muted', id: 'data-version' }, dataLine(dataset)),
    ),
  ];
  root.append(...parts.filter((part) => part !== null));
}

/**
 * @param {HTMLElement} root
 * @param {chrome.tabs.Tab | null} tab
 * @param {Dataset} dataset
 * @param {string} apiUrl
 */
function renderUnrated(root, tab, dataset, apiUrl) {
  const host = tab?.url ? tryMatchUrl(dataset.index, tab.url).host : null;
  root.classList.add('unrated');
  root.append(
    h('h1', { id: 'service-name' }, t('popup_not_rated')),
    h('p', { id: 'unrated-host' }, host ? t('popup_no_rating_for', host) : t('popup_no_rating_page')),
    h('p', { id: 'what-candor-rates' }, t('popup_what_candor_rates', String(dataset.bundle.services.length))),
    h(
      'footer',
      {},
      h(
        'nav',
        { 'aria-label': t('popup_links') },
        externalLink(listUrl(apiUrl), t('popup_see_list')),
        externalLink(suggestUrl(apiUrl, host), t('popup_suggest')),
      ),
      h('p', { className: 'muted', id: 'data-version' }, dataLine(dataset)),
    ),
  );
}

/**
 * @param {Dataset} dataset
 */
function dataLine(dataset) {
  const when = (dataset.fetchedAt ?? dataset.bundle.generated_at).slice(0, 10);
  return dataset.source === 'api' ? t('popup_data_updated', when) : t('popup_data_built_in', when);
}

async function main() {
  localisePage();
  const root = byId('root', HTMLElement);
  const [tab, dataset, settings] = await Promise.all([currentTab(), loadDataset(), getSettings()]);
  clear(root);
  const match = tab?.url ? tryMatchUrl(dataset.index, tab.url) : null;
  if (match?.service) renderRated(root, { service: match.service, meeting: match.meeting }, dataset, settings.apiUrl);
  else renderUnrated(root, tab, dataset, settings.apiUrl);
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  const root = clear(byId('root', HTMLElement));
  root.append(h('p', { className: 'warning' }, t('popup_load_error', error?.message ?? error)));
  document.body.dataset.ready = 'error';
});
