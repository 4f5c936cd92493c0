"""Markdown to HTML for the methodology page: markdown-it-py (CommonMark, with GitHub's
tables and strikethrough), made safe for a page under a strict CSP.

- Raw HTML is never markup. HTML comment blocks are notes for maintainers (or for tests
  that read the doc) and are dropped; any other HTML comes out as escaped text. The parser
  is told to recognise HTML only so that these rules can find it.
- Links keep only http(s), relative and fragment destinations (``safe_url``); any other
  link (``javascript:``, ``data:``, ``//host``) keeps its text and loses its target.
  Off-site links get ``rel="noopener nofollow"``.
- Images are not embedded (the CSP allows only this site's): each becomes a link to it.
- Table alignment is a class (``align-left``...): the CSP forbids ``style`` attributes.
  Tables scroll sideways on their own on a narrow screen (``div.table-scroll``).
- Headings get ids made from their text, de-duplicated, so sections can be linked to.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup

from api.pages.links import safe_url

MAX_MARKDOWN = 1_000_000

_ALIGN = re.compile(r"^text-align:(left|right|center)$")


def _slug(text: str) -> str:
    words = re.sub(r"[^\w\s-]", "", text.casefold())
    return re.sub(r"[\s_-]+", "-", words).strip("-") or "section"


def _heading_ids(tokens: Sequence[Token]) -> None:
    seen: dict[str, int] = {}
    for opening, inline in itertools.pairwise(tokens):
        if opening.type != "heading_open" or inline.children is None:
            continue
        text = "".join(
            child.content
            for child in inline.children
            if child.type in ("text", "code_inline", "html_inline")
        )
        base = _slug(text)
        count = seen.get(base, 0)
        seen[base] = count + 1
        opening.attrSet("id", base if count == 0 else f"{base}-{count + 1}")


def _table_cells(tokens: Sequence[Token]) -> None:
    for token in tokens:
        if token.type not in ("th_open", "td_open"):
            continue
        align = _ALIGN.match(str(token.attrs.get("style", "")))
        token.attrs = {"class": f"align-{align.group(1)}"} if align else {}
        if token.type == "th_open":
            token.attrSet("scope", "col")


def _image_as_link(image: Token) -> list[Token]:
    opening = Token("link_open", "a", 1, attrs={"href": str(image.attrs.get("src", ""))})
    if image.attrs.get("title"):
        opening.attrSet("title", str(image.attrs["title"]))
    return [opening, *(image.children or []), Token("link_close", "a", -1)]


def _safe_links(children: list[Token]) -> list[Token]:
    """The inline tokens with every link made safe: an unsafe one keeps only its text."""
    kept: list[Token] = []
    dropping = False  # inside a link whose target was dropped (links do not nest)
    for token in children:
        if token.type == "image":
            kept.extend(_safe_links(_image_as_link(token)))
        elif token.type == "link_open":
            url = safe_url(str(token.attrs.get("href", "")))
            dropping = url is None
            if url is not None:
                token.attrSet("href", url)
                if "://" in url:
                    token.attrSet("rel", "noopener nofollow")
                kept.append(token)
        elif token.type == "link_close" and dropping:
            dropping = False
        else:
            kept.append(token)
    return kept


def _make_safe(state: StateCore) -> None:
    _heading_ids(state.tokens)
    _table_cells(state.tokens)
    for token in state.tokens:
        if token.type == "inline" and token.children is not None:
            token.children = _safe_links(token.children)
            for child in token.children:
                if child.type in ("s_open", "s_close"):
                    child.tag = "del"  # struck-out text, as GitHub writes it


def _html_block(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    content = tokens[idx].content
    if content.lstrip().startswith("<!--"):
        return ""
    return f"<p>{escapeHtml(content.rstrip())}</p>\n"


def _html_inline(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    return escapeHtml(tokens[idx].content)


def _table_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    return '<div class="table-scroll"><table>\n'


def _table_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    return "</table></div>\n"


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": False}).enable(
        ["table", "strikethrough"]
    )
    # Every destination is parsed as a link and judged by _safe_links, which keeps the
    # text of a link it refuses (markdown-it's own check would show its source instead).
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.core.ruler.push("candor_safe", _make_safe)
    md.add_render_rule("html_block", _html_block)
    md.add_render_rule("html_inline", _html_inline)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


_MARKDOWN = _parser()


def render_markdown(source: str) -> Markup:
    """``source`` as HTML, safe to put on a page as is."""
    if len(source) > MAX_MARKDOWN:
        raise ValueError(f"Markdown over {MAX_MARKDOWN} characters")
    return Markup(_MARKDOWN.render(source))
