// First run: the onboarding page opens once, when the extension is installed; updates,
// browser updates and re-enabling never reopen it.
import { ext } from '../lib/ext.js';

export const ONBOARDING_PAGE = 'welcome.html';

/**
 * @param {{ reason?: string } | undefined} details
 */
export async function onInstalled(details) {
  if (details?.reason !== 'install') return false;
  await ext.tabs.create({ url: ext.runtime.getURL(ONBOARDING_PAGE) });
  return true;
}
