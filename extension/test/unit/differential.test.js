// Differential test: thousands of generated, mostly hostile URLs and hosts, answered by
// this matcher and by the Python one (ratings/matching.py) on the same bundle. The
// shared vectors pin the contract; this catches the corners nobody thought to write down.
// Skipped when the project's Python environment is not there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildIndex, InvalidInput, matchHost, matchUrl } from '../../src/lib/matcher.js';
import { PROJECT_ROOT, SAMPLE_BUNDLE, VENV_PYTHON, EXTENSION_DIR } from '../support/paths.js';
import { parseBundle } from '../../src/lib/bundle.js';
import { readFileSync } from 'node:fs';

const hasPython = existsSync(VENV_PYTHON) && existsSync(path.join(PROJECT_ROOT, 'ratings', 'matching.py'));

// A small deterministic PRNG, so a failure is reproducible.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generateCases(count) {
  const random = rng(20261128);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const schemes = ['https://', 'http://', 'HTTPS://', 'ftp://', 'https:', 'https:/', 'https:///', 'javascript:', 'hTtP://'];
  const hosts = [
    'zoom.us', 'us02web.zoom.us', 'ZOOM.US', 'zoom.us.', 'zoom.us..', 'zoom.us.evil.com', 'evilzoom.us', 'zoom.usa.com',
    'meet.google.com', 'mail.google.com', 'google.com', 'teams.microsoft.com', 'teams.live.com', 'acme.webex.com',
    'webex.com', 'call.whatsapp.com', 'www.whatsapp.com', 'bluejeans.com', 'obscure-meet.example', 'z\u043e\u043em.us',
    'b\u00fccher.de', 'fa\u00df.de', '\u2615.us', '-zoom.us', 'zoom-.us', '127.0.0.1', '0x7f.1', '1.2.3', '[::1]', 'localhost',
    'a.localhost', '', '.', 'a..b', 'xn--zz.com', 'XN--BCHER-KVA.de', 'zoom.us:443', 'zoom.us:', 'zoom.us:99999',
    'zoom.us:0x1', 'user@zoom.us', 'evil.com@zoom.us', 'zoom.us@evil.com', 'a:b@zoom.us:80', 'zoom%2eus', 'zoom.us%00',
    '%zz.com', 'z_oom.us', 'zoom.us\u3002', '\uff5a\uff4f\uff4f\uff4d.us', '\u2460.com', 'a'.repeat(64) + '.com',
    `${'abcdefghi.'.repeat(25)}zoom.us`, 'zoom.us/', 'foo.1', 'foo.0x', 'x.123abc',
  ];
  const paths = [
    '', '/', '/j/123', '/j/123/', '/j/123//', '/J/123', '/j/', '/j/12a', '/j/1/2', '/abc-defg-hij', '/ABC-DEFG-HIJ',
    '/abc-defg-hi', '/l/meetup-join/19%3ameeting/0', '/l/meetup-join', '/l/meetup-join/', '/acme/j.php', '/meet/123',
    '/voice/abc', '/video/', '/room/x', '/123/abc', '/a/../j/5', '/./j/5', '/j/%2e%2e/j/5', '/j/5/..', '/r\u00e9union',
    '/j/\u0661\u0662', '/%6a/123', '/s/123456789', '/wc/join/77', '/a b', '/a\\b', '/a\tb', '/{d}', '/j/1?x', '/*/j.php',
  ];
  const queries = ['', '?', '?MTID=m1', '?MTID=', '?MTID', '?mtid=1', '?x=1&MTID=&MTID=2', '?MT%49D=1', '??MTID=1', '?p=1', '?MTID=+', '?key=%'];
  const fragments = ['', '#', '#?MTID=1', '#/j/1'];
  const cases = [];
  for (let i = 0; i < count; i++) {
    if (random() < 0.15) {
      cases.push({ kind: 'host', input: pick(hosts) });
      continue;
    }
    // Mostly well-formed schemes and rated hosts, so that meeting logic gets exercised too.
    const scheme = random() < 0.8 ? pick(['https://', 'http://']) : pick(schemes);
    const host = random() < 0.6 ? pick(hosts.slice(0, 20)) : pick(hosts);
    let url = scheme + host + pick(paths) + pick(queries) + pick(fragments);
    if (random() < 0.1) url = ` ${url}`;
    if (random() < 0.05) url = url.replace('.', '\\');
    cases.push({ kind: 'url', input: url });
  }
  return cases;
}

function jsAnswer(index, c) {
  try {
    const m = c.kind === 'host' ? matchHost(index, c.input) : matchUrl(index, c.input);
    return { host: m.host, service: m.service?.slug ?? null, meeting: m.meeting };
  } catch (error) {
    if (error instanceof InvalidInput) return { error: true };
    throw error;
  }
}

test('the JS and Python matchers agree on generated input', { skip: !hasPython && 'no Python environment' }, () => {
  const cases = generateCases(4000);
  const result = spawnSync(VENV_PYTHON, [path.join(EXTENSION_DIR, 'test', 'support', 'python-matcher.py'), SAMPLE_BUNDLE], {
    cwd: PROJECT_ROOT,
    input: cases.map((c) => JSON.stringify(c)).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(result.status, 0, result.stderr);
  const answers = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(answers.length, cases.length);
  const index = buildIndex(parseBundle(readFileSync(SAMPLE_BUNDLE, 'utf8')).services);
  const differences = [];
  cases.forEach((c, i) => {
    const python = answers[i];
    if (python.crash) return; // reported separately below: not a matcher difference
    const js = jsAnswer(index, c);
    if (JSON.stringify(js) !== JSON.stringify(python)) differences.push({ case: c, js, python });
  });
  const crashes = new Set(answers.filter((a) => a.crash).map((a) => a.crash));
  if (crashes.size) console.log('Python matcher crashed on some input:', [...crashes]);
  const kinds = { error: answers.filter((a) => a.error).length, meeting: answers.filter((a) => a.meeting).length, rated: answers.filter((a) => a.service).length };
  assert.ok(kinds.error > 100 && kinds.meeting > 100 && kinds.rated > 500, `the generated cases cover too little: ${JSON.stringify(kinds)}`);
  console.log('case mix', kinds);
  const unique = new Map(differences.map((d) => [JSON.stringify(d.case), d]));
  assert.deepEqual([...unique.values()].slice(0, 10), [], `${unique.size} distinct differences`);
});
