// Differential fuzzing: thousands of generated hosts and URLs, built from the whole
// bundle (test/support/fuzz-cases.js), answered by the extension's matcher running inside
// each real browser (Chromium, and Firefox ESR), and by the Python matcher
// (ratings/matching.py, through test/support/python-matcher.py) on the same bundle. Any
// crash on either side, or any disagreement, fails. The shared vectors pin the contract;
// this catches the corners nobody thought to write down, in the URL parsers the extension
// really runs on, not in Node's.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { loadTestBundle } from '../support/bundle.js';
import { generateCases } from '../support/fuzz-cases.js';
import { EXTENSION_DIR, PROJECT_ROOT, VENV_PYTHON } from '../support/paths.js';
import { launchPlainChromium } from './support/browser.js';
import { launchPlainFirefox } from './support/firefox.js';

const CASES = Number(process.env.CANDOR_FUZZ_CASES ?? 20000);

async function matcherScript() {
  const result = await build({
    stdin: {
      contents: `import { buildIndex, InvalidInput, matchHost, matchUrl } from './src/lib/matcher.js';
        globalThis.candorMatcher = { buildIndex, InvalidInput, matchHost, matchUrl };`,
      resolveDir: EXTENSION_DIR,
    },
    bundle: true, format: 'iife', write: false, logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

// Runs in the page: the extension's matcher on every case. A thrown error that is not
// InvalidInput is a crash, reported as such.
function answerAll({ services, cases }) {
  const { buildIndex, InvalidInput, matchHost, matchUrl } = globalThis.candorMatcher;
  const index = buildIndex(services);
  return cases.map((c) => {
    try {
      const m = c.kind === 'host' ? matchHost(index, c.input) : matchUrl(index, c.input);
      return { host: m.host, service: m.service?.slug ?? null, meeting: m.meeting };
    } catch (error) {
      if (error instanceof InvalidInput) return { error: true };
      return { crash: `${error?.name}: ${error?.message}` };
    }
  });
}

function pythonAnswers(bundle, cases) {
  const dir = mkdtempSync(path.join(tmpdir(), 'candor-fuzz-'));
  try {
    const file = path.join(dir, 'bundle.json');
    writeFileSync(file, JSON.stringify(bundle));
    const result = spawnSync(VENV_PYTHON, [path.join(EXTENSION_DIR, 'test', 'support', 'python-matcher.py'), file], {
      cwd: PROJECT_ROOT,
      input: cases.map((c) => JSON.stringify(c)).join('\n') + '\n',
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim().split('\n').map((line) => JSON.parse(line));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compare(name, cases, js, python) {
  assert.equal(js.length, cases.length);
  assert.equal(python.length, cases.length);
  const crashes = [];
  const differences = [];
  cases.forEach((c, i) => {
    if (python[i].crash) crashes.push({ side: 'python', case: c, crash: python[i].crash });
    if (js[i].crash) crashes.push({ side: name, case: c, crash: js[i].crash });
    if (!python[i].crash && !js[i].crash && JSON.stringify(js[i]) !== JSON.stringify(python[i])) {
      differences.push({ case: c, [name]: js[i], python: python[i] });
    }
  });
  const mix = {
    cases: cases.length,
    hosts: cases.filter((c) => c.kind === 'host').length,
    urls: cases.filter((c) => c.kind === 'url').length,
    invalid: python.filter((a) => a.error).length,
    rated: python.filter((a) => a.service).length,
    meetings: python.filter((a) => a.meeting).length,
    nonAscii: cases.filter((c) => /\P{ASCII}/u.test(c.input)).length,
    crashes: crashes.length,
    disagreements: differences.length,
  };
  console.log(`differential fuzzing in ${name}: ${JSON.stringify(mix)}`);
  assert.deepEqual(crashes.slice(0, 10), [], `${crashes.length} crashes`);
  assert.deepEqual(differences.slice(0, 10), [], `${differences.length} disagreements`);
  // Cases that only ever fail parsing would test nothing: the mix must reach every branch.
  assert.ok(mix.invalid > CASES / 20 && mix.cases >= CASES && mix.rated > CASES / 4 && mix.meetings > CASES / 20 && mix.nonAscii > CASES / 10, JSON.stringify(mix));
}

describe('differential fuzzing: the extension matcher in real browsers against the Python matcher', { timeout: 240_000 }, () => {
  let bundle;
  let cases;
  let python;
  let script;

  before(async () => {
    bundle = loadTestBundle();
    // Hosts where the old approximations disagreed, first: Arabic-Indic digits beside Latin
    // letters (the bidi rule), joiners, symbols, invalid Punycode, full-width letters.
    cases = [
      ...['https://x\u0661.zoom.us/j/123', 'https://\u0661\u0662.zoom.us/j/1', 'https://\u05d0\u0661.zoom.us/', 'https://a\u200d.zoom.us/',
        'https://\u2615.zoom.us/j/1', 'https://xn--zz.zoom.us/j/1', 'https://\uff5a\uff4f\uff4f\uff4d.us/j/5', 'https://zo\u00f6m.us/j/1'].map((input) => ({ kind: 'url', input })),
      ...generateCases(bundle, CASES),
    ];
    python = pythonAnswers(bundle, cases);
    script = await matcherScript();
  });

  test('Chromium', async () => {
    const browser = await launchPlainChromium();
    try {
      const page = await browser.newPage();
      await page.addScriptTag({ content: script });
      const js = await page.evaluate(answerAll, { services: bundle.services, cases });
      compare('chromium', cases, js, python);
    assert.deepEqual(python[0], { error: true }, 'x\u0661.zoom.us is not a valid host on either side');
    } finally {
      await browser.close();
    }
  });

  test('Firefox ESR', async () => {
    const browser = await launchPlainFirefox();
    try {
      const page = await browser.newPage();
      await page.addScriptTag({ content: script });
      const js = await page.evaluate(answerAll, { services: bundle.services, cases });
      compare('firefox', cases, js, python);
    } finally {
      await browser.close();
    }
  });
});
