// An Ed25519 key pair for tests, made with WebCrypto: sign(bytes) -> base64 signature.
export async function makeSigner() {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const publicKey = Buffer.from(raw).toString('base64');
  const sign = async (bytes) => {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    return Buffer.from(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, data)).toString('base64');
  };
  return { publicKey, sign };
}
