// Generated hosts and URLs for the differential fuzzing of the two matchers (the
// extension's, in a real browser, and ratings/matching.py). Built from the whole bundle:
// every domain and every meeting template, then mutated the ways hostile or exotic input
// differs from the ordinary: Unicode look-alikes and other scripts, digits of other
// scripts, joiners and bidi characters, full-width forms, case, percent-escapes, ports,
// user info, dots, and paths that nearly match a template. Deterministic (seeded).

export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Characters that exercise the host parsers' corners: other scripts' digits (bidi class
// AN/EN), right-to-left letters, joiners, combining marks, symbols, full-width and
// compatibility forms, look-alike Cyrillic and Greek letters, dots of other scripts.
const EXOTIC = [
  '\u0661', '\u06f1', '\u0966', '\u05d0', '\u0627', '\u200d', '\u200c', '\u0301', '\u0308', '\u2615', '\u00df',
  '\u03c2', '\u0131', '\u0130', '\uff5a', '\uff10', '\u2460', '\u00b2', '\u043e', '\u0430', '\u03bf', '\u3002',
  '\uff0e', '\uff61', '\u00e9', 'e\u0301', '\u1e9e', '\u212a', '\ufb01', '\u2024', '\u00ad', '\u034f', '\u200b',
  '\u0640', '\u30fb', '\u0f0b', '\u2044', '\u01c5', '\u1100', '\uac00', '\u4e2d', '\u0e01', '\u00a0', '\u2028',
  '\ud83d\ude00', '\u202e', '\u061c', '-', '_', '.', '%', '%2e', '%41', '%c3%a9', '%ff', '%00', '%zz', 'xn--', '0x', '1',
];
const SCHEMES = ['https://', 'http://', 'HTTPS://', 'hTtP://', 'ftp://', 'https:', 'https:/', 'https:///', 'javascript:', 'ws://'];
const QUERIES = ['', '?', '?MTID=m1', '?MTID=', '?MTID', '?mtid=1', '?x=1&MTID=&MTID=2', '?MT%49D=1', '??MTID=1', '?MTID=+', '?key=%', '?a=%c3'];
const FRAGMENTS = ['', '#', '#?MTID=1', '#/j/1'];
const TLDS = ['com', 'us', 'net', 'io', 'de', 'xn--p1ai', 'example', '1', '0x1f', 'localhost', 'co.uk'];

/** A path the template (docs/fixture-format.md) should match, with random parts. */
function pathFrom(template, random) {
  const classes = {
    d: '0123456789',
    a: 'abcdefghijklmnopqrstuvwxyz',
    w: 'abcdefghijklmnopqrstuvwxyz0123456789_.~-',
    x: 'abcdefghijklmnopqrstuvwxyz0123456789_.~-!$&()*+,;=:@%AZ',
  };
  const run = (chars, min, max) => {
    const n = min + Math.floor(random() * (Math.min(max, min + 12) - min + 1));
    let out = '';
    for (let i = 0; i < n; i++) out += chars[Math.floor(random() * chars.length)];
    return out;
  };
  return template
    .split('/')
    .map((part) => {
      if (part === '*') return run(classes.w, 1, 10);
      if (part === '**') return Array.from({ length: Math.floor(random() * 3) }, () => run(classes.w, 1, 6)).join('/');
      return part.replace(/\{([dawx])(?:(\d{1,3})(?:-(\d{1,3}))?)?\}/g, (_, kind, low, high) => {
        const min = low === undefined ? 1 : Number(low);
        const max = low === undefined ? 12 : high === undefined ? min : Number(high);
        return run(classes[kind], min, max);
      });
    })
    .join('/');
}

function mutateText(text, random) {
  const pick = (items) => items[Math.floor(random() * items.length)];
  const roll = random();
  if (!text) return pick(EXOTIC);
  const at = Math.floor(random() * (text.length + 1));
  if (roll < 0.35) return text.slice(0, at) + pick(EXOTIC) + text.slice(at); // insert
  if (roll < 0.6) return text.slice(0, at) + pick(EXOTIC) + text.slice(at + 1); // replace
  if (roll < 0.7) return text.slice(0, at) + text.slice(at + 1); // delete
  if (roll < 0.8) return text.toUpperCase();
  if (roll < 0.9) return [...text].map((c) => (random() < 0.3 ? `%${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c)).join('');
  return text.replace(/[a-z]/g, (c) => (random() < 0.3 ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)); // full-width
}

function hostFor(domains, random) {
  const pick = (items) => items[Math.floor(random() * items.length)];
  const domain = pick(domains);
  const roll = random();
  if (roll < 0.25) return domain;
  if (roll < 0.4) return `${pick(['www', 'us02web', 'a-b', 'x1', 'm', 'join'])}.${domain}`;
  if (roll < 0.7) return mutateText(domain, random);
  if (roll < 0.8) return `${mutateText(pick(['zoom', 'meet', 'teams', 'signal', 'webex']), random)}.${pick(TLDS)}`;
  if (roll < 0.85) return `${domain}.${pick(['evil.com', 'example', ''])}`;
  if (roll < 0.9) return `${pick(['user@', 'a:b@', 'evil.com@', ''])}${domain}${pick([':443', ':', ':99999', ':0x1', ':8080', ''])}`;
  if (roll < 0.95) return pick(['127.0.0.1', '[::1]', 'localhost', '0x7f.1', '1.2.3', '', '.', 'a..b', `${'a'.repeat(64)}.com`, `${'abcdefghi.'.repeat(26)}com`]);
  return mutateText(mutateText(domain, random), random);
}

/** `count` cases ({kind: 'url'|'host', input}) from a validated bundle. */
export function generateCases(bundle, count, seed = 20261130) {
  const random = rng(seed);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const services = bundle.services;
  const domains = services.flatMap((s) => s.domains);
  const cases = [];
  for (let i = 0; i < count; i++) {
    if (random() < 0.3) {
      cases.push({ kind: 'host', input: hostFor(domains, random) });
      continue;
    }
    const service = pick(services);
    const pattern = service.meeting_patterns.length && random() < 0.7 ? pick(service.meeting_patterns) : null;
    let host;
    if (pattern?.host && random() < 0.7) {
      host = pattern.host.startsWith('*.') ? `${pick(['a', 'us02web', 'x-y'])}.${pattern.host.slice(2)}` : pattern.host;
    } else {
      host = random() < 0.6 ? pick(service.domains) : hostFor(domains, random);
    }
    let path = pattern ? pathFrom(pattern.path, random) : pick(['', '/', '/pricing', '/j/', '/download', '/a/../j/5', '/%6a/1']);
    if (random() < 0.3) path = mutateText(path, random);
    let query = pick(QUERIES);
    if (pattern?.query?.length && random() < 0.7) query = `?${pattern.query.map((q) => `${q}=v${i}`).join('&')}`;
    const scheme = random() < 0.85 ? pick(['https://', 'http://']) : pick(SCHEMES);
    let url = scheme + host + path + query + pick(FRAGMENTS);
    if (random() < 0.03) url = ` ${url}`;
    if (random() < 0.03) url = url.replace('.', '\\');
    cases.push({ kind: 'url', input: url });
  }
  return cases;
}
