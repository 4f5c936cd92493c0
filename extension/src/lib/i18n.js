// Words shown to people, from the browser's _locales (chrome.i18n): English, Spanish,
// French, German and Brazilian Portuguese. Names that come with the bundle (criteria,
// groups, levels, grade meanings) are the methodology's own words in English, and the
// locale's translation of them elsewhere, falling back to the bundle's words for anything
// a locale does not know yet (a criterion added after this release).
import { ext } from './ext.js';

/**
 * The message `key` with its substitutions; the key itself if the locale lacks it.
 * @param {string} key
 * @param {...(string | number)} substitutions
 * @returns {string}
 */
export function t(key, ...substitutions) {
  const text = ext.i18n.getMessage(key, substitutions.map(String));
  return text || key;
}

function uiLanguage() {
  return ext.i18n.getUILanguage?.() ?? 'en';
}

/**
 * Bundle words: the bundle's English in an English UI, else the locale's if it has one.
 * @param {string} key
 * @param {string | null | undefined} bundleText
 * @returns {string}
 */
export function dataWord(key, bundleText) {
  if (/^en\b/i.test(uiLanguage())) return bundleText ?? key;
  return ext.i18n.getMessage(key) || bundleText || key;
}

/**
 * @param {{ id: string, name: string }} criterion
 */
export const criterionName = (criterion) => dataWord(`criterion_${criterion.id}`, criterion.name);
/**
 * @param {{ id: string, name: string }} group
 */
export const groupName = (group) => dataWord(`group_${group.id}`, group.name);

/**
 * Fill a page's static text: elements with data-i18n get their text, data-i18n-attr
 * ("aria-label:key title:key") their attributes. Also sets lang and dir.
 */
export function localisePage(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.getAttribute('data-i18n') ?? '');
  for (const node of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of (node.getAttribute('data-i18n-attr') ?? '').split(/\s+/).filter(Boolean)) {
      const [attribute, key] = pair.split(':');
      node.setAttribute(attribute, t(key));
    }
  }
  document.documentElement.lang = t('@@ui_locale').replace('_', '-');
  document.documentElement.dir = t('@@bidi_dir');
}
