// The onboarding page, opened once on install: what Candor is, the grade scale (from the
// data in use, in the browser's language), how to pin the icon, and the privacy promise.
import { badgeState } from '../lib/badge.js';
import { gradeMeaning } from '../lib/describe.js';
import { loadDataset } from '../lib/dataset.js';
import { localisePage } from '../lib/i18n.js';
import { byId, clear, find, h } from './dom.js';

async function main() {
  localisePage();
  // The pinning steps of the browser in use come first.
  if (location.protocol === 'moz-extension:') find('.pins').prepend(byId('pin-firefox', HTMLElement));
  const { bundle } = await loadDataset();
  const methodology = bundle.methodology;
  clear(byId('scale', HTMLElement)).append(
    ...methodology.grades.map((grade) => {
      const state = badgeState({ service: { name: '', grade: grade.letter, status: 'active', score: null }, meeting: false }, methodology);
      return h(
        'li',
        { 'data-grade': grade.letter },
        h('span', { className: 'grade-tile', 'aria-hidden': 'true', style: `background:${state.color};color:${state.textColor}` }, grade.letter),
        h('span', {}, `${grade.letter}: ${gradeMeaning(grade.letter, methodology)}`),
      );
    }),
  );
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  find('main').append(h('p', { className: 'warning' }, String(error?.message ?? error)));
  document.body.dataset.ready = 'error';
});
