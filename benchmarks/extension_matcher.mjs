// The extension's matcher on a big bundle: bundle parse/validate/index time and the time
// to match one URL. Read-only use of the extension's own modules (extension/src/lib/).
//
// Usage: node benchmarks/extension_matcher.mjs BUNDLE.json VECTORS.json
// Prints one JSON object. Times are medians over repeated runs (the machine is noisy).

import { readFileSync } from 'node:fs';
import { MAX_BUNDLE_BYTES, validateBundle } from '../extension/src/lib/bundle.js';
import { buildIndex, matchUrl } from '../extension/src/lib/matcher.js';

const [bundlePath, vectorsPath] = process.argv.slice(2);
if (!bundlePath || !vectorsPath) {
  console.error('usage: extension_matcher.mjs BUNDLE.json VECTORS.json');
  process.exit(2);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

const bytes = readFileSync(bundlePath);

// What the extension does with a downloaded bundle: decode, JSON.parse, validate (which
// compiles every pattern), build the index. parseBundle() does the first three, but
// refuses anything over MAX_BUNDLE_BYTES before parsing; the steps are timed one by one
// here so that a bundle over that cap can still be measured (and the cap reported).
const parse = [];
const validate = [];
const index = [];
let bundle;
let idx;
for (let run = 0; run < 5; run += 1) {
  let start = process.hrtime.bigint();
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const raw = JSON.parse(text);
  parse.push(ms(start));
  start = process.hrtime.bigint();
  bundle = validateBundle(raw);
  validate.push(ms(start));
  start = process.hrtime.bigint();
  idx = buildIndex(bundle.services);
  index.push(ms(start));
}

// URLs to match: every shared vector that is a valid URL, plus for a spread of services
// a plain visit, a deep link on a subdomain and a meeting-looking link, plus unrated hosts.
const urls = [];
for (const testCase of JSON.parse(readFileSync(vectorsPath, 'utf-8')).cases) {
  if (typeof testCase.input === 'string') urls.push(testCase.input);
}
const services = bundle.services;
const step = Math.max(1, Math.floor(services.length / 2000));
for (let i = 0; i < services.length; i += step) {
  const domain = services[i].domains[0];
  urls.push(`https://${domain}/`, `https://app.${domain}/settings/profile?tab=2`, `https://${domain}/j/8551234567`);
  urls.push(`https://unrated-${i}.example.com/j/123`);
}

// Warm up the JIT, then time each call; the clock costs ~50 ns, far below a match.
const matchOne = (url) => {
  try {
    return matchUrl(idx, url);
  } catch {
    return null; // invalid input: still a timed lookup
  }
};
for (let round = 0; round < 3; round += 1) for (const url of urls) matchOne(url);
const perCall = [];
let matched = 0;
for (let round = 0; round < 5; round += 1) {
  for (const url of urls) {
    const start = process.hrtime.bigint();
    const result = matchOne(url);
    perCall.push(Number(process.hrtime.bigint() - start) / 1000);
    if (result && result.service) matched += 1;
  }
}

console.log(
  JSON.stringify({
    node: process.version,
    services: services.length,
    bundle_bytes: bytes.length,
    max_bundle_bytes: MAX_BUNDLE_BYTES,
    parse_ms: median(parse),
    validate_ms: median(validate),
    index_ms: median(index),
    urls: urls.length,
    matched_share: matched / perCall.length,
    match_median_us: median(perCall),
    match_p99_us: percentile(perCall, 99),
  }),
);
