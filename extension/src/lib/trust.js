// Whether a downloaded bundle may replace the data in use: it carries a valid Ed25519
// signature by the key pinned in this build, it is not older than the data in use (no
// rollback to an old dataset), and it does not drop too many services at once.
// WebCrypto's Ed25519 is in Chrome 137+, Firefox 129+ and Node 18.4+.
import { MAX_DROP_SHARE } from './config.js';

/** Why a bundle was refused, in words for the options page. */
export class Untrusted extends Error {
  /**
   * @param {string} reason
   * @param {string} message
   */
  constructor(reason, message) {
    super(message);
    this.name = 'Untrusted';
    this.reason = reason; // 'unsigned' | 'signature' | 'rollback' | 'mass-drop'
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * @param {unknown} text
 * @returns {Uint8Array<ArrayBuffer> | null}
 */
export function decodeBase64(text) {
  const clean = typeof text === 'string' ? text.trim() : '';
  if (!clean || clean.length % 4 !== 0 || !BASE64.test(clean)) return null;
  const binary = atob(clean);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * Resolves if `signature` (base64 text) is the pinned key's over `bytes`; throws Untrusted.
 * @param {Uint8Array<ArrayBuffer>} bytes
 * @param {string} signature
 * @param {string | null} publicKey
 */
export async function verifySignature(bytes, signature, publicKey) {
  const key = decodeBase64(publicKey);
  if (!key || key.length !== 32) throw new Untrusted('unsigned', 'this build has no valid bundle key');
  const raw = decodeBase64(signature);
  if (!raw || raw.length !== 64) throw new Untrusted('unsigned', 'the bundle is not signed');
  const imported = await crypto.subtle.importKey('raw', key, { name: 'Ed25519' }, false, ['verify']);
  if (!(await crypto.subtle.verify({ name: 'Ed25519' }, imported, raw, bytes))) {
    throw new Untrusted('signature', 'the bundle signature does not match Candor\u2019s key');
  }
}

/**
 * Throws Untrusted if `next` may not replace `current` (both validated bundles): older by
 * generated_at, or missing more than MAX_DROP_SHARE of current's services.
 * @param {Bundle} current
 * @param {Bundle} next
 */
export function checkSuccession(current, next) {
  if (!current) return;
  if (Date.parse(next.generated_at) < Date.parse(current.generated_at)) {
    throw new Untrusted('rollback', `the bundle (${next.generated_at}) is older than the data in use (${current.generated_at})`);
  }
  const kept = new Set(next.services.map((s) => s.slug));
  const dropped = current.services.filter((s) => !kept.has(s.slug)).length;
  if (current.services.length && dropped / current.services.length > MAX_DROP_SHARE) {
    throw new Untrusted('mass-drop', `the bundle drops ${dropped} of the ${current.services.length} rated services at once`);
  }
}
