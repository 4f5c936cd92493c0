// The matcher's own cases, on the hand-made sample bundle: domain boundaries, the most
// specific domain, every template feature, hostile input and speed at scale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseBundle } from '../../src/lib/bundle.js';
import { buildIndex, InvalidInput, matchHost, matchUrl, tryMatchUrl } from '../../src/lib/matcher.js';
import { compilePath, compileMeetingPattern, InvalidPattern, matchPath, matchSegment } from '../../src/lib/template.js';
import { SAMPLE_BUNDLE } from '../support/paths.js';

const bundle = parseBundle(readFileSync(SAMPLE_BUNDLE, 'utf8'));
const index = buildIndex(bundle.services);
const slug = (url) => matchUrl(index, url).service?.slug ?? null;
const meeting = (url) => matchUrl(index, url).meeting;

test('domains match themselves and subdomains on label boundaries only', () => {
  assert.equal(slug('https://zoom.us/'), 'zoom');
  assert.equal(slug('https://us02web.zoom.us/j/1'), 'zoom');
  assert.equal(slug('https://zoom.us.evil.com/j/1'), null);
  assert.equal(slug('https://evilzoom.us/'), null);
  assert.equal(slug('https://zoom.usa.com/'), null);
  assert.equal(slug('https://us'), null);
});

test('the most specific domain wins', () => {
  assert.equal(slug('https://meet.google.com/abc-defg-hij'), 'google-meet');
  assert.equal(slug('https://x.meet.google.com/'), 'google-meet');
  assert.equal(slug('https://mail.google.com/'), 'google-workspace');
  assert.equal(slug('https://google.com/'), 'google-workspace');
});

test('hosts are normalised: case, trailing dot, port, userinfo, IDNA', () => {
  assert.equal(slug('HTTPS://US02WEB.ZOOM.US./J/123'), 'zoom');
  assert.equal(meeting('HTTPS://US02WEB.ZOOM.US./J/123'), true);
  assert.equal(slug('https://user:pw@zoom.us:8443/j/1'), 'zoom');
  assert.equal(slug('https://evil.com@zoom.us/'), 'zoom');
  assert.equal(slug('https://zoom.us@evil.com/'), null);
  // Cyrillic "о": a different host.
  assert.equal(matchUrl(index, 'https://z\u043e\u043em.us/j/1').host, 'xn--zm-fmca.us');
  assert.equal(slug('https://z\u043e\u043em.us/j/1'), null);
  assert.equal(matchHost(index, 'ZOOM.us.').service.slug, 'zoom');
  assert.equal(matchHost(index, 'zoom.us:443').service.slug, 'zoom');
});

test('invalid input is rejected', () => {
  const bad = [
    'ftp://zoom.us/', 'javascript:alert(1)', 'zoom.us/j/1', 'https:zoom.us', 'https:///zoom.us',
    'https://', 'https://127.0.0.1/', 'https://[::1]/', 'https://0x7f.1/', 'https://localhost/',
    'https://a.localhost/', 'https://zoom.us\\@evil.com/', 'https://zoom .us/', ' https://zoom.us/',
    'https://zoom.us:99999/', `https://${'a'.repeat(64)}.com/`, `https://${'abcdefghi.'.repeat(26)}com/`,
    `https://zoom.us/${'a'.repeat(2048)}`, 'https://a..b/', 'https://a\u200d.com/', 42, null,
  ];
  for (const input of bad) assert.throws(() => matchUrl(index, input), InvalidInput, String(input));
  for (const input of ['', '.', 'user@zoom.us', 'zoom.us/j', '1.2.3.4', '[::1]', 'localhost']) {
    assert.throws(() => matchHost(index, input), InvalidInput, input);
  }
  // A symbol is a valid name under the WHATWG URL standard (UTS #46), as browsers and the
  // Python side (ada) both say: it is just not rated.
  assert.equal(matchUrl(index, 'https://\u2615.us/').host, 'xn--53h.us');
  assert.deepEqual(tryMatchUrl(index, 'chrome://newtab/'), { host: null, service: null, meeting: false });
});

test('a URL of exactly 2048 characters is still matched', () => {
  const base = 'https://zoom.us/j/';
  assert.equal(slug(base + '1'.repeat(2048 - base.length)), 'zoom');
  assert.throws(() => matchUrl(index, base + '1'.repeat(2049 - base.length)), InvalidInput);
});

test('meeting patterns: digits, trailing slash, case, query, fragment', () => {
  assert.equal(meeting('https://zoom.us/j/123'), true);
  assert.equal(meeting('https://zoom.us/j/123/'), true);
  assert.equal(meeting('https://zoom.us/j/123//'), false);
  assert.equal(meeting('https://zoom.us/J/123?pwd=x#frag'), true);
  assert.equal(meeting('https://zoom.us/j/12a'), false);
  assert.equal(meeting('https://zoom.us/j/'), false);
  assert.equal(meeting('https://zoom.us/j/1/2'), false);
  assert.equal(meeting('https://zoom.us/s/123456789'), true);
  assert.equal(meeting('https://zoom.us/s/12345678'), false);
  assert.equal(meeting('https://zoom.us/s/123456789012'), false);
  assert.equal(meeting('https://zoom.us/a/../j/5'), true);
  assert.equal(meeting('https://meet.google.com/abc-defg-hij'), true);
  assert.equal(meeting('https://meet.google.com/abc-defg-hi'), false);
  assert.equal(meeting('https://meet.google.com/ab1-defg-hij'), false);
  assert.equal(meeting('https://meet.google.com/'), false);
  assert.equal(meeting('https://teams.microsoft.com/l/meetup-join/19%3ameeting_x/0?context=%7b%7d'), true);
  assert.equal(meeting('https://teams.microsoft.com/l/meetup-join'), true);
  assert.equal(meeting('https://teams.microsoft.com/l/chat/0'), false);
});

test('meeting patterns: host restrictions and required query parameters', () => {
  assert.equal(meeting('https://acme.webex.com/acme/j.php?MTID=m1'), true);
  assert.equal(meeting('https://webex.com/acme/j.php?MTID=m1'), true);
  assert.equal(meeting('https://acme.webex.com/acme/j.php?MTID='), false);
  assert.equal(meeting('https://acme.webex.com/acme/j.php?MTID'), false);
  assert.equal(meeting('https://acme.webex.com/acme/j.php?mtid=m1'), false);
  assert.equal(meeting('https://acme.webex.com/acme/j.php?x=1&MTID=&MTID=m2'), true);
  assert.equal(meeting('https://acme.webex.com/acme/j.php?MT%49D=m1'), true);
  assert.equal(meeting('https://acme.webex.com/acme/j.php#?MTID=m1'), false);
  assert.equal(meeting('https://call.whatsapp.com/voice/AbC'), true);
  assert.equal(meeting('https://www.whatsapp.com/voice/abc'), false);
  assert.equal(meeting('https://teams.live.com/meet/123'), true);
  assert.equal(meeting('https://teams.microsoft.com/meet/123'), false);
});

test('discontinued and ungraded services still match', () => {
  assert.equal(slug('https://bluejeans.com/123/abc'), 'bluejeans');
  assert.equal(meeting('https://bluejeans.com/123'), true);
  assert.equal(meeting('https://obscure-meet.example/room/x'), true);
});

test('template grammar: valid and invalid templates', () => {
  for (const ok of ['/', '/**', '/j/{d}', '/{a3}-{a4}-{a3}', '/l/meetup-join/**', '/*/j.php', '/s/{d9-11}', '/x/{w}{x}', "/a*b/c+d", '/{d999}']) {
    assert.doesNotThrow(() => compilePath(ok), ok);
  }
  for (const bad of ['', 'j/{d}', '/J/{d}', '/j//{d}', '/**/x', '/{z}', '/{d0}', '/{d5-3}', '/{d1000}', '/{d', '/d}', '/a b', '/é', `/${'a'.repeat(512)}`, 7]) {
    assert.throws(() => compilePath(bad), InvalidPattern, String(bad));
  }
  assert.throws(() => compileMeetingPattern({ path: '/j', host: 'Zoom.us' }), InvalidPattern);
  assert.throws(() => compileMeetingPattern({ path: '/j', host: '*.127.0.0.1' }), InvalidPattern);
});

test('segment matching handles counts and adjacent placeholders exactly', () => {
  const seg = (t, s) => matchSegment(compilePath(`/${t}`).segments[0], s);
  assert.equal(seg('{d2}{a2}', '12ab'), true);
  assert.equal(seg('{d2}{a2}', '123ab'), false);
  assert.equal(seg('{x}-{x}', 'a-b-c'), true);
  assert.equal(seg('{w}.php', 'j.php'), true);
  assert.equal(seg('{w}.php', '.php'), false);
  assert.equal(seg('{d1-3}{d2}', '12345'), true);
  assert.equal(seg('{d1-3}{d2}', '123456'), false);
  assert.equal(matchPath(compilePath('/'), '/'), true);
  assert.equal(matchPath(compilePath('/'), '/x'), false);
  assert.equal(matchPath(compilePath('/**'), '/'), true);
});

test('hostile templates and paths stay fast', () => {
  const template = `/${'{x}a'.repeat(40)}b`;
  const compiled = compilePath(template);
  const path = `/${'a'.repeat(2000)}`;
  const start = performance.now();
  assert.equal(matchPath(compiled, path), false);
  assert.ok(performance.now() - start < 200, 'a pathological segment took too long');
});

test('10,000 services: the index answers in microseconds', () => {
  const services = [];
  for (let i = 0; i < 10000; i++) {
    services.push({ slug: `svc-${i}`, domains: [`svc${i}.example`, `meet${i}.example.org`], meeting_patterns: [{ path: '/j/{d}', host: null, query: [] }] });
  }
  const big = buildIndex(services);
  const urls = Array.from({ length: 20000 }, (_, i) => `https://a.b.meet${i % 10000}.example.org/j/${i}`);
  const start = performance.now();
  for (const url of urls) assert.equal(matchUrl(big, url).meeting, true);
  const perMatch = ((performance.now() - start) * 1000) / urls.length;
  assert.ok(perMatch < 50, `${perMatch.toFixed(1)} µs per match`);
});
