// Meeting path templates (docs/fixture-format.md), compiled once per bundle.
//
// Grammar and error cases mirror ratings/matching.py (MeetingPattern.compile). Matching
// does not use regular expressions: a segment is a sequence of literals and bounded
// character-class runs, checked by a set-of-positions walk that is linear in
// (segment length x tokens), so a hostile template or URL cannot make it slow.

import { InvalidInput, normaliseHost } from './host.js';

export const MAX_TEMPLATE_LENGTH = 512;

/** A template that does not follow the grammar. */
export class InvalidPattern extends Error {
  /**
   * @param {string} message
   */
  constructor(message) {
    super(message);
    this.name = 'InvalidPattern';
  }
}

/**
 * One step of a compiled segment: a literal, or `min` to `max` characters (code units)
 * passing `test`.
 * @typedef {{ literal: string, test?: undefined, min?: undefined, max?: undefined }
 *   | { literal?: undefined, test: (c: number) => boolean, min: number, max: number }} Token
 */
/**
 * A compiled path template: per segment a token list, or null for `*`; `rest`: a final
 * `**` takes the rest of the path.
 * @typedef {{ segments: (Token[] | null)[], rest: boolean }} CompiledPath
 */
/** @typedef {CompiledPath & { host: string | null, query: string[] }} CompiledPattern */
/** @typedef {import('./host.js').ParsedUrl} ParsedUrl */

/** @type {Record<string, (c: number) => boolean>} */
const CLASSES = {
  d: (c) => c >= 0x30 && c <= 0x39,
  a: (c) => c >= 0x61 && c <= 0x7a,
  w: (c) =>
    (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === 0x7e || c === 0x2d,
  x: (c) => c !== 0x2f,
};
const PLACEHOLDER = /\{([dawx])(?:(\d{1,3})(?:-(\d{1,3}))?)?\}/g;
const LITERAL = /^[a-z0-9_.~!$&'()*+,;=:@%-]*$/;

/**
 * Compile a path template into { segments, rest }: one entry per template segment
 * (null for `*`, else a token list) and whether a final `**` takes the rest.
 * @param {unknown} template
 * @returns {CompiledPath}
 */
export function compilePath(template) {
  if (typeof template !== 'string' || !template.startsWith('/') || template.length > MAX_TEMPLATE_LENGTH) {
    throw new InvalidPattern("a path template starts with '/' and is at most 512 characters");
  }
  const parts = template.split('/').slice(1);
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  const rest = parts.length > 0 && parts[parts.length - 1] === '**';
  if (rest) parts.pop();
  const segments = parts.map((part) => (part === '*' ? null : compileSegment(part)));
  return { segments, rest };
}

/**
 * @param {string} part
 * @returns {Token[]}
 */
function compileSegment(part) {
  if (part === '**' || !part) {
    throw new InvalidPattern("'**' may only end a template, and segments may not be empty");
  }
  const tokens = [];
  let position = 0;
  for (const placeholder of part.matchAll(PLACEHOLDER)) {
    pushLiteral(tokens, part.slice(position, placeholder.index));
    const [whole, kind, low, high] = placeholder;
    let min = 1;
    let max = Infinity;
    if (low !== undefined) {
      min = Number(low);
      max = high === undefined ? min : Number(high);
      if (max < min) throw new InvalidPattern(`bad count in ${JSON.stringify(whole)}`);
      if (min === 0) throw new InvalidPattern(`a count must be at least 1 in ${JSON.stringify(whole)}`);
    }
    tokens.push({ test: CLASSES[kind], min, max });
    position = placeholder.index + whole.length;
  }
  pushLiteral(tokens, part.slice(position));
  return tokens;
}

/**
 * @param {Token[]} tokens
 * @param {string} text
 */
function pushLiteral(tokens, text) {
  if (!LITERAL.test(text)) {
    throw new InvalidPattern(`invalid literal ${JSON.stringify(text)}: lowercase, no braces or '*'`);
  }
  if (text) tokens.push({ literal: text });
}

/**
 * Whether one (lowercased, non-empty) URL segment matches a compiled token list.
 * @param {Token[]} tokens
 * @param {string} segment
 */
export function matchSegment(tokens, segment) {
  if (tokens.length === 1 && tokens[0].literal !== undefined) return tokens[0].literal === segment;
  const n = segment.length;
  // reach[p]: the tokens so far can match segment[0..p) exactly.
  let reach = new Uint8Array(n + 1);
  reach[0] = 1;
  for (const token of tokens) {
    const next = new Uint8Array(n + 1);
    let any = false;
    if (token.literal !== undefined) {
      const len = token.literal.length;
      for (let p = 0; p + len <= n; p++) {
        if (reach[p] && segment.startsWith(token.literal, p)) {
          next[p + len] = 1;
          any = true;
        }
      }
    } else {
      // run[p]: how many characters of the class start at p. From each reachable p the
      // token can end anywhere in [p+min, p+min(max, run)]: mark those ranges with a
      // difference array, so the step stays linear.
      const run = new Int32Array(n + 1);
      for (let p = n - 1; p >= 0; p--) run[p] = token.test(segment.charCodeAt(p)) ? run[p + 1] + 1 : 0;
      const diff = new Int32Array(n + 2);
      for (let p = 0; p <= n; p++) {
        if (!reach[p]) continue;
        const lo = p + token.min;
        const hi = p + Math.min(token.max, run[p]);
        if (lo <= hi) {
          diff[lo] += 1;
          diff[hi + 1] -= 1;
        }
      }
      for (let q = 0, open = 0; q <= n; q++) {
        open += diff[q];
        if (open > 0) {
          next[q] = 1;
          any = true;
        }
      }
    }
    if (!any) return false;
    reach = next;
  }
  return reach[n] === 1;
}

/**
 * Whether a normalised URL path matches a compiled template.
 * @param {CompiledPath} compiled
 * @param {string} path
 */
export function matchPath(compiled, path) {
  const segments = path.toLowerCase().split('/').slice(1);
  if (segments.length && segments[segments.length - 1] === '') segments.pop();
  const wanted = compiled.segments.length;
  if (segments.length < wanted || (!compiled.rest && segments.length !== wanted)) return false;
  for (let i = 0; i < wanted; i++) {
    const segment = segments[i];
    if (!segment) return false;
    const tokens = compiled.segments[i];
    if (tokens !== null && !matchSegment(tokens, segment)) return false;
  }
  return true;
}

/**
 * Compile a meeting pattern {path, host, query} from the bundle. Throws InvalidPattern
 * (or InvalidInput for a bad host restriction).
 */
/**
 * @param {{ path: unknown, host?: unknown, query?: string[] }} pattern as the bundle gives it
 * @returns {CompiledPattern}
 */
export function compileMeetingPattern({ path, host = null, query = [] }) {
  const compiled = compilePath(path);
  if (host !== null) {
    if (typeof host !== 'string') throw new InvalidPattern('host must be a string or null');
    const bare = host.startsWith('*.') ? host.slice(2) : host;
    let canonical;
    try {
      canonical = normaliseHost(bare);
    } catch (error) {
      if (error instanceof InvalidInput) throw new InvalidPattern(`host ${JSON.stringify(host)}: ${error.message}`);
      throw error;
    }
    if (canonical !== bare) throw new InvalidPattern(`host ${JSON.stringify(host)} is not a lowercase A-label host`);
  }
  return { ...compiled, host, query: [...query] };
}

/**
 * @param {string} host
 * @param {string} rule
 */
function hostMatches(host, rule) {
  if (rule.startsWith('*.')) {
    const base = rule.slice(2);
    return host === base || host.endsWith('.' + base);
  }
  return host === rule;
}

/**
 * Whether a parsed URL ({host, path, query}) matches a compiled meeting pattern.
 * @param {CompiledPattern} pattern
 * @param {ParsedUrl} url
 */
export function matchMeetingPattern(pattern, url) {
  if (pattern.host !== null && !hostMatches(url.host, pattern.host)) return false;
  if (!matchPath(pattern, url.path)) return false;
  if (pattern.query.length) {
    const present = new Set(url.query.filter(([, value]) => value).map(([name]) => name));
    if (!pattern.query.every((name) => present.has(name))) return false;
  }
  return true;
}
