// Host and URL normalisation: the canonical form every lookup starts from.
//
// This mirrors ratings/matching.py (normalise_host, parse_url) rule for rule, because the
// Python API and the extension must give the same answer for every URL; the shared
// vectors in tests/vectors/urls.json and the differential fuzzing hold both to it. We
// deliberately do not hand the whole URL to the WHATWG parser: it silently repairs input
// (backslashes, missing slashes, tabs) that the API rejects. It is used for one job only,
// a non-ASCII host to A-labels, where the Python side uses the same standard's parser
// (ada), so both apply one algorithm rather than two approximations of it.

/**
 * A URL as the matcher reads it: the normalised host and path, and the query's pairs.
 * @typedef {{ url: string, host: string, path: string, query: [string, string][] }} ParsedUrl
 */

export const MAX_URL_LENGTH = 2048;
export const MAX_HOST_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;

/** The input is not a valid host or http(s) URL; `message` says why. */
export class InvalidInput extends Error {
  /**
   * @param {string} message
   */
  constructor(message) {
    super(message);
    this.name = 'InvalidInput';
  }
}

// Control characters, whitespace and the backslash are refused outright: browsers strip
// or reinterpret them (`https://evil.com\@zoom.us` goes to evil.com).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\x00-\x20\x7f\\]/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const ASCII_LABEL = /^[a-z0-9_-]{1,63}$/;
// A numeric last label makes WHATWG parsers read the host as an IPv4 address.
const NUMERIC_LABEL = /^(0x[0-9a-f]*|[0-9]+)$/;
const ASCII_ONLY = /^\p{ASCII}*$/u;

/**
 * The canonical form of a host: lowercase A-labels, no trailing dot, no port.
 * Throws InvalidInput for IP literals, localhost, empty or over-long hosts and labels,
 * and anything that is not a domain name.
 * @param {unknown} raw
 * @returns {string}
 */
export function normaliseHost(raw) {
  if (typeof raw !== 'string') throw new InvalidInput('host must be a string');
  if (raw.length > MAX_URL_LENGTH || FORBIDDEN.test(raw)) {
    throw new InvalidInput('host contains forbidden characters or is too long');
  }
  let host = raw;
  if (host.startsWith('[')) throw new InvalidInput('IP literals are not rated');
  const colon = host.lastIndexOf(':');
  if (colon !== -1) {
    checkPort(host.slice(colon + 1));
    host = host.slice(0, colon);
  }
  if (host.includes('%')) {
    host = percentDecodeStrict(host);
    if (FORBIDDEN.test(host)) throw new InvalidInput('host contains forbidden characters');
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (!host) throw new InvalidInput('empty host');
  host = ASCII_ONLY.test(host) ? host.toLowerCase() : toAscii(host);
  if (host.length > MAX_HOST_LENGTH) throw new InvalidInput('host is longer than 253 characters');
  const labels = host.split('.');
  for (const label of labels) {
    if (!ASCII_LABEL.test(label)) {
      throw new InvalidInput(`invalid host label ${JSON.stringify(label.slice(0, 70))}`);
    }
  }
  const last = labels[labels.length - 1];
  if (NUMERIC_LABEL.test(last)) throw new InvalidInput('IP addresses are not rated');
  if (last === 'localhost') throw new InvalidInput('localhost is not rated');
  return host;
}

/**
 * @param {string} port
 */
function checkPort(port) {
  // An empty port (`zoom.us:`) is allowed, as URL parsers allow it.
  if (port && (!/^[0-9]{1,5}$/.test(port) || Number(port) > 65535)) {
    throw new InvalidInput('invalid port');
  }
}

// Characters that would end or change the host inside `http://<host>/`, so a label with
// them cannot be handed to the URL parser; none of them can survive the label check.
const URL_DELIMITERS = /[/?#@:[\]%]/;

/**
 * IDNA to A-labels by the WHATWG URL standard's host parser (UTS #46 with its CheckBidi,
 * CheckJoiners and Punycode rules), the browser's own. Anything that is not a plain
 * domain name fails later at the label check, exactly as in the Python matcher.
 * @param {string} host
 * @returns {string}
 */
function toAscii(host) {
  if (URL_DELIMITERS.test(host)) throw new InvalidInput('host is not a valid domain name');
  let ascii;
  try {
    ascii = new URL(`http://${host}/`).hostname;
  } catch {
    throw new InvalidInput('host is not a valid internationalised name');
  }
  // The URL parser turns number-like hosts into IPv4 and keeps IPv6 brackets: both are
  // IP literals. An empty result means the name mapped to nothing.
  if (!ascii || ascii.startsWith('[')) throw new InvalidInput('host is not a valid domain name');
  return ascii.toLowerCase();
}

/**
 * Percent-decoding that fails on invalid UTF-8, like Python's unquote(errors="strict").
 * @param {string} text
 */
function percentDecodeStrict(text) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(percentBytes(text));
  } catch {
    throw new InvalidInput('host has invalid percent-encoding');
  }
}

/**
 * Percent-decoding that replaces invalid UTF-8 with U+FFFD, like Python's unquote().
 * @param {string} text
 */
export function percentDecodeLenient(text) {
  if (!text.includes('%')) return text;
  return new TextDecoder('utf-8').decode(percentBytes(text));
}

const encoder = new TextEncoder();

// Bytes of `text` with every valid %XX escape decoded; invalid escapes stay as they are.
/**
 * @param {string} text
 */
function percentBytes(text) {
  const out = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      // i < text.length here, so there is a code point at i.
      const cp = /** @type {number} */ (text.codePointAt(i));
      const ch = String.fromCodePoint(cp);
      out.push(...encoder.encode(ch));
      i += ch.length;
    }
  }
  return Uint8Array.from(out);
}

/**
 * Split an absolute http(s) URL into the parts matching looks at: the normalised host,
 * the normalised path (dot segments resolved, non-ASCII percent-encoded) and the query
 * as [name, value] pairs. Throws InvalidInput.
 * @param {unknown} raw
 * @returns {ParsedUrl}
 */
export function parseUrl(raw) {
  if (typeof raw !== 'string') throw new InvalidInput('URL must be a string');
  if (raw.length > MAX_URL_LENGTH) throw new InvalidInput('URL is longer than 2048 characters');
  if (FORBIDDEN.test(raw)) {
    throw new InvalidInput('URL contains whitespace, control characters or a backslash');
  }
  const scheme = SCHEME.exec(raw);
  if (!scheme || !['http', 'https'].includes(scheme[1].toLowerCase())) {
    throw new InvalidInput('not an absolute http(s) URL');
  }
  let rest = raw.slice(scheme[0].length);
  if (rest.startsWith('/')) throw new InvalidInput('URL has no host');
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  let end = rest.length;
  for (const stop of ['/', '?']) {
    const index = rest.indexOf(stop);
    if (index !== -1) end = Math.min(end, index);
  }
  const authority = rest.slice(0, end);
  const tail = rest.slice(end);
  const host = normaliseHost(authority.slice(authority.lastIndexOf('@') + 1));
  const question = tail.indexOf('?');
  const path = question === -1 ? tail : tail.slice(0, question);
  const query = question === -1 ? '' : tail.slice(question + 1);
  return { url: raw, host, path: normalisePath(path), query: parseQuery(query) };
}

// Python's quote(path, safe="/%!$&'()*+,;=:@-._~"): these bytes stay, the rest is %XX.
const PATH_SAFE = /^[A-Za-z0-9/%!$&'()*+,;=:@\-._~]$/;

/**
 * Resolve dot segments and percent-encode non-ASCII, as a browser's URL parser does.
 * @param {string} path
 */
export function normalisePath(path) {
  if (!path) return '/';
  if (!ASCII_ONLY.test(path)) path = quotePath(path);
  /** @type {string[]} */
  const output = [];
  const segments = path.split('/').slice(1);
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    const lowered = segment.toLowerCase();
    if (lowered === '.' || lowered === '%2e') {
      if (last) output.push('');
    } else if (['..', '.%2e', '%2e.', '%2e%2e'].includes(lowered)) {
      output.pop();
      if (last) output.push('');
    } else {
      output.push(segment);
    }
  });
  return '/' + output.join('/');
}

/**
 * @param {string} path
 */
function quotePath(path) {
  let out = '';
  for (const ch of path) {
    if (PATH_SAFE.test(ch)) {
      out += ch;
    } else {
      for (const byte of encoder.encode(ch)) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

/**
 * Query pairs like Python's parse_qsl(query, keep_blank_values=True): split on '&',
 * skip empty fields, split each at the first '=', '+' is a space, percent-decoded.
 * @param {string} query
 * @returns {[string, string][]}
 */
export function parseQuery(query) {
  /** @type {[string, string][]} */
  const pairs = [];
  if (!query) return pairs;
  for (const field of query.split('&')) {
    if (!field) continue;
    const eq = field.indexOf('=');
    const name = eq === -1 ? field : field.slice(0, eq);
    const value = eq === -1 ? '' : field.slice(eq + 1);
    pairs.push([decodeQueryPart(name), decodeQueryPart(value)]);
  }
  return pairs;
}

/**
 * @param {string} text
 */
function decodeQueryPart(text) {
  return percentDecodeLenient(text.replaceAll('+', ' '));
}
