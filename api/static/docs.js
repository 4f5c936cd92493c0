// Starts Swagger UI on /docs (api/docs.py). A file rather than an inline script, so the
// page's Content-Security-Policy keeps script-src 'self'. Loaded with `defer` after
// swagger-ui-bundle.js, which defines SwaggerUIBundle.
'use strict';

(() => {
  const root = document.getElementById('swagger-ui');
  if (!root || typeof window.SwaggerUIBundle !== 'function') return;

  const lower = (value) => (value === undefined || value === null ? '' : String(value).toLowerCase());

  // The filter box searches operations, not just tag names (Swagger UI's own filter):
  // a phrase matches a tag, or an operation's method, path, summary, id or description,
  // in any case. Tags left with no operation are hidden.
  function opsFilter(taggedOps, phrase) {
    const needle = lower(phrase).trim();
    if (!needle) return taggedOps;
    const matches = (op) => {
      const operation = op.get('operation');
      const fields = [op.get('method'), op.get('path')];
      if (operation) {
        fields.push(operation.get('summary'), operation.get('operationId'), operation.get('description'));
      }
      return fields.some((field) => lower(field).includes(needle));
    };
    return taggedOps
      .map((tagged, tagName) =>
        lower(tagName).includes(needle) ? tagged : tagged.set('operations', tagged.get('operations').filter(matches)),
      )
      .filter((tagged) => tagged.get('operations').size > 0);
  }

  // "Try it out" always calls this origin. The document's server is CANDOR_PUBLIC_URL when
  // that is set, which may be another host than the one serving this page (a replica, a
  // laptop); the CSP (connect-src 'self') would refuse such a request anyway.
  function sameOrigin(request) {
    const url = new URL(request.url, window.location.href);
    if (url.origin !== window.location.origin) {
      request.url = window.location.origin + url.pathname + url.search;
    }
    return request;
  }

  // Swagger UI's filter box says "Filter by tag", which undersells opsFilter above, and its
  // Servers drop-down has no accessible name. React leaves attributes it did not change
  // alone on later renders, so setting them once, when the document is rendered, holds.
  function label() {
    const search = root.querySelector('input.operation-filter-input');
    if (search) {
      search.placeholder = 'Search operations: path, summary or tag';
      search.setAttribute('aria-label', 'Search operations');
    }
    const servers = root.querySelector('select#servers');
    if (servers && !servers.hasAttribute('aria-label')) servers.setAttribute('aria-label', 'Server');
  }

  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    presets: [window.SwaggerUIBundle.presets.apis],
    plugins: [() => ({ fn: { opsFilter } })],
    layout: 'BaseLayout',
    deepLinking: true,
    filter: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 1,
    // No "valid" badge: it is an image from swagger.io, the one thing that would leave
    // this origin.
    validatorUrl: null,
    requestInterceptor: sameOrigin,
    onComplete: label,
  });
})();
