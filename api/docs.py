"""``GET /docs``: a readable API reference rendered on the server from the OpenAPI
document. Self-contained: no JavaScript, no CDN, works offline."""

from __future__ import annotations

import json
from html import escape
from typing import Any


def _schema_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        return f'<a href="#schema-{escape(name)}">{escape(name)}</a>'
    return escape(str(schema.get("type", "object")))


def _operation(path: str, method: str, op: dict[str, Any]) -> str:
    anchor = escape(op["operationId"])
    parts = [
        f'<section class="operation" id="{anchor}" aria-labelledby="{anchor}-title">',
        f'<h3 id="{anchor}-title"><code class="method">{escape(method.upper())}</code> '
        f"<code>{escape(path)}</code></h3>",
        f"<p><strong>{escape(op['summary'])}.</strong> {escape(op.get('description', ''))}</p>",
    ]
    params = op.get("parameters", [])
    if params:
        parts.append(
            "<table><caption>Parameters</caption><thead><tr><th scope=col>Name</th>"
            "<th scope=col>In</th><th scope=col>Required</th><th scope=col>Description</th>"
            "</tr></thead><tbody>"
        )
        for p in params:
            parts.append(
                f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
                f"<td>{'yes' if p.get('required') else 'no'}</td>"
                f"<td>{escape(p['description'])}</td></tr>"
            )
        parts.append("</tbody></table>")
    body = op.get("requestBody")
    if body:
        content = body["content"]["application/json"]
        parts.append(f"<p>Request body (application/json): {_schema_name(content['schema'])}</p>")
        if "example" in content:
            parts.append(
                f"<pre><code>{escape(json.dumps(content['example'], indent=2))}</code></pre>"
            )
    parts.append(
        "<table><caption>Responses</caption><thead><tr><th scope=col>Status</th>"
        "<th scope=col>Meaning</th><th scope=col>Body</th></tr></thead><tbody>"
    )
    for status, response in op["responses"].items():
        content = response.get("content", {})
        body_cell = ", ".join(
            f"{escape(media)}: {_schema_name(spec.get('schema', {}))}"
            for media, spec in content.items()
        )
        parts.append(
            f"<tr><td>{escape(status)}</td><td>{escape(response['description'])}</td>"
            f"<td>{body_cell or '-'}</td></tr>"
        )
    parts.append("</tbody></table>")
    ok = op["responses"].get("200", {}).get("content", {})
    for media, spec in ok.items():
        if "example" in spec:
            example = json.dumps(spec["example"], indent=2, ensure_ascii=False)
            if len(example) > 4000:
                example = example[:4000] + "\n…"
            parts.append(f"<details><summary>Example ({escape(media)})</summary>")
            parts.append(f"<pre><code>{escape(example)}</code></pre></details>")
    parts.append("</section>")
    return "\n".join(parts)


def render_docs(document: dict[str, Any]) -> str:
    info = document["info"]
    toc = []
    sections = []
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            toc.append(
                f'<li><a href="#{escape(op["operationId"])}"><code>{escape(method.upper())} '
                f"{escape(path)}</code></a> — {escape(op['summary'])}</li>"
            )
            sections.append(_operation(path, method, op))
    schemas = []
    for name, schema in document["components"]["schemas"].items():
        text = json.dumps(schema, indent=2, ensure_ascii=False)
        schemas.append(
            f'<section id="schema-{escape(name)}"><h3>{escape(name)}</h3>'
            f"<pre><code>{escape(text)}</code></pre></section>"
        )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(info["title"])} — reference</title>
<link rel="stylesheet" href="/static/candor.css">
</head>
<body>
<header><nav aria-label="Site"><a href="/">Candor</a> · <a href="/methodology">Methodology</a> ·
<a href="/docs" aria-current="page">API</a></nav></header>
<main>
<h1>{escape(info["title"])} <small>v{escape(info["version"])}</small></h1>
<p>{escape(info["description"])}</p>
<p>The machine-readable document is at <a href="/openapi.json"><code>/openapi.json</code></a>
(OpenAPI {escape(document["openapi"])}).</p>
<h2>Operations</h2>
<ul>{"".join(toc)}</ul>
{"".join(sections)}
<h2>Schemas</h2>
{"".join(schemas)}
</main>
</body>
</html>
"""
