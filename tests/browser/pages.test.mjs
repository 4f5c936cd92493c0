// Candor's public pages in headless Chromium, against a real `candor serve` on a fresh
// SQLite database loaded from fixtures/. Checks what a person would: the table loads,
// the plain GET filter form works with JavaScript switched off, a service page shows its
// criteria, the phone layout does not scroll sideways, the strict CSP blocks nothing.
// /docs (Swagger UI) runs with JavaScript on and every other origin cut off: it must load,
// render, search and "try it out" on this server alone, and axe-core must find nothing
// wrong with the markup the project itself writes.
// Screenshots land in docs/screenshots/.
//
//   npm --prefix tests/browser ci && npm --prefix tests/browser test
//
// Environment: CANDOR_BIN (default .venv/bin/candor), CHROMIUM_PATH (default
// /usr/bin/chromium; `apt-get install -y chromium`), CANDOR_SCREENSHOTS_DIR (default
// docs/screenshots; point it elsewhere to leave the committed pictures alone).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const CANDOR = process.env.CANDOR_BIN ?? path.join(ROOT, '.venv', 'bin', 'candor');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FIXTURES = path.join(ROOT, 'fixtures');
const SCREENSHOTS = process.env.CANDOR_SCREENSHOTS_DIR ?? path.join(ROOT, 'docs', 'screenshots');
const READY_TIMEOUT_MS = 60_000;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Starts `candor serve` and resolves once /readyz answers 200; rejects with the server's
// log if it exits or takes too long.
async function startServer() {
  const workdir = mkdtempSync(path.join(os.tmpdir(), 'candor-pages-'));
  // A signing key made now, so GET /v1/bundle.sig answers like every other operation.
  const key = path.join(workdir, 'signing.pem');
  execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', key], { stdio: 'pipe' });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(
    CANDOR,
    ['serve', '--port', String(port), '--fixtures', FIXTURES, '--no-access-log'],
    {
      cwd: workdir,
      env: {
        ...process.env,
        CANDOR_DATABASE_URL: `sqlite://${path.join(workdir, 'candor.sqlite3')}`,
        // Generous: the test makes a few dozen requests and must never see a 429.
        CANDOR_RATE_LIMIT_PER_MINUTE: '100000',
        CANDOR_BUNDLE_SIGNING_KEY: key,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout.on('data', (chunk) => { log += chunk; });
  child.stderr.on('data', (chunk) => { log += chunk; });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(`candor serve exited (${JSON.stringify(exited)}):\n${log}`);
    }
    try {
      const response = await fetch(`${base}/readyz`);
      if (response.status === 200) {
        return { base, child, workdir, log: () => log };
      }
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  child.kill('SIGKILL');
  throw new Error(`candor serve was not ready within ${READY_TIMEOUT_MS} ms:\n${log}`);
}

async function stopServer(server) {
  if (!server) return;
  const { child, workdir } = server;
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
  rmSync(workdir, { recursive: true, force: true });
}

// Every page load is watched: no request may leave the server's origin, and nothing may
// be refused by the Content-Security-Policy (Chromium reports that on the console).
function watch(page, base) {
  const problems = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith('data:')) {
      problems.push(`request to another origin: ${url}`);
    }
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

async function api(base, pathname) {
  const response = await fetch(`${base}${pathname}`);
  assert.equal(response.status, 200, pathname);
  return response.json();
}

let server;
let browser;
let services;
let methodology;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  if (!existsSync(CANDOR)) {
    throw new Error(`no candor at ${CANDOR}: make setup, or set CANDOR_BIN`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  services = (await api(server.base, '/v1/services?per_page=100')).items;
  methodology = await api(server.base, '/v1/methodology');
});

after(async () => {
  await browser?.close();
  await stopServer(server);
});

// Pages must work with JavaScript off: every context runs without it (Playwright's own
// evaluate calls still work, in their own isolated world).
async function newPage(options = {}) {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    colorScheme: 'light',
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  const page = await context.newPage();
  return { context, page, problems: watch(page, server.base) };
}

const rowSlugs = (page) =>
  page.locator('table.services tbody tr[data-slug]').evaluateAll((rows) => rows.map((r) => r.dataset.slug));

describe('home page', () => {
  test('lists every rated service, with the grade chart and the stylesheet applied', async () => {
    const { context, page, problems } = await newPage();
    try {
      const response = await page.goto(`${server.base}/`);
      assert.equal(response.status(), 200);
      assert.match(response.headers()['content-type'], /^text\/html/);
      assert.match(response.headers()['content-security-policy'], /default-src 'none'/);

      const slugs = await rowSlugs(page);
      assert.equal(slugs.length, services.length);
      assert.deepEqual(new Set(slugs), new Set(services.map((s) => s.slug)));
      await assert.doesNotReject(page.locator('caption').filter({ hasText: `${services.length} of ${services.length} shown` }).waitFor());
      assert.equal(await page.locator('thead th[scope="col"]').count(), 6);

      const chartTitle = await page.locator('svg.chart > title').textContent();
      assert.match(chartTitle, new RegExp(`Grade distribution of ${services.length}`));
      assert.ok((await page.locator('svg.chart rect').count()) >= 3);

      // The external stylesheet loaded and applied (the CSP allows 'self' styles only).
      const headerBackground = await page.locator('header.site-header').evaluate(
        (el) => getComputedStyle(el).backgroundColor,
      );
      assert.equal(headerBackground, 'rgb(22, 50, 79)');

      const discontinued = services.filter((s) => s.status === 'discontinued');
      assert.equal(await page.locator('tr.discontinued .tag-discontinued').count(), discontinued.length);

      await page.screenshot({ path: path.join(SCREENSHOTS, 'home.png'), fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('the plain GET filter form narrows the rows without JavaScript', async () => {
    const { context, page, problems } = await newPage();
    try {
      await page.goto(`${server.base}/`);
      const zoom = services.find((s) => s.slug === 'zoom');
      await page.selectOption('#f-grade', zoom.grade);
      await page.fill('#f-q', 'zoom');
      await Promise.all([page.waitForURL(/[?&]q=zoom/), page.click('form.filters button[type="submit"]')]);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('grade'), zoom.grade);
      assert.deepEqual(await rowSlugs(page), ['zoom']);
      // The form keeps what was asked.
      assert.equal(await page.inputValue('#f-q'), 'zoom');
      assert.equal(await page.inputValue('#f-grade'), zoom.grade);

      // The brief's example URL: grade B, query, sorted by score.
      await page.goto(`${server.base}/?grade=B&q=zoom&sort=score`);
      const expectedB = services.filter((s) => s.grade === 'B' && s.name.toLowerCase().includes('zoom'));
      assert.equal((await rowSlugs(page)).length, expectedB.length);

      await page.goto(`${server.base}/?grade=B&sort=score`);
      const graded = services.filter((s) => s.grade === 'B');
      const shownB = await rowSlugs(page);
      assert.deepEqual(new Set(shownB), new Set(graded.map((s) => s.slug)));
      const scores = shownB.map((slug) => services.find((s) => s.slug === slug).score);
      assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'score sorts highest first');
      assert.equal(await page.getAttribute('th[data-key="score"]', 'aria-sort'), 'descending');

      // Clicking the sorted column's header reverses the order and keeps the filter.
      await Promise.all([page.waitForURL(/order=asc/), page.click('th[data-key="score"] a')]);
      assert.equal(new URL(page.url()).searchParams.get('grade'), 'B');
      const ascending = (await rowSlugs(page)).map((slug) => services.find((s) => s.slug === slug).score);
      assert.deepEqual(ascending, [...scores].reverse());

      // Status filter.
      await page.goto(`${server.base}/?status=discontinued`);
      assert.deepEqual(
        new Set(await rowSlugs(page)),
        new Set(services.filter((s) => s.status === 'discontinued').map((s) => s.slug)),
      );
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});

describe('service page', () => {
  test('shows every criterion with its level in words, sources, history and the embed snippet', async () => {
    const { context, page, problems } = await newPage();
    try {
      const response = await page.goto(`${server.base}/services/zoom`);
      assert.equal(response.status(), 200);
      assert.equal((await page.locator('h1').textContent()).trim(), 'Zoom');
      const criteria = page.locator('article.criterion');
      assert.equal(await criteria.count(), methodology.criteria.length);
      for (const criterion of methodology.criteria) {
        const article = page.locator(`#criterion-${criterion.id}`);
        assert.match(await article.locator('h4').textContent(), new RegExp(criterion.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        const level = (await article.locator('.level').textContent()).trim();
        assert.match(level, /^Level: (Full|Partial|None|No disclosure found|Not applicable)$/);
        const rels = await article.locator('.sources a').evaluateAll((links) => links.map((a) => a.rel));
        assert.ok(rels.length > 0, criterion.id);
        for (const rel of rels) assert.equal(rel, 'noopener nofollow');
      }
      assert.ok((await page.locator('table.history tbody tr').count()) >= 1);
      const snippets = await page.locator('.embed pre code').allTextContents();
      assert.equal(snippets.length, 2);
      // Relative: this server has no CANDOR_PUBLIC_URL, and links never come from the Host.
      assert.match(snippets[0], /^<a href="\/services\/zoom"><img src="\/v1\/services\/zoom\/badge\.svg"/);
      assert.match(snippets[1], /^\[!\[Candor privacy rating of Zoom\]\(\/v1\/services\/zoom\/badge\.svg\)\]/);
      // The badge image itself loads (same origin, allowed by img-src 'self').
      const badge = page.locator('.embed img');
      await badge.scrollIntoViewIfNeeded();
      assert.ok((await badge.evaluate((img) => img.complete && img.naturalWidth)) > 0);

      await page.screenshot({ path: path.join(SCREENSHOTS, 'service.png'), fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('an unknown service is an HTML 404 page', async () => {
    const { context, page } = await newPage();
    try {
      const response = await page.goto(`${server.base}/services/no-such-service`);
      assert.equal(response.status(), 404);
      assert.match(response.headers()['content-type'], /^text\/html/);
      assert.equal((await page.locator('h1').textContent()).trim(), 'Service not found');
    } finally {
      await context.close();
    }
  });
});

describe('accountability', () => {
  // From a service's page, with JavaScript off, a reader reaches its change feed, the open
  // dataset and the letter to the company; each is checked for what it must hold.
  test('a service page leads to its feed, the CSV and the letter', async () => {
    const { context, page, problems } = await newPage({ acceptDownloads: true });
    try {
      const zoom = await api(server.base, '/v1/services/zoom');
      await page.goto(`${server.base}/services/zoom`);
      const feeds = await page.locator('head link[rel="alternate"][type="application/atom+xml"]').evaluateAll(
        (links) => links.map((l) => l.getAttribute('href')),
      );
      assert.deepEqual(feeds, ['/services/zoom/changes.atom', '/changes.atom']);

      // 1. The service's change feed: a click, then a valid Atom document.
      const [feedResponse] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/services/zoom/changes.atom')),
        page.click('a.feed-link'),
      ]);
      assert.equal(feedResponse.status(), 200);
      assert.match(feedResponse.headers()['content-type'], /^application\/atom\+xml/);
      const feed = await page.evaluate((xml) => {
        const doc = new DOMParser().parseFromString(xml, 'application/xml');
        const ns = 'http://www.w3.org/2005/Atom';
        const root = doc.documentElement;
        const one = (el, name) => [...el.children].filter((c) => c.namespaceURI === ns && c.localName === name);
        return {
          error: doc.getElementsByTagName('parsererror').length,
          root: `${root.namespaceURI} ${root.localName}`,
          id: one(root, 'id')[0]?.textContent,
          self: one(root, 'link').find((l) => l.getAttribute('rel') === 'self')?.getAttribute('href'),
          entries: one(root, 'entry').map((e) => ({
            id: one(e, 'id')[0]?.textContent,
            updated: one(e, 'updated')[0]?.textContent,
            link: one(e, 'link')[0]?.getAttribute('href'),
          })),
        };
      }, await feedResponse.text());
      assert.equal(feed.error, 0);
      assert.equal(feed.root, 'http://www.w3.org/2005/Atom feed');
      assert.match(feed.id, /^urn:uuid:/);
      assert.equal(feed.self, `${server.base}/services/zoom/changes.atom`);
      const history = await api(server.base, '/v1/changes?service=zoom');
      assert.deepEqual(feed.entries.map((e) => e.id), history.items.map((i) => i.id));
      for (const entry of feed.entries) {
        assert.ok(!Number.isNaN(Date.parse(entry.updated)), entry.updated);
        assert.equal(entry.link, `${server.base}/services/zoom`);
      }

      // 2. The open dataset: the footer's CSV link downloads the release's file.
      await page.goto(`${server.base}/services/zoom`);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('footer a[href="/v1/dataset.csv"]'),
      ]);
      const version = (await api(server.base, '/readyz')).dataset_version;
      assert.equal(download.suggestedFilename(), `candor-dataset-${version}.csv`);
      const lines = readFileSync(await download.path(), 'utf8').split('\r\n').filter(Boolean);
      assert.match(lines[0], /^slug,service,company,status,criterion,/);
      assert.equal(lines.filter((line) => line.startsWith('zoom,')).length, methodology.criteria.length);
      assert.ok(lines.every((line, i) => i === 0 || line.includes('CC-BY-4.0') || !/^[a-z0-9-]+,/.test(line)));

      // 3. The letter: one click from the top of the page.
      await page.click(`a[href="#ask"]`);
      assert.equal(new URL(page.url()).hash, '#ask');
      const letter = page.locator('#ask-letter');
      assert.ok(await letter.isVisible());
      const text = await letter.inputValue();
      const weak = zoom.criteria.filter((c) => ['partial', 'none', 'no_disclosure'].includes(c.counted_level));
      assert.ok(weak.length > 0);
      for (const criterion of zoom.criteria) {
        const named = text.includes(`- ${criterion.name} (now:`);
        assert.equal(named, weak.includes(criterion), criterion.id);
      }
      const mailto = await page.getAttribute('#ask-mailto', 'href');
      assert.ok(mailto.startsWith(`${zoom.contact.url}?subject=`), mailto);
      const body = new URL(mailto).searchParams.get('body');
      assert.equal(`Subject: ${new URL(mailto).searchParams.get('subject')}\n\n${body.replaceAll('\r\n', '\n')}`, text);
      await page.locator('#ask').screenshot({ path: path.join(SCREENSHOTS, 'ask.png') });

      // And every criterion offers its own "Report an error", prefilled.
      await Promise.all([page.waitForURL(/\/suggest\?/), page.click('#criterion-e2ee_calls a.report-link')]);
      assert.equal(await page.inputValue('#s-criterion'), 'e2ee_calls');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('the changes page lists the changes and links its feed', async () => {
    const { context, page, problems } = await newPage();
    try {
      const response = await page.goto(`${server.base}/changes`);
      assert.equal(response.status(), 200);
      const all = await api(server.base, '/v1/changes?per_page=50');
      assert.equal(await page.locator('table.changes tbody tr').count(), all.items.length);
      assert.equal(await page.getAttribute('a.feed-link', 'href'), '/changes.atom');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'changes.png') });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});

describe('methodology page', () => {
  test('renders docs/methodology.md', async () => {
    const { context, page, problems } = await newPage();
    try {
      const response = await page.goto(`${server.base}/methodology`);
      assert.equal(response.status(), 200);
      assert.ok((await page.locator('article.prose h1').count()) === 1);
      assert.ok((await page.locator('article.prose h2').count()) >= 1);
      // The first screen only: the whole document is ten screens long.
      await page.screenshot({ path: path.join(SCREENSHOTS, 'methodology.png') });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});

describe('phone', () => {
  test('the home page fits a 390px-wide screen', async () => {
    const { context, page, problems } = await newPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      await page.goto(`${server.base}/`);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
      // Rows become cards: each cell shows its column name.
      const display = await page.locator('table.services tbody tr').first().evaluate(
        (row) => getComputedStyle(row).display,
      );
      assert.equal(display, 'block');
      // The services section: the filter form and the first rows as cards.
      await page.evaluate(() => document.getElementById('services-h').scrollIntoView());
      await page.screenshot({ path: path.join(SCREENSHOTS, 'phone-home.png') });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});

describe('API reference', () => {
  // The element Swagger UI renders into (api/docs.py). Everything inside it is Swagger UI's
  // markup; everything outside is ours.
  const CONTAINER = '#swagger-ui';
  const operationId = (tag, id) => `#operations-${tag}-${id}`;

  // A page with JavaScript on (Swagger UI needs it) whose every request to another origin
  // is aborted, as on a machine with no network, and recorded: none may even be tried.
  async function offlinePage() {
    const context = await browser.newContext({
      colorScheme: 'light',
      viewport: { width: 1280, height: 900 },
    });
    const attempted = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === server.base) return route.continue();
      attempted.push(url);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    // Chromium logs CSP refusals as console errors (watch() catches those); this also
    // keeps the event itself, with the directive, for a clearer failure.
    await page.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        window.cspViolations.push(`${event.effectiveDirective} refused ${event.blockedURI}`);
      });
    });
    return { context, page, attempted, problems: watch(page, server.base) };
  }

  async function openOperation(page, selector) {
    const operation = page.locator(selector);
    await operation.locator('.opblock-summary-control').click();
    await operation.locator('.opblock-body').waitFor();
    return operation;
  }

  // Try it out → Execute; the status and body of the live answer Swagger UI shows.
  async function tryItOut(operation, fill = async () => {}) {
    await operation.locator('button.try-out__btn').click();
    await fill();
    await operation.locator('button.execute').click();
    const live = operation.locator('.live-responses-table tbody .response');
    await live.waitFor({ timeout: 15_000 });
    const status = Number((await live.locator('.response-col_status').textContent()).trim());
    // A file (Content-Disposition: attachment, the open-data downloads) is offered as a
    // download link rather than shown.
    const body = await live
      .locator('.response-col_description .microlight, .response-col_description pre, .response-col_description a[download]')
      .first()
      .innerText();
    return { status, body };
  }

  test('serves Swagger UI offline: Markdown, search, try it out, schemas, site header, no axe violations of ours', async (t) => {
    const { context, page, attempted, problems } = await offlinePage();
    try {
      const response = await page.goto(`${server.base}/docs`);
      assert.equal(response.status(), 200);
      const csp = response.headers()['content-security-policy'];
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /connect-src 'self'/);
      assert.doesNotMatch(csp, /unsafe/);

      const openapi = await api(server.base, '/openapi.json');
      const operations = Object.values(openapi.paths).flatMap((methods) => Object.keys(methods));
      await page.locator(`${CONTAINER} .opblock`).first().waitFor();
      assert.equal(await page.locator(`${CONTAINER} .opblock`).count(), operations.length);
      assert.equal((await page.locator(`${CONTAINER} .info .title`).innerText()).split('\n')[0].trim(), openapi.info.title);

      // The site's own header and links back to the public pages, around Swagger UI.
      const nav = page.locator('header.site-header nav');
      assert.equal(await nav.locator('a[href="/"]').count(), 1);
      assert.equal(await nav.locator('a[href="/methodology"]').count(), 1);
      assert.equal(await nav.locator('a[href="/docs"]').getAttribute('aria-current'), 'page');
      assert.equal(await page.locator('main > h1').textContent(), 'API reference');

      // Descriptions are Markdown: backticks become code, never show as backticks.
      const rating = await openOperation(page, operationId('ratings', 'getRatingForHost'));
      const description = rating.locator('.opblock-description-wrapper');
      assert.equal(await description.locator('code').first().textContent(), 'zoom.us.evil.com');
      assert.doesNotMatch(await description.innerText(), /`/);

      // Try it out on /v1/ratings/zoom.us: the answer is the API's own.
      const expected = await api(server.base, '/v1/ratings/zoom.us');
      const answer = await tryItOut(rating, async () => {
        await rating.locator('tr[data-param-name="host"] input').fill('zoom.us');
      });
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.body), expected);
      await rating.locator('.live-responses-table').scrollIntoViewIfNeeded();
      // From the top of the page to the end of the live answer: header, operation, answer.
      const bottom = await rating.locator('.live-responses-table').evaluate(
        (el) => el.getBoundingClientRect().bottom + window.scrollY,
      );
      await page.screenshot({
        path: path.join(SCREENSHOTS, 'api-reference.png'),
        fullPage: true,
        clip: { x: 0, y: 0, width: 1280, height: Math.ceil(bottom) + 24 },
      });

      // The schema browser: a model expands into its properties (OpenAPI 3.1 schemas are
      // shown by Swagger UI's JSON Schema 2020-12 components).
      const model = page.locator(`${CONTAINER} section.models article[data-json-schema-level="0"]`).filter({
        has: page.locator('.json-schema-2020-12__title', { hasText: /^RatingSummary$/ }),
      });
      await model.scrollIntoViewIfNeeded();
      await model.locator('.json-schema-2020-12-accordion').first().click();
      const body = model.locator('.json-schema-2020-12-body').first();
      await page.waitForFunction((el) => !el.classList.contains('json-schema-2020-12-body--collapsed'), await body.elementHandle());
      const shown = (await body.locator('.json-schema-2020-12__title').allInnerTexts()).map((text) => text.trim());
      for (const property of openapi.components.schemas.RatingSummary.required) {
        assert.ok(shown.includes(property), `${property} not in ${shown}`);
      }

      // Search matches paths and summaries, not only tag names.
      const filter = page.getByRole('textbox', { name: 'Search operations' });
      const visibleIds = () => page.locator(`${CONTAINER} .opblock`).evaluateAll(
        (blocks) => blocks.map((block) => block.id.replace(/^operations-[^-]+-/, '')),
      );
      await filter.fill('badge');
      await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, `${CONTAINER} .opblock`);
      assert.deepEqual(await visibleIds(), ['getBadge']);
      await filter.fill('LOOKUP');
      await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 3, `${CONTAINER} .opblock`);
      assert.deepEqual((await visibleIds()).sort(), ['getHostsByPrefix', 'lookupUrl', 'lookupUrls']);
      await filter.fill('');
      await page.waitForFunction(
        ([sel, n]) => document.querySelectorAll(sel).length === n,
        [`${CONTAINER} .opblock`, operations.length],
      );

      // axe-core on the whole page: nothing may be wrong with the markup the project
      // writes (head, site header, intro, footer, the container itself). Nodes inside the
      // container are Swagger UI's markup and palette, shipped as the package builds them;
      // they are reported in the test's diagnostics, not failed. With Swagger UI 5.24 they
      // are color-contrast (its method badges, version pills and #4990e2 links on white),
      // nested-interactive (each operation's summary button holds its copy and lock
      // buttons) and button-name (the icon-only copy buttons of a live answer). A node that
      // axe cannot place (inside a frame or shadow root) counts as ours.
      await page.evaluate(AXE_SOURCE);
      // In both colour schemes: the site's colours change, Swagger UI's panel stays light.
      for (const colorScheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme });
        const violations = await page.evaluate(async (container) => {
          const results = await window.axe.run(document, { resultTypes: ['violations'] });
          return results.violations.map((violation) => ({
            id: violation.id,
            impact: violation.impact,
            nodes: violation.nodes.map((node) => ({
              target: node.target.join(' '),
              inside: node.target.length === 1
                && document.querySelector(node.target[0])?.closest(container) !== null,
            })),
          }));
        }, CONTAINER);
        const ours = violations
          .map((v) => ({ ...v, nodes: v.nodes.filter((node) => !node.inside) }))
          .filter((v) => v.nodes.length > 0);
        for (const v of violations) {
          const inside = v.nodes.filter((node) => node.inside);
          if (inside.length) {
            t.diagnostic(`${colorScheme}: Swagger UI's markup: ${v.id} (${v.impact}) on ${inside.length} node(s), e.g. ${inside[0].target}`);
          }
        }
        assert.deepEqual(ours, [], `axe violations in markup the project writes (${colorScheme})`);
      }

      assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
      assert.deepEqual(attempted, [], 'requests to other origins');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('try it out answers from this server for every GET and for POST /v1/lookup', async () => {
    const { context, page, attempted, problems } = await offlinePage();
    try {
      await page.goto(`${server.base}/docs`);
      const openapi = await api(server.base, '/openapi.json');
      await page.locator(`${CONTAINER} .opblock`).first().waitFor();
      const seen = [];
      for (const [route, methods] of Object.entries(openapi.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          if (method !== 'get') continue;
          const operation = await openOperation(page, operationId(op.tags[0], op.operationId));
          // Required parameters start with the document's examples (us02web.zoom.us, zoom…).
          const answer = await tryItOut(operation);
          assert.equal(answer.status, 200, `${method.toUpperCase()} ${route}: ${answer.body.slice(0, 200)}`);
          assert.ok(answer.body.length > 0, route);
          seen.push(route);
          // Closed again: the page stays small and the next operation's locators unique.
          await operation.locator('.opblock-summary-control').click();
        }
      }
      assert.ok(seen.includes('/v1/ratings/{host}') && seen.includes('/v1/services/{slug}/badge.svg'));

      const batch = await openOperation(page, operationId('ratings', 'lookupUrls'));
      const answer = await tryItOut(batch);
      assert.equal(answer.status, 200);
      const { example } = openapi.paths['/v1/lookup'].post.requestBody.content['application/json'];
      const results = JSON.parse(answer.body).results;
      assert.deepEqual(results.map((r) => r.url), example.urls);
      assert.equal(results[0].service.slug, 'zoom');
      assert.equal(results[0].meeting, true);
      assert.equal(results[1].service, null);

      assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
      assert.deepEqual(attempted, [], 'requests to other origins');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
