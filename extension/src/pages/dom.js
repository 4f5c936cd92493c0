// Building DOM from data without ever parsing markup: every string becomes a text node
// or an attribute value, so nothing from a bundle can turn into HTML or script.

/**
 * h('a', { className: 'x', href: url, title: 't' }, 'text', childNode, ...)
 * Props are set as properties (className, href, title, ...) or, for names containing a
 * dash (data-*, aria-*), as attributes. null/false children are skipped.
 * @param {string} tag
 * @param {Record<string, unknown> | null} [props]
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.includes('-') || key === 'role') node.setAttribute(key, String(value));
    else Reflect.set(node, key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A link that opens outside the extension page, leaking no referrer. Only http(s)
 * URLs become links; anything else is shown as plain text.
 * @param {string} url
 * @param {string} text
 */
export function externalLink(url, text) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return h('span', {}, text);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return h('span', {}, text);
  return h('a', { href: parsed.href, target: '_blank', rel: 'noopener noreferrer' }, text);
}

/**
 * @template {Element} T
 * @param {T} node
 * @returns {T}
 */
export function clear(node) {
  node.replaceChildren();
  return node;
}

/**
 * The element of our own page with this id, checked to be of `type`: a page that lost
 * an element it needs fails here, by name, rather than later on null.
 * @template {Element} T
 * @param {string} id
 * @param {{ new (): T; prototype: T }} type
 * @returns {T}
 */
export function byId(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return node;
}

/**
 * The first element of our own page that matches `selector`.
 * @param {string} selector
 * @returns {HTMLElement}
 */
export function find(selector) {
  const node = document.querySelector(selector);
  if (!(node instanceof HTMLElement)) throw new Error(`the page has no ${selector}`);
  return node;
}
