// The extension API object: `browser` in Firefox, `chrome` in Chrome. Both return
// promises in Manifest V3, which is all this code relies on.
// Firefox's `browser` has the same shape for every call made here: typed as `chrome`.
/** @type {typeof chrome} */
export const ext = /** @type {{ browser?: typeof chrome }} */ (globalThis).browser ?? globalThis.chrome;
