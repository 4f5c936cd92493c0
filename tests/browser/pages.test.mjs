// Candor's public pages in headless Chromium, against a real `candor serve` on a fresh
// SQLite database loaded from fixtures/. Checks what a person would: the table loads,
// the plain GET filter form works with JavaScript switched off, a service page shows its
// criteria, the phone layout does not scroll sideways, the strict CSP blocks nothing.
// Screenshots land in docs/screenshots/.
//
//   npm --prefix tests/browser ci && npm --prefix tests/browser test
//
// Environment: CANDOR_BIN (default .venv/bin/candor), CHROMIUM_PATH (default
// /usr/bin/chromium; `apt-get install -y chromium`), CANDOR_SCREENSHOTS_DIR (default
// docs/screenshots; point it elsewhere to leave the committed pictures alone).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
      assert.match(snippets[0], /^<a href="[^"]+\/services\/zoom"><img src="[^"]+\/v1\/services\/zoom\/badge\.svg"/);
      assert.match(snippets[1], /^\[!\[Candor privacy rating of Zoom\]\([^)]+\/badge\.svg\)\]/);
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
