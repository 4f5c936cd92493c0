// The extension in Firefox ESR (Debian's firefox-esr), driven over WebDriver BiDi by
// puppeteer-core, offline: the development build made by the test is installed as a
// temporary add-on; the onboarding page opens; a meeting link, a rated visit page and an
// unrated page get the right badge (read through an extension page, with Firefox's own
// `browser.action`); the popup, options and onboarding pass axe-core; and a signed bundle
// from the real API is verified (WebCrypto Ed25519) and taken, an unsigned one refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { installFakeExtension } from '../support/fake-ext.js';
import { SCREENSHOTS_DIR } from '../support/paths.js';
import { startApi } from './support/api.js';
import { testBuild } from './support/build.js';
import { FIREFOX, launchPlainFirefox } from './support/firefox.js';
import { startHttpsServer } from './support/https-server.js';

installFakeExtension();
const { badgeState } = await import('../../src/lib/badge.js');
const { parseBundle } = await import('../../src/lib/bundle.js');
const { buildIndex, matchUrl } = await import('../../src/lib/matcher.js');

if (!existsSync(FIREFOX)) throw new Error(`Firefox ESR not found at ${FIREFOX} (apt-get install firefox-esr)`);

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const build = await testBuild();
const manifest = JSON.parse(readFileSync(path.join(build.firefox, 'manifest.json'), 'utf8'));
const snapshot = parseBundle(readFileSync(path.join(build.firefox, 'snapshot.json')));
const index = buildIndex(snapshot.services);
const expected = (url) => badgeState(matchUrl(index, url), snapshot.methodology);
// Fixed, so the test knows the extension's pages' origin before installing it.
const UUID = '6c0d4a53-9b7e-4c55-8d5e-1f2a3b4c5d6e';
const ORIGIN = `moz-extension://${UUID}`;

const ZOOM_MEETING = 'https://us02web.zoom.us/j/1234567890';
const ZOOM_VISIT = 'https://zoom.us/pricing';
const UNRATED = 'https://www.example.org/j/1';

describe('the extension in Firefox ESR', { timeout: 180_000 }, () => {
  let server;
  let browser;
  let reader;

  before(async () => {
    server = await startHttpsServer();
    browser = await launchPlainFirefox({
      'extensions.webextensions.uuids': JSON.stringify({ [manifest.browser_specific_settings.gecko.id]: UUID }),
      // Every https site is reached through the test's proxy, which answers for them all;
      // the API on 127.0.0.1 is reached directly.
      'network.proxy.type': 1,
      'network.proxy.ssl': '127.0.0.1',
      'network.proxy.ssl_port': server.proxyPort,
      'network.proxy.http': '127.0.0.1',
      'network.proxy.http_port': server.proxyPort,
      'network.proxy.no_proxies_on': '127.0.0.1',
      'network.proxy.allow_hijacking_localhost': false,
    });
    await browser.installExtension(build.firefox);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    build.remove();
  });

  const hrefOf = (page) => page.evaluate(() => location.href).catch(() => null);

  /** The open tab whose document is `url` (puppeteer may still list it as about:blank). */
  async function pageAt(url, exclude = new Set()) {
    for (let i = 0; i < 100; i++) {
      for (const page of await browser.pages()) {
        if (!exclude.has(page) && (await hrefOf(page)) === url) return page;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return null;
  }

  /** An extension page in a new tab. WebDriver BiDi may not navigate to moz-extension:
   * URLs, so the extension opens it, from one of its own pages. */
  async function extensionPage(file, opener = reader) {
    const before = new Set(await browser.pages());
    await opener.evaluate((f) => browser.tabs.create({ url: f }), file);
    const page = await pageAt(`${ORIGIN}/${file}`, before);
    assert.ok(page, `${file} opened`);
    await page.waitForSelector('body[data-ready="true"]');
    return page;
  }

  /** The badge of the tab showing `url`, read with Firefox's own extension API. */
  async function badgeOf(url) {
    return reader.evaluate(async (u) => {
      const tab = (await browser.tabs.query({})).find((t) => t.url === u);
      if (!tab) return null;
      return {
        tabId: tab.id,
        text: await browser.action.getBadgeText({ tabId: tab.id }),
        color: await browser.action.getBadgeBackgroundColor({ tabId: tab.id }),
        title: await browser.action.getTitle({ tabId: tab.id }),
      };
    }, url);
  }

  async function waitForBadge(url, text) {
    let badge = null;
    for (let i = 0; i < 100; i++) {
      badge = await badgeOf(url);
      if (badge && badge.text === text) return badge;
      await new Promise((r) => setTimeout(r, 50));
    }
    return badge;
  }

  test('installing opens the onboarding page, which passes axe-core', async () => {
    const welcome = await pageAt(`${ORIGIN}/welcome.html`);
    assert.ok(welcome, 'the onboarding tab opened');
    await welcome.waitForSelector('body[data-ready="true"]');
    assert.equal(await welcome.$$eval('#scale li', (items) => items.length), snapshot.methodology.grades.length);
    // Firefox's own pinning steps come first in Firefox.
    assert.equal(await welcome.$eval('.pins figure', (f) => f.id), 'pin-firefox');
    await assertAccessible(welcome, 'onboarding');
    reader = await extensionPage('options.html', welcome);
  });

  test('a meeting link, a rated page and an unrated page get the right badge', async () => {
    for (const url of [ZOOM_MEETING, ZOOM_VISIT]) {
      const want = expected(url);
      assert.ok(want.text, `${url} is rated in the snapshot`);
      const page = await browser.newPage();
      await page.goto(url);
      const badge = await waitForBadge(url, want.text);
      assert.equal(badge?.text, want.text, url);
      assert.deepEqual(badge.color, [1, 3, 5].map((i) => parseInt(want.color.slice(i, i + 2), 16)).concat(255));
      assert.equal(badge.title, want.title);
    }
    assert.ok(expected(ZOOM_MEETING).text.endsWith('\u2022') && !expected(ZOOM_VISIT).text.endsWith('\u2022'));
    // No host access to an unrated site: the extension does not even see its address.
    // Proven handled rather than waited for: the same tab then goes to a rated page and
    // its badge appears; a tab's updates are handled in order, so every update of the
    // unrated page was handled before, and the background's record (a development hook)
    // says what each set.
    const page = await browser.newPage();
    await page.goto(UNRATED);
    assert.equal(await badgeOf(UNRATED), null);
    const next = `${ZOOM_VISIT}?after=unrated`;
    await page.goto(next);
    const badge = await waitForBadge(next, expected(next).text);
    assert.equal(badge?.text, expected(next).text);
    const updates = await reader.evaluate(async (id) => {
      const background = await browser.runtime.getBackgroundPage();
      return JSON.parse(JSON.stringify(background.candorDevelopment.handledUpdates(id)));
    }, badge.tabId);
    const first = updates.findIndex((u) => u.url === next);
    const unrated = first === -1 ? updates : updates.slice(0, first);
    assert.ok(unrated.some((u) => u.status === 'complete'), JSON.stringify(updates));
    assert.deepEqual(unrated.filter((u) => u.url !== null || u.badge !== ''), [], 'the unrated page set no badge');
  });

  test('the popup and the options page pass axe-core', async () => {
    const { tabId } = await badgeOf(ZOOM_MEETING);
    const popup = await extensionPage(`popup.html?tabId=${tabId}`);
    assert.equal(await popup.$eval('#service-name', (n) => n.textContent), 'Zoom');
    assert.ok(await popup.$('#pulls-down li'));
    await assertAccessible(popup, 'popup');
    await popup.screenshot({ path: path.join(SCREENSHOTS_DIR, 'popup-firefox.png'), fullPage: true });
    await popup.close();
    await assertAccessible(reader, 'options');
  });

  test('a signed bundle from the real API is verified and taken; an unsigned one is refused', async () => {
    const unsigned = await startApi({ slug: 'zoom', level: 'full' });
    try {
      await reader.$eval('#api-url', (input, url) => (input.value = url), unsigned.url);
      await reader.click('#save-api');
      await reader.waitForFunction(() => document.querySelector('#update-message.error'), { timeout: 15_000 });
      assert.match(await reader.$eval('#update-message', (n) => n.textContent), /no signature from Candor/);
    } finally {
      await unsigned.stop();
    }
    const signed = await startApi({ slug: 'zoom', level: 'full', signingKey: build.keyFile });
    try {
      await reader.$eval('#api-url', (input, url) => (input.value = url), signed.url);
      await reader.click('#save-api');
      await reader.waitForFunction(() => /Updated\./.test(document.getElementById('update-message').textContent), { timeout: 15_000 });
      assert.equal(await reader.$eval('[data-field="source"]', (n) => n.textContent), 'downloaded from the API');
      const live = parseBundle(new Uint8Array(await (await fetch(`${signed.url}/v1/bundle`)).arrayBuffer()));
      assert.equal(await reader.$eval('[data-field="version"]', (n) => n.textContent), live.version);
    } finally {
      await signed.stop();
    }
  });

  async function assertAccessible(page, what) {
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () =>
      (await globalThis.axe.run(document, { resultTypes: ['violations'] })).violations.map(
        (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
      ),
    );
    assert.deepEqual(violations, [], `${what} in Firefox: axe-core violations`);
  }
});
