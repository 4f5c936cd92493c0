// The extension API object: `browser` in Firefox, `chrome` in Chrome. Both return
// promises in Manifest V3, which is all this code relies on.
export const ext = globalThis.browser ?? globalThis.chrome;
