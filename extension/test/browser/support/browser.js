// Chromium with the built extension loaded, and helpers to read a tab's badge through
// the extension's own service worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium without the extension (for the matcher's differential fuzzing). */
export async function launchPlainChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: false, args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update'] });
}

export async function launch({ httpsPort, extension }) {
  const profile = mkdtempSync(path.join(tmpdir(), 'candor-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    // The new headless mode runs extensions; Playwright's own flag would pick the old one.
    headless: false,
    viewport: { width: 1000, height: 700 },
    args: [
      '--headless=new',
      `--disable-extensions-except=${extension}`,
      `--load-extension=${extension}`,
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      `--host-resolver-rules=MAP * 127.0.0.1:${httpsPort}, EXCLUDE 127.0.0.1`,
      '--ignore-certificate-errors',
    ],
  });
  let worker = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
  worker ??= await context.waitForEvent('serviceworker', { timeout: 15_000 });
  const extensionId = new URL(worker.url()).host;
  const browser = new ExtensionBrowser(context, extensionId);
  browser.close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return browser;
}

export class ExtensionBrowser {
  constructor(context, extensionId) {
    this.context = context;
    this.extensionId = extensionId;
  }

  url(file) {
    return `chrome-extension://${this.extensionId}/${file}`;
  }

  /** The extension's service worker, waking it (or waiting for it) when it is stopped. */
  async worker() {
    const running = this.context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${this.extensionId}/`));
    if (running) return running;
    return this.context.waitForEvent('serviceworker', { timeout: 15_000 });
  }

  /** Run `fn(arg)` inside the service worker (where `chrome.*` is the extension's). */
  async inWorker(fn, arg) {
    for (let attempt = 0; ; attempt++) {
      const worker = await this.worker();
      try {
        return await worker.evaluate(fn, arg);
      } catch (error) {
        // The worker stopped between lookup and call: find the new one.
        if (attempt >= 3 || !/Target|closed|destroyed/i.test(String(error))) throw error;
      }
    }
  }

  /** The id of the (only) tab showing `url`; the extension sees URLs of rated sites only. */
  async tabIdOf(url) {
    for (let i = 0; i < 100; i++) {
      const ids = await this.inWorker(async (u) => (await chrome.tabs.query({})).filter((t) => t.url === u).map((t) => t.id), url);
      if (ids.length === 1) return ids[0];
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no single tab shows ${url}`);
  }

  async tabIds() {
    return this.inWorker(async () => (await chrome.tabs.query({})).map((t) => t.id));
  }

  /** A new tab; resolves to { page, tabId } once the extension can see the tab. */
  async newTab() {
    const before = new Set(await this.tabIds());
    const page = await this.context.newPage();
    for (let i = 0; i < 100; i++) {
      const added = (await this.tabIds()).filter((id) => !before.has(id));
      if (added.length === 1) return { page, tabId: added[0] };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('could not find the new tab');
  }

  async badge(tabId) {
    return this.inWorker(async (id) => ({
      text: await chrome.action.getBadgeText({ tabId: id }),
      color: await chrome.action.getBadgeBackgroundColor({ tabId: id }),
      title: await chrome.action.getTitle({ tabId: id }),
    }), tabId);
  }

  /** Poll the badge until `check(badge)` holds; returns the last badge seen. */
  async waitForBadge(tabId, check, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      last = await this.badge(tabId);
      if (check(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    return last;
  }
}
