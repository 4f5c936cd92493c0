// Options: the API URL, meeting notifications, the state of the dataset ("update now"),
// access to domains rated after the build, and a legend of the badge's looks.
import { badgeState } from '../lib/badge.js';
import { loadDataset } from '../lib/dataset.js';
import { ext } from '../lib/ext.js';
import { apiPattern, domainPatterns, isCovered } from '../lib/permissions.js';
import { normaliseApiUrl } from '../lib/settings.js';
import { getSettings, getStatus, KEYS, saveSettings } from '../lib/storage.js';
import { clear, h } from './dom.js';

const $ = (id) => document.getElementById(id);

function formatTime(iso) {
  if (!iso) return 'never';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? 'unknown' : date.toLocaleString();
}

async function renderStatus() {
  const [dataset, status] = await Promise.all([loadDataset(), getStatus()]);
  const rows = [
    ['Data in use', dataset.source === 'api' ? 'downloaded from the API' : 'built into this version (no download yet)'],
    ['Version', dataset.bundle.version],
    ['Generated', formatTime(dataset.bundle.generated_at)],
    ['Services', String(dataset.bundle.services.length)],
    ['Last update', formatTime(dataset.fetchedAt)],
    ['Last check', formatTime(status.lastAttempt)],
  ];
  if (status.lastError) rows.push(['Last problem', status.lastError]);
  clear($('data-status')).append(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-field': k }, v)]));
  return dataset;
}

async function renderAccess(dataset) {
  const { origins = [] } = await ext.permissions.getAll();
  const missing = dataset.bundle.services.flatMap((service) =>
    service.domains.filter((domain) => !isCovered(domain, origins)).map((domain) => ({ domain, service })),
  );
  const list = clear($('missing-domains'));
  if (!missing.length) {
    list.append(h('li', { className: 'muted' }, 'None: every rated domain is covered.'));
  } else {
    list.append(...missing.map(({ domain, service }) => h('li', {}, `${domain} (${service.name})`)));
  }
  $('grant-access').hidden = missing.length === 0;
  return missing.map((m) => m.domain);
}

function renderLegend() {
  const sample = (grade, status = 'active', meeting = false) =>
    badgeState({ service: { name: 'Service', grade, status, score: null, criteria: [] }, meeting });
  const items = [
    ['A', sample('A'), 'Grade A: the best practices we rate'],
    ['B', sample('B'), 'Grade B'],
    ['C', sample('C'), 'Grade C'],
    ['D', sample('D'), 'Grade D'],
    ['F', sample('F'), 'Grade F: poor practices'],
    ['?', sample(null), 'Not enough information for a grade'],
    ['x', sample('D', 'discontinued'), 'The service was discontinued'],
    ['m', sample('B', 'active', true), 'You are on a meeting link (dot after the grade)'],
  ];
  clear($('legend')).append(
    ...items.map(([key, state, text]) =>
      h('li', { 'data-legend': key },
        h('span', { className: 'badge-sample', style: `background:${state.color};color:${state.textColor}` }, state.text),
        h('span', {}, text)),
    ),
  );
}

function message(id, text, isError = false) {
  const node = $(id);
  node.textContent = text;
  node.classList.toggle('error', isError);
}

async function main() {
  const settings = await getSettings();
  $('api-url').value = settings.apiUrl;
  $('notifications').checked = settings.notifications;
  renderLegend();
  let missingDomains = await renderAccess(await renderStatus());

  $('api-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const apiUrl = normaliseApiUrl($('api-url').value);
    if (!apiUrl) {
      message('api-message', 'Enter an http(s) URL without query or credentials, e.g. https://candor.example', true);
      return;
    }
    // permissions.request needs the user's click: call it before anything else awaits.
    ext.permissions
      .request({ origins: [apiPattern(apiUrl)] })
      .then(async (granted) => {
        if (!granted) {
          message('api-message', 'Not saved: Candor needs access to the API to download ratings.', true);
          return;
        }
        await saveSettings({ apiUrl });
        $('api-url').value = apiUrl;
        message('api-message', 'Saved. Updating now…');
        await updateNow();
        message('api-message', 'Saved.');
      })
      .catch((error) => message('api-message', `Not saved: ${error?.message ?? error}`, true));
  });

  $('notifications').addEventListener('change', async (event) => {
    await saveSettings({ notifications: event.target.checked });
  });

  async function updateNow() {
    $('update-now').disabled = true;
    message('update-message', 'Updating…');
    try {
      const reply = await ext.runtime.sendMessage({ type: 'refresh' });
      const status = reply?.status ?? {};
      if (!reply?.ok || status.result === 'failed') {
        message('update-message', `Update failed: ${status.lastError ?? reply?.error ?? 'unknown error'}. The previous data stays in use.`, true);
      } else {
        message('update-message', status.result === 'updated' ? 'Updated.' : 'Already up to date.');
      }
    } finally {
      $('update-now').disabled = false;
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
        message('access-message', granted ? 'Access granted.' : 'Access was not granted.', !granted);
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
  document.querySelector('main').append(h('p', { className: 'error' }, `Could not load: ${error?.message ?? error}`));
});
