// The extension, built by the test (a development build pinning a key made now), in
// headless Chromium: the onboarding page on install, badges on real navigations (visits,
// meetings, lookalikes, unrated sites, redirects, back/forward, pushState) and how fast
// they appear, across a service worker restart, the popup, options, onboarding and
// privacy pages (axe-core, keyboard), the meeting notification, and signed bundle
// refreshes from the real API (and unsigned ones refused, and the API down).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { installFakeExtension } from '../support/fake-ext.js';
import { CANDOR_BIN, SCREENSHOTS_DIR, STORE_SCREENSHOTS_DIR } from '../support/paths.js';
import { freePort, startApi } from './support/api.js';
import { CHROMIUM, launch } from './support/browser.js';
import { testBuild } from './support/build.js';
import { startHttpsServer } from './support/https-server.js';

// The expected wording is English, as the browser under test runs in English.
installFakeExtension();
const { badgeState, hexToRgba } = await import('../../src/lib/badge.js');
const { parseBundle } = await import('../../src/lib/bundle.js');
const { statusLine } = await import('../../src/lib/describe.js');
const { losses } = await import('../../src/lib/explain.js');
const { buildIndex, matchUrl } = await import('../../src/lib/matcher.js');

for (const [what, file] of [
  ['Chromium (apt-get install chromium)', CHROMIUM],
  ['the candor command (the Python side)', CANDOR_BIN],
]) {
  if (!existsSync(file)) throw new Error(`${what} not found at ${file}`);
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const build = await testBuild();
const snapshot = parseBundle(readFileSync(path.join(build.chrome, 'snapshot.json')));
const snapshotIndex = buildIndex(snapshot.services);

/** The badge the extension should show for `url` with the snapshot's data. */
const expectedBadge = (url, index = snapshotIndex) => badgeState(matchUrl(index, url), snapshot.methodology);

const sameBadge = (expected) => (badge) =>
  badge.text === expected.text && (expected.text === '' || JSON.stringify(badge.color) === JSON.stringify(hexToRgba(expected.color)));

const ZOOM_MEETING = 'https://us02web.zoom.us/j/1234567890';
const MEET_MEETING = 'https://meet.google.com/abc-defg-hij';
const TEAMS_MEETING = 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d';
const ZOOM_VISIT = 'https://zoom.us/pricing';
const LOOKALIKE = 'https://zoom.us.evil.com/j/1';
const UNRATED = 'https://www.example.org/j/1';

describe('the extension in Chromium', { timeout: 240_000 }, () => {
  let server;
  let browser;

  before(async () => {
    server = await startHttpsServer();
    browser = await launch({ httpsPort: server.port, extension: build.chrome });
    mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    mkdirSync(STORE_SCREENSHOTS_DIR, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    build.remove();
  });

  /** axe-core on an open page: no violations of any rule it runs. */
  async function assertAccessible(page, what) {
    // Evaluated through the DevTools protocol, which the pages' CSP does not apply to.
    await page.evaluate(AXE);
    const { violations } = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
    assert.deepEqual(
      violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
      [],
      `${what}: axe-core violations`,
    );
  }

  async function extensionPage(file, viewport = { width: 800, height: 900 }) {
    const page = await browser.context.newPage();
    await page.setViewportSize(viewport);
    await page.goto(browser.url(file));
    await page.waitForSelector('body[data-ready="true"]');
    return page;
  }

  async function visit(url) {
    const tab = await browser.newTab();
    await tab.page.goto(url);
    return tab;
  }

  async function assertBadge(tabId, url, index) {
    const expected = expectedBadge(url, index);
    const badge = await browser.waitForBadge(tabId, sameBadge(expected));
    assert.equal(badge.text, expected.text, `badge text for ${url}`);
    if (expected.text) {
      assert.deepEqual(badge.color, hexToRgba(expected.color), `badge colour for ${url}`);
      assert.equal(badge.title, expected.title, `tooltip for ${url}`);
    }
    return badge;
  }

  /** The tab's updates the worker has finished handling, in order (a development hook). */
  const handledUpdates = (tabId) => browser.inWorker((id) => globalThis.candorDevelopment.handledUpdates(id), tabId);

  /** Poll the handled updates of `tabId` until `check(updates)` holds; returns the last seen. */
  async function waitForHandled(tabId, check, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    let updates = await handledUpdates(tabId);
    while (!check(updates) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      updates = await handledUpdates(tabId);
    }
    return updates;
  }

  /**
   * What the extension did for the page open in `tab`, proven handled rather than waited
   * for: the tab then goes to the rated `next` page and its badge appears; a tab's updates
   * are handled in order, so every update of the earlier page was handled before it.
   * Returns the earlier page's handled updates.
   */
  async function handledBefore(tab, next, index) {
    assert.ok(expectedBadge(next, index).text, `${next} has a badge`);
    await tab.page.goto(next);
    await assertBadge(tab.tabId, next, index);
    const updates = await handledUpdates(tab.tabId);
    const first = updates.findIndex((u) => u.url === next);
    return first === -1 ? updates : updates.slice(0, first);
  }

  const tabs = {};

  test('installing opens the onboarding page once: the scale, pinning, privacy; accessible', async () => {
    let pages = [];
    for (let i = 0; i < 100 && !pages.length; i++) {
      pages = browser.context.pages().filter((p) => p.url() === browser.url('welcome.html'));
      if (!pages.length) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(pages.length, 1, 'one onboarding tab');
    const welcome = pages[0];
    await welcome.setViewportSize({ width: 1280, height: 800 });
    await welcome.waitForSelector('body[data-ready="true"]');
    assert.equal(await welcome.locator('#scale li').count(), snapshot.methodology.grades.length);
    for (const grade of snapshot.methodology.grades) {
      assert.equal(await welcome.textContent(`#scale li[data-grade="${grade.letter}"] span:last-child`), `${grade.letter}: ${grade.meaning}`);
    }
    assert.ok(await welcome.isVisible('#pin-chrome img'));
    assert.ok(await welcome.isVisible('#pin-firefox img'));
    assert.match(await welcome.getAttribute('#pin-chrome img', 'alt'), /puzzle-piece/);
    assert.match(await welcome.textContent('#privacy-h + p'), /never sends the addresses/);
    assert.match(await welcome.evaluate(() => document.documentElement.lang), /^en\b/);
    await assertAccessible(welcome, 'onboarding');
    await welcome.screenshot({ path: path.join(SCREENSHOTS_DIR, 'welcome.png'), fullPage: true });
    await welcome.screenshot({ path: path.join(STORE_SCREENSHOTS_DIR, '3-onboarding.png') });
    await welcome.close();
  });

  test('rated meeting links get a marked grade badge', async () => {
    for (const url of [ZOOM_MEETING, MEET_MEETING, TEAMS_MEETING]) {
      const expected = expectedBadge(url);
      assert.ok(expected.text.endsWith('\u2022'), `${url} is a meeting of a rated service in the snapshot`);
      const { tabId } = (tabs[url] = await visit(url));
      await assertBadge(tabId, url);
    }
    assert.match((await browser.badge(tabs[ZOOM_MEETING].tabId)).title, /^Candor: Zoom \u2014 /);
  });

  test('a pushState from a visit page to a meeting path changes the badge, and back', async () => {
    const start = 'https://zoom.us/spa/home';
    const { page, tabId } = await visit(start);
    await assertBadge(tabId, start);
    assert.ok(!expectedBadge(start).text.endsWith('\u2022'));
    await page.evaluate(() => window.go('/j/9876543210'));
    await assertBadge(tabId, 'https://zoom.us/j/9876543210');
    await page.evaluate(() => window.go('/spa/settings'));
    await assertBadge(tabId, 'https://zoom.us/spa/settings');
  });

  test('navigations, redirects and back/forward keep the badge right', async () => {
    const { page, tabId } = await visit('https://www.example.org/start');
    assert.equal((await browser.badge(tabId)).text, '');
    await page.goto(`https://redirector.example.net/redirect?to=${encodeURIComponent(MEET_MEETING)}`);
    assert.equal(page.url(), MEET_MEETING);
    await assertBadge(tabId, MEET_MEETING);
    await page.goto(`https://meet.google.com/redirect?to=${encodeURIComponent('https://www.example.org/elsewhere')}`);
    const cleared = await browser.waitForBadge(tabId, (b) => b.text === '');
    assert.equal(cleared.text, '', 'a redirect from a rated to an unrated site clears the badge');
    await page.goto(ZOOM_MEETING);
    await assertBadge(tabId, ZOOM_MEETING);
    await page.goBack();
    assert.equal((await browser.waitForBadge(tabId, (b) => b.text === '')).text, '');
    await page.goBack();
    await assertBadge(tabId, MEET_MEETING);
    await page.goForward();
    await page.goForward();
    await assertBadge(tabId, ZOOM_MEETING);
  });

  test('joining a meeting notifies once per service per day', async () => {
    const ids = await browser.inWorker(async () => Object.keys(await chrome.notifications.getAll()));
    const zoomIds = ids.filter((id) => id.endsWith(':zoom'));
    assert.equal(zoomIds.length, 1, `one Zoom notification, got ${JSON.stringify(ids)}`);
    assert.ok(ids.some((id) => id.endsWith(':google-meet')), JSON.stringify(ids));
    const notified = await browser.inWorker(async () => (await chrome.storage.local.get('notified')).notified);
    assert.ok(notified.zoom, 'the day of the Zoom notification is recorded');
  });

  test('badges survive a service worker restart, and a restarted worker badges new tabs', async () => {
    const tabId = tabs[ZOOM_MEETING].tabId;
    await browser.inWorker(() => {
      globalThis.candorTestMarker = 'before restart';
    });
    // Terminate the worker the way the browser does when it is idle.
    const session = await browser.context.browser().newBrowserCDPSession();
    const { targetInfos } = await session.send('Target.getTargets');
    const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(browser.url('')));
    assert.ok(worker, 'the extension has a service worker target');
    assert.equal((await session.send('Target.closeTarget', { targetId: worker.targetId })).success, true);
    await session.detach();
    // A navigation on a rated site wakes a fresh worker, which starts from storage.
    const page = await browser.context.newPage();
    await page.goto('https://us05web.zoom.us/j/42');
    await assertBadge(await browser.tabIdOf('https://us05web.zoom.us/j/42'), 'https://us05web.zoom.us/j/42');
    assert.equal(await browser.inWorker(() => globalThis.candorTestMarker ?? 'fresh'), 'fresh', 'the worker was restarted');
    // Tabs badged before the restart keep their badge.
    await assertBadge(tabId, ZOOM_MEETING);
    const spa = await visit('https://zoom.us/spa/after-restart');
    await spa.page.evaluate(() => window.go('/j/31337'));
    await assertBadge(spa.tabId, 'https://zoom.us/j/31337');
  });

  test('clicking the meeting notification opens the rating details', async () => {
    const { tabId } = tabs[ZOOM_MEETING];
    const before = new Set(browser.context.pages());
    const opened = await browser.inWorker(async (id) => {
      const [notificationId] = Object.keys(await chrome.notifications.getAll()).filter((n) => n.startsWith(`candor-meeting:${id}:`));
      await globalThis.candorDevelopment.onNotificationClicked(notificationId);
      return notificationId;
    }, tabId);
    assert.ok(opened, 'the Zoom tab had a notification');
    // Either the browser opened the real popup, or the same page opened in a tab.
    let contexts = [];
    for (let i = 0; i < 100 && !contexts.length; i++) {
      contexts = await browser.inWorker(async () =>
        (await chrome.runtime.getContexts({ contextTypes: ['POPUP', 'TAB'] }))
          .filter((c) => c.documentUrl.includes('/popup.html'))
          .map((c) => ({ type: c.contextType, url: c.documentUrl, tabId: c.tabId })),
      );
      if (!contexts.length) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(contexts.length, 1, 'one details page opened');
    const tabPage = browser.context.pages().find((p) => !before.has(p) && p.url().includes('/popup.html'));
    if (contexts[0].type === 'TAB') {
      assert.ok(tabPage.url().endsWith(`popup.html?tabId=${tabId}`));
      await tabPage.waitForSelector('body[data-ready="true"]');
      assert.equal(await tabPage.textContent('#service-name'), 'Zoom');
      await tabPage.close();
    }
    console.log(`notification click opened the details as a ${contexts[0].type}`);
  });

  // After the notification tests: navigating away and back here takes a few seconds, and
  // those read the notifications the meeting visits above just made.
  test('lookalike and unrated hosts get no badge', async () => {
    for (const url of [LOOKALIKE, UNRATED]) {
      const tab = await visit(url);
      const handled = await handledBefore(tab, ZOOM_VISIT);
      assert.ok(handled.some((u) => u.status === 'complete'), `${url}: its load was handled`);
      assert.deepEqual(handled.filter((u) => u.badge !== ''), [], `${url}: no badge was set`);
      if (url === UNRATED) tabs[url] = await visit(url); // for the popup below
    }
  });

  test('the popup shows the rating of a rated tab', async () => {
    const { tabId } = tabs[ZOOM_MEETING];
    const zoom = matchUrl(snapshotIndex, ZOOM_MEETING).service;
    const popup = await browser.context.newPage();
    await popup.setViewportSize({ width: 400, height: 600 });
    await popup.goto(browser.url(`popup.html?tabId=${tabId}`));
    await popup.waitForSelector('body[data-ready="true"]');
    assert.equal(await popup.textContent('#service-name'), zoom.name);
    assert.equal(await popup.textContent('#grade'), statusLine(zoom));
    assert.equal(await popup.textContent('#reviewed'), `Reviewed ${zoom.reviewed_on}`);
    assert.equal(await popup.locator('#stale').count(), zoom.stale ? 1 : 0);
    assert.ok(await popup.isVisible('#meeting'));
    assert.equal(await popup.locator('#criteria > li').count(), zoom.criteria.length);
    // The popup explains the letter: what it means on the scale, and the sub-scores.
    const meaning = snapshot.methodology.grades.find((g) => g.letter === zoom.grade).meaning;
    assert.equal(await popup.textContent('#grade-meaning'), `${zoom.grade}: ${meaning}`);
    for (const group of zoom.groups) {
      const row = popup.locator(`#sub-scores li[data-group="${group.id}"]`);
      assert.equal(await row.locator('.group-score').textContent(), group.score === null ? '\u2014' : String(group.score));
    }
    // Each criterion: the level in the methodology's words, the report period, and sources
    // as publisher and section, marked official or independent.
    for (const criterion of zoom.criteria) {
      const item = popup.locator(`#criteria > li[data-criterion="${criterion.id}"]`);
      assert.equal(await item.locator('.level').textContent(), snapshot.methodology.level_labels[criterion.level]);
      if (criterion.latest_period_end) {
        assert.match(await item.locator('.period').textContent(), new RegExp(`covers up to ${criterion.latest_period_end}`));
      }
      assert.equal(await item.locator('.sources li').count(), criterion.sources.length);
      for (const [i, source] of criterion.sources.entries()) {
        const li = item.locator('.sources li').nth(i);
        assert.equal(await li.locator('a').getAttribute('href'), new URL(source.url).href);
        assert.match(await li.locator('a').textContent(), new RegExp(`: ${source.section.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
        assert.equal(await li.locator('.source-kind').textContent(), source.kind === 'official' ? 'Official' : 'Independent');
      }
    }
    // What pulls the grade down most: the criteria with the largest loss, first.
    const expected = losses(zoom, snapshot.methodology).slice(0, 3).map((l) => l.id);
    assert.deepEqual(await popup.locator('#pulls-down li').evaluateAll((items) => items.map((li) => li.dataset.criterion)), expected);
    assert.ok(expected.length > 0);
    const links = await popup.locator('footer a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
    assert.deepEqual(links, [
      ['Full rating and history', `${build.apiUrl}/services/${zoom.slug}`],
      ['How grades are given', `${build.apiUrl}/methodology`],
      ['Report an error', `${build.apiUrl}/services/${zoom.slug}#report`],
    ]);
    // No hashes: the data line gives a date, not the dataset version.
    const dataLine = await popup.textContent('#data-version');
    assert.ok(!dataLine.includes(snapshot.version.slice(0, 6)), dataLine);
    assert.match(dataLine, /^Built-in data from \d{4}-\d{2}-\d{2}$/);
    await assertAccessible(popup, 'popup (rated)');
    // By keyboard: Tab reaches the first criterion, Enter opens its evidence.
    const first = popup.locator('#criteria details').first();
    assert.equal(await first.evaluate((d) => d.open), false);
    await popup.locator('#criteria summary').first().focus();
    await popup.keyboard.press('Enter');
    assert.equal(await first.evaluate((d) => d.open), true);
    assert.ok(await first.locator('.evidence').isVisible());
    await popup.keyboard.press('Enter');
    assert.equal(await first.evaluate((d) => d.open), false);
    let reached = false;
    await popup.locator('body').focus();
    for (let i = 0; i < 40 && !reached; i++) {
      await popup.keyboard.press('Tab');
      reached = await popup.evaluate(() => document.activeElement?.textContent === 'Report an error');
    }
    assert.ok(reached, 'Tab reaches "Report an error"');
    await first.evaluate((d) => (d.open = true));
    await popup.evaluate(() => document.activeElement?.blur());
    // Every criterion links to the site's error form, prefilled with service and criterion.
    for (const criterion of zoom.criteria) {
      const href = await popup.locator(`#criteria > li[data-criterion="${criterion.id}"] a.report`).getAttribute('href');
      const url = new URL(href);
      assert.equal(`${url.origin}${url.pathname}`, `${build.apiUrl}/suggest`);
      assert.equal(url.searchParams.get('service'), zoom.slug);
      assert.equal(url.searchParams.get('criterion'), criterion.id);
    }
    // "Ask the company": one click to the letter on the service's page.
    assert.equal(await popup.getAttribute('#ask a', 'href'), `${build.apiUrl}/services/${zoom.slug}#ask`);
    assert.match(await popup.textContent('#ask a'), new RegExp(`^Ask ${zoom.company.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} to do better`));
    await popup.screenshot({ path: path.join(SCREENSHOTS_DIR, 'popup.png'), fullPage: true });
    // The store picture: the same popup, centred on a 1280x800 canvas.
    await popup.setViewportSize({ width: 1280, height: 800 });
    await popup.evaluate(() => {
      document.documentElement.style.background = '#dfe6ee';
      Object.assign(document.body.style, { margin: '24px auto', boxShadow: '0 6px 24px rgba(0,0,0,.25)', borderRadius: '8px' });
    });
    await popup.screenshot({ path: path.join(STORE_SCREENSHOTS_DIR, '1-popup.png') });
    await popup.close();
  });

  test('the popup says "Not rated" on an unrated tab, with a suggestion link', async () => {
    const popup = await browser.context.newPage();
    await popup.setViewportSize({ width: 400, height: 260 });
    await popup.goto(browser.url(`popup.html?tabId=${tabs[UNRATED].tabId}`));
    await popup.waitForSelector('body[data-ready="true"]');
    assert.equal(await popup.textContent('#service-name'), 'Not rated');
    // What Candor rates, and a link to the list.
    assert.match(await popup.textContent('#what-candor-rates'), new RegExp(`^Candor rates ${snapshot.services.length} video-call`));
    const links = await popup.locator('footer a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.equal(links[0], `${build.apiUrl}/`);
    // Without host access the extension cannot know the host: the link has none.
    assert.match(links[1], /\/suggest(\?host=|$)/);
    await assertAccessible(popup, 'popup (unrated)');
    await popup.screenshot({ path: path.join(SCREENSHOTS_DIR, 'popup-unrated.png') });
    await popup.close();
  });

  test('the options page shows the data, the settings and the badge legend', async () => {
    const options = await browser.context.newPage();
    await options.setViewportSize({ width: 800, height: 900 });
    await options.goto(browser.url('options.html'));
    await options.waitForSelector('body[data-ready="true"]');
    assert.equal(await options.inputValue('#api-url'), build.apiUrl);
    assert.equal(await options.isChecked('#notifications'), true);
    assert.equal(await options.textContent('[data-field="version"]'), snapshot.version);
    assert.equal(await options.locator('#legend li').count(), 8);
    await assertAccessible(options, 'options');
    await options.locator('#legend').screenshot({ path: path.join(SCREENSHOTS_DIR, 'badges.png') });
    await options.screenshot({ path: path.join(SCREENSHOTS_DIR, 'options.png'), fullPage: true });
    await options.setViewportSize({ width: 1280, height: 800 });
    await options.screenshot({ path: path.join(STORE_SCREENSHOTS_DIR, '2-options.png') });
    await options.setViewportSize({ width: 800, height: 900 });
    // By keyboard: Tab from the top reaches the API URL, Save, Update now and the checkbox;
    // Space toggles it.
    await options.locator('body').focus();
    const order = [];
    for (let i = 0; i < 4; i++) {
      await options.keyboard.press('Tab');
      order.push(await options.evaluate(() => document.activeElement?.id));
    }
    assert.deepEqual(order, ['api-url', 'save-api', 'update-now', 'notifications']);
    await options.keyboard.press('Space');
    assert.equal(await options.isChecked('#notifications'), false);
    await options.keyboard.press('Space');
    assert.equal(await options.isChecked('#notifications'), true);
    await options.close();
    const privacy = await extensionPage('privacy.html');
    assert.match(await privacy.textContent('#fetched-urls'), /\/v1\/bundle, .*\/v1\/bundle\.sig$/);
    await assertAccessible(privacy, 'privacy policy');
    await privacy.screenshot({ path: path.join(SCREENSHOTS_DIR, 'privacy.png'), fullPage: true });
    await privacy.close();
  });

  test('with notifications turned off, joining a meeting does not notify', async () => {
    const url = 'https://acme.webex.com/meet/someone';
    const expected = expectedBadge(url);
    assert.ok(expected.text.endsWith('\u2022'), `${url} is a meeting in the snapshot`);
    const options = await browser.context.newPage();
    await options.goto(browser.url('options.html'));
    await options.waitForSelector('body[data-ready="true"]');
    await options.uncheck('#notifications');
    await browser.inWorker(async () => {
      for (let i = 0; i < 50 && (await chrome.storage.local.get('settings')).settings?.notifications !== false; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    const { tabId } = await visit(url);
    await assertBadge(tabId, url);
    // The meeting was handled (badge set and the notification decided) for the loaded page.
    const handled = await waitForHandled(tabId, (updates) => updates.some((u) => u.url === url && u.status === 'complete'));
    assert.ok(handled.some((u) => u.url === url && u.status === 'complete'), JSON.stringify(handled));
    const ids = await browser.inWorker(async () => Object.keys(await chrome.notifications.getAll()));
    assert.ok(!ids.some((id) => id.startsWith(`candor-meeting:${tabId}:`)), JSON.stringify(ids));
    await options.check('#notifications');
    await options.close();
  });

  test('how soon the badge appears after the page answer starts (warm and cold worker)', async () => {
    // Read from an extension page, which stays up while the worker is stopped.
    const poller = await extensionPage('options.html');
    const session = await browser.context.browser().newBrowserCDPSession();
    const stopWorker = async () => {
      const { targetInfos } = await session.send('Target.getTargets');
      const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(browser.url('')));
      if (worker) await session.send('Target.closeTarget', { targetId: worker.targetId });
      for (let i = 0; i < 50 && browser.context.serviceWorkers().some((w) => w.url().startsWith(browser.url(''))); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    // Tab ids come through the poller too: the worker is not there to ask when cold.
    const tabIds = () => poller.evaluate(async () => (await chrome.tabs.query({})).map((t) => t.id));
    const measure = async (url) => {
      const before = new Set(await tabIds());
      const page = await browser.context.newPage();
      let tabId;
      for (let i = 0; i < 100 && tabId === undefined; i++) {
        tabId = (await tabIds()).find((id) => !before.has(id));
        if (tabId === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      const seen = poller.evaluate(async (id) => {
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          if (await chrome.action.getBadgeText({ tabId: id })) return Date.now();
        }
        return null;
      }, tabId);
      await page.goto(url);
      const at = await seen;
      await page.close();
      assert.ok(at, `a badge appeared for ${url}`);
      return at - server.responses.get(url);
    };
    const warm = [];
    for (let i = 0; i < 15; i++) warm.push(await measure(`https://us${String(i).padStart(2, '0')}web.zoom.us/j/${1000 + i}`));
    const cold = [];
    for (let i = 0; i < 5; i++) {
      await stopWorker();
      cold.push(await measure(`https://us${90 + i}web.zoom.us/j/${2000 + i}`));
    }
    await session.detach();
    await poller.close();
    const stats = (xs) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return `median ${sorted[Math.floor(sorted.length / 2)]} ms, min ${sorted[0]}, max ${sorted.at(-1)} (n=${xs.length})`;
    };
    console.log(`badge latency after the response starts, Chromium: warm worker ${stats(warm)}; cold worker ${stats(cold)}`);
    assert.equal(warm.length + cold.length, 20);
  });

  test('a refresh from an API that does not sign its bundle is refused, and the options page says why', async () => {
    const api = await startApi({ slug: 'zoom', level: 'full' });
    try {
      const options = await extensionPage('options.html');
      await options.fill('#api-url', api.url);
      await options.click('#save-api');
      await options.waitForSelector('#update-message.error', { timeout: 15_000 });
      assert.match(await options.textContent('#update-message'), /no signature from Candor/);
      assert.match(await options.textContent('[data-field="problem"]'), /refused: it carries no signature.*kept/);
      assert.ok(await options.isVisible('[data-field="retry"]'), 'the next try is shown');
      assert.notEqual(await options.textContent('[data-field="source"]'), 'downloaded from the API');
      // Back to the build's API for the tests that follow.
      await options.evaluate((apiUrl) => chrome.storage.local.set({ settings: { apiUrl, notifications: true } }), build.apiUrl);
      await options.close();
      await assertBadge(tabs[ZOOM_MEETING].tabId, ZOOM_MEETING);
    } finally {
      await api.stop();
    }
  });

  test('with the API down, the snapshot stays in use', async () => {
    const options = await browser.context.newPage();
    await options.goto(browser.url('options.html'));
    await options.waitForSelector('body[data-ready="true"]');
    await options.fill('#api-url', `http://127.0.0.1:${await freePort()}`);
    await options.click('#save-api');
    await options.waitForSelector('#update-message.error', { timeout: 15_000 });
    assert.match(await options.textContent('#update-message'), /Update failed/);
    await options.close();
    await assertBadge(tabs[ZOOM_MEETING].tabId, ZOOM_MEETING);
    const { tabId } = await visit(MEET_MEETING);
    await assertBadge(tabId, MEET_MEETING);
  });

  test('a refresh from the real API picks up a changed grade', async () => {
    // Move Zoom to the other end of the scale, whatever its grade is today.
    const zoomNow = matchUrl(snapshotIndex, ZOOM_MEETING).service;
    const api = await startApi({ slug: zoomNow.slug, level: zoomNow.grade === 'A' ? 'none' : 'full', synthetic: 1, signingKey: build.keyFile });
    try {
      const live = parseBundle(new Uint8Array(await (await fetch(`${api.url}/v1/bundle`)).arrayBuffer()));
      const liveIndex = buildIndex(live.services);
      const before = expectedBadge(ZOOM_MEETING);
      const after = expectedBadge(ZOOM_MEETING, liveIndex);
      assert.notEqual(after.text, before.text, 'the changed fixtures give Zoom another grade');

      const options = await browser.context.newPage();
      await options.goto(browser.url('options.html'));
      await options.waitForSelector('body[data-ready="true"]');
      await options.fill('#api-url', api.url);
      await options.click('#save-api');
      await options.waitForFunction(() => /Updated\./.test(document.getElementById('update-message').textContent), null, { timeout: 15_000 });
      assert.equal(await options.textContent('[data-field="version"]'), live.version);
      assert.equal(await options.textContent('[data-field="source"]'), 'downloaded from the API');

      // The open meeting tab is re-badged with the new grade, without reloading it.
      await assertBadge(tabs[ZOOM_MEETING].tabId, ZOOM_MEETING, liveIndex);

      // A service rated after the build: listed for a grant, and no access until granted.
      const added = live.services.find((service) => !snapshot.services.some((old) => old.slug === service.slug));
      assert.ok(added, 'the API has a service the snapshot lacks');
      await options.waitForSelector('#grant-access:not([hidden])');
      const missing = await options.locator('#missing-domains li').allTextContents();
      for (const domain of added.domains) assert.ok(missing.includes(`${domain} (${added.name})`), `${domain} is listed`);
      const newTab = await visit(`https://${added.domains[0]}/j/123`);
      const handled = await handledBefore(newTab, ZOOM_VISIT, liveIndex);
      assert.ok(handled.some((u) => u.status === 'complete'), 'the page load was handled');
      assert.deepEqual(handled.filter((u) => u.url !== null || u.badge !== ''), [], 'no badge without a grant: the URL is not even visible');

      // A second update is answered 304 (If-None-Match) and keeps the data.
      await options.click('#update-now');
      await options.waitForFunction(() => /Already up to date/.test(document.getElementById('update-message').textContent), null, { timeout: 15_000 });
      await options.close();

      // Stop the API: the downloaded copy (not the snapshot) stays in use.
      await api.stop();
      const { tabId } = await visit('https://zoom.us/j/777');
      await assertBadge(tabId, 'https://zoom.us/j/777', liveIndex);
    } finally {
      await api.stop();
    }
  });
});
