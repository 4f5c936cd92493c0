// The privacy policy: static text in the browser's language, plus the exact addresses
// this copy of the extension downloads from.
import { localisePage } from '../lib/i18n.js';
import { getSettings } from '../lib/storage.js';
import { byId } from './dom.js';

localisePage();
getSettings()
  .then(({ apiUrl }) => {
    byId('fetched-urls', HTMLElement).textContent = `${apiUrl}/v1/bundle, ${apiUrl}/v1/bundle.sig`;
    document.body.dataset.ready = 'true';
  })
  .catch(() => {
    document.body.dataset.ready = 'error';
  });
