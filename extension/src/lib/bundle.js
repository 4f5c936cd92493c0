// Validation of the bundle (docs/bundle-format.md) before anything uses it.
//
// A bundle comes from the network, so it is hostile until proven otherwise: every field
// is type- and size-checked, every domain and meeting pattern is compiled with the same
// code the matcher uses, and the result is a fresh object holding only the known fields.
// One bad field rejects the whole bundle: the caller keeps its last good copy.
// Limits follow ratings/fixtures/schema.py, with some headroom so that a legitimate bundle is
// never rejected by a stricter client.

import { getPublicSuffix } from 'tldts';
import { InvalidInput, normaliseHost, parseUrl } from './host.js';
import { compileMeetingPattern, InvalidPattern } from './template.js';

// 2: methodology v2 (sub-scores, source objects, report periods, grades and level words
// carried by the bundle). A format-1 bundle is refused: the last good copy stays.
export const SUPPORTED_FORMAT = 2;
export const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

export const LIMITS = {
  services: 20000,
  domainsPerService: 50,
  patternsPerService: 50,
  queryNames: 10,
  criteria: 50,
  sources: 20,
  levels: 16,
  name: 120,
  company: 200,
  summary: 1000,
  evidence: 2000,
  criterionName: 200,
  section: 300,
  grades: 26,
  groups: 20,
  meaning: 300,
  url: 2048,
  inside: 10,
};

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const IDENT = /^[a-z][a-z0-9_]{0,63}$/;
const VERSION = /^[A-Za-z0-9._-]{1,64}$/;
const QUERY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
// Text shown to people, by the server's rule (ratings/text.py; shared cases in
// tests/vectors/rules.json): no markup, no control character but tab and newline, no line
// or paragraph separator, no bidi mark, embedding, override or isolate.
// (\p{Cc} is exactly U+0000-U+001F and U+007F-U+009F.)
const UNSAFE_TEXT = /[[<>\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]--[\t\n]]/v;
// URLs are checked by the URL parser (which refuses controls and spaces), not as text.
const CONTROL = /\p{Cc}/u;
// The grade letters are the methodology's (the bundle lists them): a methodology that adds
// a grade must not make every installed copy refuse every future bundle.
const LETTER = /^[A-Z]$/;
const HEX_COLOUR = /^#[0-9A-Fa-f]{6}$/;
const STATUSES = new Set(['active', 'discontinued']);
const SOURCE_KINDS = new Set(['official', 'independent']);
export const KNOWN_LEVELS = new Set(['full', 'partial', 'none', 'no_disclosure', 'not_assessed', 'not_applicable']);

/** The bundle is unusable; `problems` lists where and why (first few only). */
export class InvalidBundle extends Error {
  /**
   * @param {string[]} problems
   */
  constructor(problems) {
    super(`invalid bundle: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`);
    this.name = 'InvalidBundle';
    this.problems = problems;
  }
}

// Thrown inside the walk and turned into InvalidBundle at the top: the first problem
// found is enough to reject, and stopping early bounds the work on junk input.
class Problem extends Error {}

/**
 * The ids a service may use: the methodology's.
 * @typedef {{ criteria: Set<string>, levels: Set<string>, grades: Set<string>, groups: Set<string> }} Known
 */

/**
 * @param {string} path
 * @param {string} message
 * @returns {never}
 */
function fail(path, message) {
  throw new Problem(`${path}: ${message}`);
}

/**
 * @param {unknown} value
 */
const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * @param {unknown} value
 * @param {string} path
 * @returns {Record<string, any>} the value, to be checked field by field
 */
function object(value, path) {
  if (!isObject(value)) fail(path, 'must be an object');
  return /** @type {Record<string, any>} */ (value);
}

/**
 * @param {unknown} value
 * @param {string} path
 * @param {number} max
 * @param {number} [min]
 * @returns {any[]} the value, to be checked item by item
 */
function array(value, path, max, min = 0) {
  if (!Array.isArray(value)) fail(path, 'must be an array');
  if (value.length > max) fail(path, `at most ${max} items`);
  if (value.length < min) fail(path, `at least ${min} item(s)`);
  return value;
}

/**
 * Why `value` is not plain text (the server's rule), or null.
 * @param {unknown} value
 */
export function textProblem(value) {
  if (typeof value !== 'string') return 'must be a string';
  if (UNSAFE_TEXT.test(value)) return 'contains a markup, control or bidi character';
  return null;
}

/**
 * @param {unknown} value
 * @param {string} path
 * @param {number} max
 * @param {{ min?: number }} [options]
 * @returns {string}
 */
function text(value, path, max, { min = 1 } = {}) {
  if (typeof value !== 'string') fail(path, 'must be a string');
  if (value.length < min || value.length > max) fail(path, `length must be ${min}..${max}`);
  const problem = textProblem(value);
  if (problem) fail(path, problem);
  return value;
}

/**
 * @param {unknown} value
 * @param {string} path
 * @param {RegExp} regex
 * @returns {string}
 */
function pattern(value, path, regex) {
  if (typeof value !== 'string' || !regex.test(value)) fail(path, 'has an invalid format');
  return value;
}

/**
 * @param {unknown} value
 * @param {string} path
 * @returns {string}
 */
function date(value, path) {
  const m = typeof value === 'string' ? DATE.exec(value) : null;
  if (!m) fail(path, 'must be a YYYY-MM-DD date');
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  if (parsed.getUTCFullYear() !== year || parsed.getUTCMonth() !== month - 1 || parsed.getUTCDate() !== day) {
    fail(path, 'is not a real date');
  }
  return m[0]; // the whole match of an anchored pattern: the value itself
}

/**
 * @param {unknown} value
 * @param {string} path
 * @returns {string}
 */
function httpUrl(value, path) {
  if (typeof value !== 'string') fail(path, 'must be a string');
  if (value.length < 1 || value.length > LIMITS.url) fail(path, `length must be 1..${LIMITS.url}`);
  if (CONTROL.test(value)) fail(path, 'contains control characters');
  try {
    parseUrl(value);
  } catch (error) {
    if (error instanceof InvalidInput) fail(path, `not an http(s) URL (${error.message})`);
    throw error;
  }
  return value;
}

/**
 * Why `value` cannot be a service's domain, or null: the server's rule
 * (ratings/fixtures/schema.py domain_problem; shared cases in tests/vectors/rules.json).
 * @param {unknown} value
 */
export function domainProblem(value) {
  if (typeof value !== 'string') return 'must be a string';
  let canonical;
  try {
    canonical = normaliseHost(value);
  } catch (error) {
    if (error instanceof InvalidInput) return error.message;
    throw error;
  }
  if (canonical !== value) return 'must be a lowercase A-label domain';
  // A bare top-level label ("com") would claim every site under it.
  if (!value.includes('.')) return 'must have at least two labels';
  // So would a public suffix ("co.uk", "github.io"): the Public Suffix List, both its
  // ICANN and its private sections, as the server's publicsuffixlist package reads it.
  if (getPublicSuffix(value, { allowPrivateDomains: true }) === value) return 'is a public suffix';
  return null;
}

/**
 * @param {unknown} value
 * @param {string} path
 * @returns {string}
 */
function domain(value, path) {
  const problem = domainProblem(value);
  if (problem) fail(path, problem);
  return /** @type {string} */ (value); // only a string has no problem
}

/**
 * A grade's badge colours, or null where the bundle gives none (a server from before the
 * colours were part of the methodology): the badge then draws that letter in a neutral
 * colour (src/lib/badge.js).
 * @param {any} raw
 * @param {string} path
 * @returns {GradeColours | null}
 */
function gradeColours(raw, path) {
  if (raw === undefined || raw === null) return null;
  object(raw, path);
  return {
    background: pattern(raw.background, `${path}.background`, HEX_COLOUR),
    text: pattern(raw.text, `${path}.text`, HEX_COLOUR),
  };
}

/**
 * @param {any} raw
 * @param {string} path
 * @returns {Methodology}
 */
function methodology(raw, path) {
  object(raw, path);
  if (!Number.isInteger(raw.version) || raw.version < 1) fail(`${path}.version`, 'must be a positive integer');
  const levels = array(raw.levels, `${path}.levels`, LIMITS.levels, 1).map((level, i) => {
    if (!KNOWN_LEVELS.has(level)) fail(`${path}.levels[${i}]`, 'unknown level');
    return level;
  });
  /** @type {Record<string, string>} */
  const levelLabels = {};
  object(raw.level_labels, `${path}.level_labels`);
  for (const level of levels) {
    levelLabels[level] = text(raw.level_labels[level], `${path}.level_labels.${level}`, LIMITS.criterionName);
  }
  const letters = new Set();
  const grades = array(raw.grades, `${path}.grades`, LIMITS.grades, 1).map((item, i) => {
    const where = `${path}.grades[${i}]`;
    object(item, where);
    const letter = pattern(item.letter, `${where}.letter`, LETTER);
    if (letters.has(letter)) fail(`${where}.letter`, 'duplicate grade');
    letters.add(letter);
    const min = item.min_score;
    if (min !== null && !(typeof min === 'number' && Number.isFinite(min) && min >= 0 && min <= 100)) {
      fail(`${where}.min_score`, 'must be a number 0..100 or null');
    }
    return {
      letter,
      min_score: min,
      meaning: text(item.meaning, `${where}.meaning`, LIMITS.meaning),
      colours: gradeColours(item.colours, `${where}.colours`),
    };
  });
  const groupIds = new Set();
  const groups = array(raw.groups, `${path}.groups`, LIMITS.groups, 1).map((item, i) => {
    const where = `${path}.groups[${i}]`;
    object(item, where);
    const id = pattern(item.id, `${where}.id`, IDENT);
    if (groupIds.has(id)) fail(`${where}.id`, 'duplicate group');
    groupIds.add(id);
    if (!(typeof item.weight === 'number' && Number.isFinite(item.weight) && item.weight > 0)) {
      fail(`${where}.weight`, 'must be a positive number');
    }
    return { id, name: text(item.name, `${where}.name`, LIMITS.criterionName), weight: item.weight };
  });
  const seen = new Set();
  const criteria = array(raw.criteria, `${path}.criteria`, LIMITS.criteria, 1).map((item, i) => {
    const where = `${path}.criteria[${i}]`;
    object(item, where);
    const id = pattern(item.id, `${where}.id`, IDENT);
    if (seen.has(id)) fail(`${where}.id`, 'duplicate criterion');
    seen.add(id);
    return {
      id,
      name: text(item.name, `${where}.name`, LIMITS.criterionName),
      group: groupIds.has(item.group) ? item.group : fail(`${where}.group`, 'not a group of the methodology'),
    };
  });
  /** @type {Methodology} */
  const clean = { version: raw.version, levels, level_labels: levelLabels, grades, groups, criteria };
  // What each scored level is worth (optional: the popup's "what pulls the grade down
  // most" needs it, nothing else does).
  if (raw.level_points !== undefined) {
    object(raw.level_points, `${path}.level_points`);
    clean.level_points = {};
    for (const [level, value] of Object.entries(raw.level_points)) {
      if (!levels.includes(level)) fail(`${path}.level_points.${level}`, 'not a level of the methodology');
      if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100)) {
        fail(`${path}.level_points.${level}`, 'must be a number 0..100');
      }
      clean.level_points[level] = /** @type {number} */ (value);
    }
  }
  return clean;
}

/**
 * @param {any} raw
 * @param {string} path
 * @param {string[]} domains
 * @returns {MeetingPattern[]}
 */
function meetingPatterns(raw, path, domains) {
  return array(raw, path, LIMITS.patternsPerService).map((item, i) => {
    const where = `${path}[${i}]`;
    object(item, where);
    const host = item.host ?? null;
    const query = item.query === undefined ? [] : array(item.query, `${where}.query`, LIMITS.queryNames);
    query.forEach((name, j) => pattern(name, `${where}.query[${j}]`, QUERY_NAME));
    const clean = { path: item.path, host, query: [...query] };
    try {
      compileMeetingPattern(clean);
    } catch (error) {
      if (error instanceof InvalidPattern || error instanceof InvalidInput) fail(where, error.message);
      throw error;
    }
    if (host !== null) {
      const bare = host.startsWith('*.') ? host.slice(2) : host;
      if (!domains.some((d) => bare === d || bare.endsWith(`.${d}`))) {
        fail(`${where}.host`, "lies outside the service's domains");
      }
    }
    return clean;
  });
}

/**
 * @param {any} raw
 * @param {string} path
 * @param {Known} known
 * @returns {ServiceCriterion[]}
 */
function criteria(raw, path, known) {
  const seen = new Set();
  return array(raw, path, LIMITS.criteria).map((item, i) => {
    const where = `${path}[${i}]`;
    object(item, where);
    const id = pattern(item.id, `${where}.id`, IDENT);
    if (!known.criteria.has(id)) fail(`${where}.id`, 'not a criterion of the methodology');
    if (seen.has(id)) fail(`${where}.id`, 'listed twice');
    seen.add(id);
    if (!known.levels.has(item.level)) fail(`${where}.level`, 'not a level of the methodology');
    if (!known.levels.has(item.counted_level)) fail(`${where}.counted_level`, 'not a level of the methodology');
    /** @type {ServiceCriterion} */
    const clean = {
      id,
      level: item.level,
      counted_level: item.counted_level,
      evidence: item.evidence == null ? null : text(item.evidence, `${where}.evidence`, LIMITS.evidence),
      sources: array(item.sources, `${where}.sources`, LIMITS.sources).map((source, j) => {
        const at = `${where}.sources[${j}]`;
        object(source, at);
        if (!SOURCE_KINDS.has(source.kind)) fail(`${at}.kind`, 'must be official or independent');
        return {
          url: httpUrl(source.url, `${at}.url`),
          kind: source.kind,
          section: text(source.section, `${at}.section`, LIMITS.section),
        };
      }),
    };
    if (item.latest_period_end !== undefined) clean.latest_period_end = date(item.latest_period_end, `${where}.latest_period_end`);
    return clean;
  });
}

/**
 * @param {any} raw
 * @param {string} path
 * @param {Known} known
 * @returns {Service}
 */
function service(raw, path, known) {
  object(raw, path);
  const domains = array(raw.domains, `${path}.domains`, LIMITS.domainsPerService, 1).map((d, i) =>
    domain(d, `${path}.domains[${i}]`),
  );
  if (raw.grade !== null && !known.grades.has(raw.grade)) fail(`${path}.grade`, 'must be a grade of the methodology or null');
  if (raw.score !== null && !(typeof raw.score === 'number' && Number.isFinite(raw.score) && raw.score >= 0 && raw.score <= 100)) {
    fail(`${path}.score`, 'must be a number 0..100 or null');
  }
  if (!STATUSES.has(raw.status)) fail(`${path}.status`, 'must be active or discontinued');
  if (typeof raw.stale !== 'boolean') fail(`${path}.stale`, 'must be a boolean');
  return {
    slug: pattern(raw.slug, `${path}.slug`, SLUG),
    name: text(raw.name, `${path}.name`, LIMITS.name),
    company: raw.company == null ? null : text(raw.company, `${path}.company`, LIMITS.company),
    status: raw.status,
    grade: raw.grade,
    score: raw.score,
    reviewed_on: date(raw.reviewed_on, `${path}.reviewed_on`),
    stale: raw.stale,
    summary: raw.summary == null ? '' : text(raw.summary, `${path}.summary`, LIMITS.summary, { min: 0 }),
    domains,
    // Absent in bundles from servers before nesting was declared: none then.
    inside: array(raw.inside ?? [], `${path}.inside`, LIMITS.inside).map((slug, i) => pattern(slug, `${path}.inside[${i}]`, SLUG)),
    meeting_patterns: meetingPatterns(raw.meeting_patterns ?? [], `${path}.meeting_patterns`, domains),
    groups: array(raw.groups, `${path}.groups`, LIMITS.groups).map((item, i) => {
      const where = `${path}.groups[${i}]`;
      object(item, where);
      if (!known.groups.has(item.id)) fail(`${where}.id`, 'not a group of the methodology');
      if (item.score !== null && !(Number.isInteger(item.score) && item.score >= 0 && item.score <= 100)) {
        fail(`${where}.score`, 'must be a whole number 0..100 or null');
      }
      return { id: item.id, score: item.score };
    }),
    criteria: criteria(raw.criteria, `${path}.criteria`, known),
  };
}

/**
 * A domain under another service's domain ("meet.example.com" under "example.com") only
 * where the service declares that service in `inside`: the server's rule
 * (ratings/fixtures/domains.py check_domains), so no service quietly takes part of another's site.
 * @param {Service[]} services
 */
function checkNesting(services) {
  const owners = new Map();
  services.forEach((s) => s.domains.forEach((d) => owners.set(d, s.slug)));
  services.forEach((s, i) => {
    s.domains.forEach((d, j) => {
      const labels = d.split('.');
      for (let start = 1; start < labels.length; start += 1) {
        const parent = labels.slice(start).join('.');
        const other = owners.get(parent);
        if (other !== undefined && other !== s.slug && !s.inside.includes(other)) {
          fail(`services[${i}].domains[${j}]`, `lies under ${parent}, a domain of ${other}, which it does not declare in inside`);
        }
      }
    });
  });
}

/**
 * Check a parsed bundle and return a clean copy holding only the known fields.
 * Throws InvalidBundle.
 * @param {any} raw parsed JSON, checked field by field here
 * @returns {Bundle}
 */
export function validateBundle(raw) {
  try {
    object(raw, 'bundle');
    if (raw.format !== SUPPORTED_FORMAT) fail('format', `unsupported format ${JSON.stringify(raw.format)?.slice(0, 20)}`);
    const version = pattern(raw.version, 'version', VERSION);
    const generatedAt = pattern(raw.generated_at, 'generated_at', DATETIME);
    if (Number.isNaN(Date.parse(generatedAt))) fail('generated_at', 'is not a real time');
    const method = methodology(raw.methodology, 'methodology');
    const known = {
      criteria: new Set(method.criteria.map((c) => c.id)),
      levels: new Set(method.levels),
      grades: new Set(method.grades.map((g) => g.letter)),
      groups: new Set(method.groups.map((g) => g.id)),
    };
    const slugs = new Set();
    const owners = new Map();
    const services = array(raw.services, 'services', LIMITS.services).map((item, i) => {
      const clean = service(item, `services[${i}]`, known);
      if (slugs.has(clean.slug)) fail(`services[${i}].slug`, 'duplicate slug');
      slugs.add(clean.slug);
      for (const d of clean.domains) {
        if (owners.has(d)) fail(`services[${i}].domains`, `${d} already belongs to ${owners.get(d)}`);
        owners.set(d, clean.slug);
      }
      return clean;
    });
    checkNesting(services);
    return { format: SUPPORTED_FORMAT, version, generated_at: generatedAt, methodology: method, services };
  } catch (error) {
    if (error instanceof Problem) throw new InvalidBundle([error.message]);
    throw error;
  }
}

/**
 * Parse and validate bundle JSON text (or bytes), enforcing the size limit first.
 * @param {unknown} input text or bytes; anything else is refused
 * @returns {Bundle}
 */
export function parseBundle(input) {
  /** @type {string} */
  let textValue;
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
    if (bytes.byteLength > MAX_BUNDLE_BYTES) throw new InvalidBundle([`larger than ${MAX_BUNDLE_BYTES} bytes`]);
    try {
      textValue = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new InvalidBundle(['not UTF-8 text']);
    }
  } else if (typeof input === 'string') {
    textValue = input;
  } else {
    throw new InvalidBundle(['not text']);
  }
  // Length in UTF-16 units is at most the UTF-8 byte count, so this is a safe bound.
  if (textValue.length > MAX_BUNDLE_BYTES) throw new InvalidBundle([`larger than ${MAX_BUNDLE_BYTES} bytes`]);
  let raw;
  try {
    raw = JSON.parse(textValue);
  } catch {
    throw new InvalidBundle(['not JSON']);
  }
  return validateBundle(raw);
}
