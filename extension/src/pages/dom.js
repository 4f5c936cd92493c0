// Building DOM from data without ever parsing markup: every string becomes a text node
// or an attribute value, so nothing from a bundle can turn into HTML or script.

/**
 * h('a', { className: 'x', href: url, title: 't' }, 'text', childNode, ...)
 * Props are set as properties (className, href, title, ...) or, for names containing a
 * dash (data-*, aria-*), as attributes. null/false children are skipped.
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.includes('-') || key === 'role') node.setAttribute(key, String(value));
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A link that opens outside the extension page, leaking no referrer. Only http(s)
 * URLs become links; anything else is shown as plain text. */
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

export function clear(node) {
  node.replaceChildren();
  return node;
}
