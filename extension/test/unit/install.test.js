// The onboarding page opens once, on install, and never on an update.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeExtension } from '../support/fake-ext.js';

const { createdTabs } = installFakeExtension();
const { onInstalled, ONBOARDING_PAGE } = await import('../../src/background/install.js');

test('install opens the onboarding page; update, browser update and shared-module events do not', async () => {
  for (const reason of ['update', 'chrome_update', 'browser_update', 'shared_module_update']) {
    assert.equal(await onInstalled({ reason, previousVersion: '0.1.0' }), false, reason);
  }
  assert.equal(createdTabs.length, 0);
  assert.equal(await onInstalled({ reason: 'install' }), true);
  assert.deepEqual(createdTabs, [{ url: `chrome-extension://test/${ONBOARDING_PAGE}` }]);
});
