// The popup: the rating of the tab's service, with each criterion's level, evidence and
// sources. Opened from the toolbar (the active tab) or as popup.html?tabId=N (from a
// notification, or in tests). Reads the same dataset as the background; sends nothing.
import { badgeState } from '../lib/badge.js';
import { gradeMeaning, levelLabel, staleWarning, statusLine } from '../lib/describe.js';
import { loadDataset } from '../lib/dataset.js';
import { ext } from '../lib/ext.js';
import { tryMatchUrl } from '../lib/matcher.js';
import { askUrl, reportUrl, serviceUrl, suggestUrl } from '../lib/settings.js';
import { getSettings } from '../lib/storage.js';
import { clear, externalLink, h } from './dom.js';

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

function hostLabel(url) {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

function gradeTile(match) {
  const state = badgeState(match);
  return h(
    'div',
    { className: 'grade-tile', title: state.title, 'aria-label': state.title, style: `background:${state.color};color:${state.textColor}` },
    state.text.replace('\u2022', '') || '?',
  );
}

function sourceItem(source) {
  // Publisher and section, not a bare host: two sources on one site read differently.
  const publisher = hostLabel(source.url).replace(/^www\./, '');
  return h(
    'li',
    { className: `source source-${source.kind}` },
    h('span', { className: 'source-kind' }, source.kind === 'official' ? 'Official' : 'Independent'),
    ' ',
    externalLink(source.url, `${publisher}: ${source.section}`),
  );
}

function criterionItem(criterion, names, methodology, report) {
  const parts = [
    h(
      'div',
      { className: 'criterion-head' },
      h('span', { className: 'criterion-name' }, names.get(criterion.id) ?? criterion.id),
      h('span', { className: `level level-${criterion.level}` }, levelLabel(criterion.level, methodology)),
    ),
  ];
  if (criterion.latest_period_end) {
    const counted =
      criterion.counted_level !== criterion.level
        ? ` Older than the methodology allows: counts as ${levelLabel(criterion.counted_level, methodology).toLowerCase()}.`
        : '';
    parts.push(h('p', { className: 'period' }, `Latest report covers up to ${criterion.latest_period_end}.${counted}`));
  }
  if (criterion.evidence) {
    const evidence = h('p', { className: 'evidence', title: 'Click to show all' }, criterion.evidence);
    evidence.addEventListener('click', () => evidence.classList.toggle('expanded'));
    parts.push(evidence);
  }
  if (criterion.sources.length) parts.push(h('ul', { className: 'sources' }, criterion.sources.map(sourceItem)));
  // To the site's form, prefilled with the service and this criterion.
  const link = externalLink(report(criterion.id), 'Report an error \u2197');
  link.classList.add('report');
  parts.push(h('p', { className: 'report-line' }, link));
  return h('li', { 'data-criterion': criterion.id }, ...parts);
}

function subScores(service, methodology) {
  const scores = new Map((service.groups ?? []).map((g) => [g.id, g.score]));
  return h(
    'ul',
    { className: 'sub-scores', id: 'sub-scores', 'aria-label': 'Sub-scores by group' },
    methodology.groups.map((group) => {
      const score = scores.get(group.id);
      return h(
        'li',
        { 'data-group': group.id },
        h('span', { className: 'group-name' }, group.name),
        h('meter', { min: '0', max: '100', value: String(score ?? 0), 'aria-hidden': 'true' }),
        h('span', { className: 'group-score' }, score == null ? '\u2014' : String(score)),
      );
    }),
  );
}

function renderRated(root, match, dataset, apiUrl) {
  const { service } = match;
  const methodology = dataset.bundle.methodology;
  const names = new Map(methodology.criteria.map((c) => [c.id, c.name]));
  const meaning = service.grade ? gradeMeaning(service.grade, methodology) : null;
  const order = new Map(dataset.bundle.methodology.criteria.map((c, i) => [c.id, i]));
  const criteria = [...service.criteria].sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const stale = staleWarning(service);
  // Element.append would print a null as "null": leave the absent parts out first.
  const parts = [
    h(
      'header',
      {},
      gradeTile(match),
      h(
        'div',
        {},
        h('h1', { id: 'service-name' }, service.name),
        service.company ? h('p', { className: 'facts muted', id: 'company' }, service.company) : null,
        h('p', { className: 'facts', id: 'grade' }, statusLine(service)),
        h('p', { className: 'facts muted', id: 'reviewed' }, `Reviewed ${service.reviewed_on}`),
      ),
    ),
    match.meeting ? h('p', { className: 'meeting', id: 'meeting' }, 'You are joining a meeting on this service.') : null,
    stale ? h('p', { className: 'warning', id: 'stale' }, stale) : null,
    meaning ? h('p', { className: 'grade-meaning', id: 'grade-meaning' }, `${service.grade}: ${meaning}`) : null,
    service.summary ? h('p', { className: 'summary' }, service.summary) : null,
    subScores(service, methodology),
    h(
      'ul',
      { className: 'criteria', id: 'criteria' },
      criteria.map((c) => criterionItem(c, names, methodology, (id) => reportUrl(apiUrl, service.slug, id))),
    ),
    // One click to the letter on the service's page (made from its weak criteria there).
    h('p', { className: 'ask', id: 'ask' }, externalLink(askUrl(apiUrl, service.slug), `Ask ${service.company || service.name} to do better \u2197`)),
    h(
      'footer',
      {},
      externalLink(serviceUrl(apiUrl, service.slug), 'Full rating and history \u2197'),
      h('span', { className: 'muted', id: 'data-version' }, dataLine(dataset)),
    ),
  ];
  root.append(...parts.filter(Boolean));
}

function renderUnrated(root, tab, dataset, apiUrl) {
  let host = null;
  if (tab?.url) {
    const match = tryMatchUrl(dataset.index, tab.url);
    host = match.host;
  }
  root.classList.add('unrated');
  root.append(
    h('h1', { id: 'service-name' }, 'Not rated'),
    h('p', {}, host ? `Candor has no rating for ${host}.` : 'Candor has no rating for this page.'),
    h('p', {}, externalLink(suggestUrl(apiUrl, host), 'Suggest it for a rating \u2197')),
    h('footer', {}, h('span', { className: 'muted', id: 'data-version' }, dataLine(dataset))),
  );
}

function dataLine(dataset) {
  const source = dataset.source === 'api' ? 'updated' : 'built-in data from';
  const when = (dataset.fetchedAt ?? dataset.bundle.generated_at).slice(0, 10);
  return `Data ${dataset.bundle.version.slice(0, 8)}, ${source} ${when}`;
}

async function main() {
  const root = document.getElementById('root');
  const [tab, dataset, settings] = await Promise.all([currentTab(), loadDataset(), getSettings()]);
  clear(root);
  const match = tab?.url ? tryMatchUrl(dataset.index, tab.url) : null;
  if (match?.service) renderRated(root, match, dataset, settings.apiUrl);
  else renderUnrated(root, tab, dataset, settings.apiUrl);
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  const root = clear(document.getElementById('root'));
  root.append(h('p', { className: 'warning' }, `Candor could not load its data: ${error?.message ?? error}`));
  document.body.dataset.ready = 'error';
});
