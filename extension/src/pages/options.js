// Options: the API URL, meeting notifications, the state of the dataset ("update now",
// and why a downloaded bundle was refused), access to domains rated after the build, a
// legend of the badge's looks, and links to the onboarding and privacy pages.
import { badgeState } from '../lib/badge.js';
import { gradeMeaning } from '../lib/describe.js';
import { DEVELOPMENT } from '../lib/config.js';
import { loadDataset } from '../lib/dataset.js';
import { ext } from '../lib/ext.js';
import { localisePage, t } from '../lib/i18n.js';
import { apiPattern, domainPatterns, isCovered } from '../lib/permissions.js';
import { normaliseApiUrl } from '../lib/settings.js';
import { getSettings, getStatus, KEYS, saveSettings } from '../lib/storage.js';
import { byId, clear, find, h } from './dom.js';

/** @param {string} id */
const $ = (id) => byId(id, HTMLElement);
/** @param {string} id */
const input = (id) => byId(id, HTMLInputElement);
/** @param {string} id */
const button = (id) => byId(id, HTMLButtonElement);

/**
 * @param {string | null | undefined} iso
 */
function formatTime(iso) {
  if (!iso) return t('options_never');
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? t('options_unknown') : date.toLocaleString(t('@@ui_locale').replace('_', '-'));
}

async function renderStatus() {
  const [dataset, status] = await Promise.all([loadDataset(), getStatus()]);
  const rows = [
    ['source', t('options_data_in_use'), t(dataset.source === 'api' ? 'options_source_api' : 'options_source_snapshot')],
    ['version', t('options_version'), dataset.bundle.version],
    ['generated', t('options_generated'), formatTime(dataset.bundle.generated_at)],
    ['services', t('options_services'), String(dataset.bundle.services.length)],
    ['updated', t('options_last_update'), formatTime(dataset.fetchedAt)],
    ['checked', t('options_last_check'), formatTime(status.lastAttempt)],
  ];
  if (status.lastError) {
    // A refused bundle says why in plain words; the data in use stays as it was.
    const why = status.rejected ? t(`rejected_${status.rejected.replace('-', '_')}`) : status.lastError;
    rows.push(['problem', t('options_last_problem'), `${why} ${t('options_kept_data')}`]);
    if (status.nextRetry) rows.push(['retry', t('options_next_try'), formatTime(status.nextRetry)]);
  }
  clear($('data-status')).append(...rows.flatMap(([field, k, v]) => [h('dt', {}, k), h('dd', { 'data-field': field }, v)]));
  return dataset;
}

/**
 * @param {Dataset} dataset
 */
async function renderAccess(dataset) {
  const { origins = [] } = await ext.permissions.getAll();
  const missing = dataset.bundle.services.flatMap((service) =>
    service.domains.filter((domain) => !isCovered(domain, origins)).map((domain) => ({ domain, service })),
  );
  const list = clear($('missing-domains'));
  if (!missing.length) {
    list.append(h('li', { className: 'muted' }, t('options_all_covered')));
  } else {
    list.append(...missing.map(({ domain, service }) => h('li', {}, `${domain} (${service.name})`)));
  }
  $('grant-access').hidden = missing.length === 0;
  return missing.map((m) => m.domain);
}

/**
 * Every grade of the data in use, with what it means, then the looks without a grade.
 * @param {Methodology} methodology
 */
function renderLegend(methodology) {
  /**
   * @param {string | null} grade
   * @param {'active' | 'discontinued'} [status]
   * @param {boolean} [meeting]
   */
  const sample = (grade, status = 'active', meeting = false) =>
    badgeState({ service: { name: 'Service', grade, status, score: null }, meeting }, methodology);
  const best = methodology.grades[0].letter;
  /** @type {[string, ReturnType<typeof badgeState>, string][]} */
  const items = [
    ...methodology.grades.map(({ letter }) => /** @type {[string, ReturnType<typeof badgeState>, string]} */ ( [letter, sample(letter), t('legend_grade', letter, gradeMeaning(letter, methodology) ?? '')])),
    ['?', sample(null), t('legend_in_progress')],
    ['x', sample(best, 'discontinued'), t('legend_discontinued')],
    ['m', sample(best, 'active', true), t('legend_meeting')],
  ];
  clear($('legend')).append(
    ...items.map(([key, state, text]) =>
      h('li', { 'data-legend': key },
        h('span', { className: 'badge-sample', 'aria-hidden': 'true', style: `background:${state.color};color:${state.textColor}` }, state.text),
        h('span', {}, text)),
    ),
  );
}

/**
 * @param {string} id
 * @param {string} text
 * @param {boolean} [isError]
 */
function message(id, text, isError = false) {
  const node = $(id);
  node.textContent = text;
  node.classList.toggle('error', isError);
}

async function main() {
  localisePage();
  $('api-help').textContent = t(DEVELOPMENT ? 'options_api_help_development' : 'options_api_help');
  const settings = await getSettings();
  input('api-url').value = settings.apiUrl;
  input('notifications').checked = settings.notifications;
  const dataset = await renderStatus();
  renderLegend(dataset.bundle.methodology);
  let missingDomains = await renderAccess(dataset);

  $('api-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const apiUrl = normaliseApiUrl(input('api-url').value);
    if (!apiUrl) {
      message('api-message', t(DEVELOPMENT ? 'options_api_invalid_development' : 'options_api_invalid'), true);
      return;
    }
    // permissions.request needs the user's click: call it before anything else awaits.
    ext.permissions
      .request({ origins: [apiPattern(apiUrl)] })
      .then(async (granted) => {
        if (!granted) {
          message('api-message', t('options_api_no_access'), true);
          return;
        }
        await saveSettings({ apiUrl });
        input('api-url').value = apiUrl;
        message('api-message', t('options_saved_updating'));
        await updateNow();
        message('api-message', t('options_saved'));
      })
      .catch((error) => message('api-message', t('options_not_saved', error?.message ?? error), true));
  });

  input('notifications').addEventListener('change', async () => {
    await saveSettings({ notifications: input('notifications').checked });
  });

  async function updateNow() {
    button('update-now').disabled = true;
    message('update-message', t('options_updating'));
    try {
      const reply = await ext.runtime.sendMessage({ type: 'refresh' });
      const status = reply?.status ?? {};
      if (!reply?.ok || status.result === 'failed') {
        const why = status.rejected ? t(`rejected_${status.rejected.replace('-', '_')}`) : status.lastError ?? reply?.error ?? '?';
        message('update-message', t('options_update_failed', why), true);
      } else {
        message('update-message', t(status.result === 'updated' ? 'options_updated' : 'options_up_to_date'));
      }
    } finally {
      button('update-now').disabled = false;
      missingDomains = await renderAccess(await renderStatus());
    }
  }
  $('update-now').addEventListener('click', () => {
    updateNow().catch((error) => message('update-message', String(error), true));
  });

  $('grant-access').addEventListener('click', () => {
    ext.permissions
      .request({ origins: domainPatterns(missingDomains) })
      .then(async (granted) => {
        message('access-message', t(granted ? 'options_access_granted' : 'options_access_refused'), !granted);
        missingDomains = await renderAccess(await loadDataset());
      })
      .catch((error) => message('access-message', String(error?.message ?? error), true));
  });

  ext.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && (KEYS.remote in changes || KEYS.status in changes)) {
      renderStatus().then(renderAccess).then((m) => (missingDomains = m)).catch(() => {});
    }
  });
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  find('main').append(h('p', { className: 'error' }, t('popup_load_error', error?.message ?? error)));
});
