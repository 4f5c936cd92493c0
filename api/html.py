"""Building HTML safely, without a template engine, and a small Markdown renderer.

Everything that is not an ``Html`` instance is escaped on the way in, so a value from the
fixtures (a service name, a piece of evidence) can never become markup. ``Html`` is only
made by the helpers here, from constant tag and attribute names and escaped values.

The Markdown renderer covers the subset the project's docs use: ATX and setext headings,
paragraphs, nested bullet and numbered lists, pipe tables, fenced code, block quotes,
rules, inline code, emphasis, strikethrough, inline, reference and auto links. HTML
comments that start a line are dropped; any other HTML comes out as escaped text. Links
keep only http(s), relative and fragment destinations; any other scheme (``javascript:``,
``data:``) is dropped.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit


class Html(str):
    """Markup that is already safe to emit as is."""

    __slots__ = ()


Child = Html | str | int | None
AttrValue = str | int | bool | None

_NAME = re.compile(r"^[a-z][a-z0-9-]*(?::[a-z][a-z0-9-]*)?$", re.IGNORECASE)
_VOID = frozenset({"br", "hr", "img", "input", "link", "meta"})


def escape(value: Child) -> Html:
    if value is None:
        return Html("")
    if isinstance(value, Html):
        return value
    return Html(html.escape(str(value), quote=True))


def attrs(values: Mapping[str, AttrValue] | None) -> Html:
    """` name="value"` pairs; ``True`` gives a bare attribute, ``None``/``False`` none."""
    if not values:
        return Html("")
    parts = []
    for name, value in values.items():
        # Names are code, never data: a bad one is a programming error, not input.
        if not _NAME.match(name):
            raise ValueError(f"bad attribute name {name!r}")
        if value is None or value is False:
            continue
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{escape(str(value))}"')
    return Html("".join(parts))


def tag(name: str, attributes: Mapping[str, AttrValue] | None = None, *children: Child) -> Html:
    if not _NAME.match(name):
        raise ValueError(f"bad tag name {name!r}")
    opening = f"<{name}{attrs(attributes)}>"
    if name in _VOID:
        return Html(opening)
    return Html(f"{opening}{join(children)}</{name}>")


def join(children: Iterable[Child], separator: str = "") -> Html:
    return Html(escape(separator).join(escape(child) for child in children))


def safe_url(url: str) -> str | None:
    """``url`` if it is http(s), relative or a fragment; None for any other scheme."""
    url = url.strip()
    if not url or any(ord(c) < 0x20 or c in " \x7f" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme:
        return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None
    # No scheme: relative or fragment. Reject "//host" (scheme-relative: another site in
    # disguise) and backslashes, which some browsers read as slashes.
    if url.startswith("//") or "\\" in url:
        return None
    return url


# Markdown ------------------------------------------------------------------------------

MAX_MARKDOWN = 1_000_000

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)[^`]*$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_QUOTE = re.compile(r"^ {0,3}> ?(.*)$")
_ITEM = re.compile(r"^( {0,3})([-*+]|\d{1,9}[.)])(?:([ \t]+)(.*)|[ \t]*)$")
_TABLE_RULE = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_REFERENCE = re.compile(r"^ {0,3}\[([^\]]+)\]:[ \t]*<?(\S+?)>?(?:[ \t]+[\"'(](.*)[\"')])?[ \t]*$")

_ESCAPABLE = frozenset("\\`*_{}[]()#+-.!|<>~\"'")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_INLINE_LINK = re.compile(
    r"\[((?:[^\[\]\\]|\\.)*)\]\([ \t]*(<[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:[ \t]+(\"[^\"]*\"|'[^']*'))?[ \t]*\)"
)
_REF_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.)*)\](?:\[((?:[^\[\]\\]|\\.)*)\])?")
_AUTOLINK = re.compile(r"<(https?://[^\s<>]+)>", re.IGNORECASE)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_EM = re.compile(r"([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1", re.DOTALL)
_STRIKE = re.compile(r"(~~)(?=\S)(.+?)(?<=\S)~~", re.DOTALL)


def _slug(text: str) -> str:
    words = re.sub(r"[^\w\s-]", "", text.casefold())
    return re.sub(r"[\s_-]+", "-", words).strip("-") or "section"


def _plain(fragment: str) -> str:
    """The text of rendered inline markup, for heading ids."""
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


@dataclass
class _Markdown:
    references: dict[str, tuple[str, str | None]]
    ids: dict[str, int] = field(default_factory=dict)

    # blocks ---------------------------------------------------------------------------

    def blocks(self, lines: list[str], tight: bool = False) -> Html:
        out: list[Html] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if not line.strip():
                i += 1
                continue
            if fence := _FENCE.match(line):
                i = self._fenced(lines, i, fence, out)
            elif heading := _HEADING.match(line):
                level = len(heading.group(1))
                out.append(self._heading(level, heading.group(2) or ""))
                i += 1
            elif _RULE.match(line):
                out.append(tag("hr"))
                i += 1
            elif _QUOTE.match(line):
                i = self._quote(lines, i, out)
            elif _ITEM.match(line):
                i = self._list(lines, i, out)
            elif self._table_starts(lines, i):
                i = self._table(lines, i, out)
            else:
                i = self._paragraph(lines, i, out, tight)
        return join(out, "\n")

    def _heading(self, level: int, text: str) -> Html:
        content = self.inline(text.strip())
        base = _slug(_plain(content))
        count = self.ids.get(base, 0)
        self.ids[base] = count + 1
        ident = base if count == 0 else f"{base}-{count + 1}"
        return tag(f"h{level}", {"id": ident}, content)

    def _fenced(self, lines: list[str], i: int, fence: re.Match[str], out: list[Html]) -> int:
        indent, marker, language = len(fence.group(1)), fence.group(2), fence.group(3)
        closing = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
        body: list[str] = []
        i += 1
        while i < len(lines) and not closing.match(lines[i]):
            # Strip up to the fence's own indentation, as CommonMark does.
            body.append(re.sub(rf"^ {{0,{indent}}}", "", lines[i]))
            i += 1
        code_class = f"language-{language}" if re.fullmatch(r"[\w+-]+", language) else None
        text = "\n".join(body) + ("\n" if body else "")
        out.append(tag("pre", None, tag("code", {"class": code_class}, text)))
        return i + 1  # past the closing fence (or the end)

    def _quote(self, lines: list[str], i: int, out: list[Html]) -> int:
        inner: list[str] = []
        while i < len(lines):
            quoted = _QUOTE.match(lines[i])
            if quoted:
                inner.append(quoted.group(1))
            elif lines[i].strip() and inner and inner[-1].strip():
                inner.append(lines[i])  # a lazy continuation of the quoted paragraph
            else:
                break
            i += 1
        out.append(tag("blockquote", None, Html("\n"), self.blocks(inner), Html("\n")))
        return i

    def _list(self, lines: list[str], i: int, out: list[Html]) -> int:
        first = _ITEM.match(lines[i])
        assert first is not None
        ordered = first.group(2)[-1] in ".)"
        items: list[list[str]] = []
        loose = False
        content_indent = 0
        while i < len(lines):
            line = lines[i]
            leading = len(line) - len(line.lstrip(" "))
            item = _ITEM.match(line)
            if items and line.strip() and leading >= content_indent:
                items[-1].append(line[content_indent:])  # the item's own text or a sub-list
            elif item and not _RULE.match(line):
                if (item.group(2)[-1] in ".)") != ordered:
                    break  # the other kind of list starts here
                if items and items[-1] and not items[-1][-1].strip():
                    loose = True  # a blank line between items
                content_indent = len(item.group(1)) + len(item.group(2)) + len(item.group(3) or " ")
                items.append([item.group(4) or ""])
            elif not line.strip():
                if not self._list_goes_on(lines, i + 1, content_indent):
                    break
                items[-1].append("")
            elif items[-1][-1].strip() and not self._interrupts(line):
                items[-1].append(line.strip())  # a lazy continuation of the item's text
            else:
                break
            i += 1
        for content in items:
            while content and not content[-1].strip():
                content.pop()
            # A blank line between two of the item's own blocks (not inside a sub-list,
            # whose lines are still indented here) makes the list loose.
            if any(
                not before.strip() and after.strip() and not after.startswith(" ")
                for before, after in itertools.pairwise(content)
            ):
                loose = True
        start = None
        if ordered:
            number = int(first.group(2)[:-1])
            start = number if number != 1 else None
        rendered = join((tag("li", None, self.blocks(c, tight=not loose)) for c in items), "\n")
        out.append(tag("ol" if ordered else "ul", {"start": start}, Html("\n"), rendered))
        return i

    @staticmethod
    def _list_goes_on(lines: list[str], i: int, content_indent: int) -> bool:
        """After a blank line: does the next non-blank line still belong to the list?"""
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i == len(lines):
            return False
        line = lines[i]
        return bool(_ITEM.match(line)) or len(line) - len(line.lstrip(" ")) >= content_indent

    def _interrupts(self, line: str) -> bool:
        return bool(
            _FENCE.match(line)
            or _HEADING.match(line)
            or _RULE.match(line)
            or _QUOTE.match(line)
            or _ITEM.match(line)
        )

    def _table_starts(self, lines: list[str], i: int) -> bool:
        return (
            "|" in lines[i]
            and i + 1 < len(lines)
            and bool(_TABLE_RULE.match(lines[i + 1]))
            and "-" in lines[i + 1]
            and len(_cells(lines[i])) == len(_cells(lines[i + 1]))
        )

    def _table(self, lines: list[str], i: int, out: list[Html]) -> int:
        header = _cells(lines[i])
        aligns = []
        for rule in _cells(lines[i + 1]):
            left, right = rule.startswith(":"), rule.endswith(":")
            aligns.append(
                "center" if left and right else "right" if right else "left" if left else None
            )
        i += 2
        rows: list[list[str]] = []
        while i < len(lines) and lines[i].strip() and "|" in lines[i]:
            if self._interrupts(lines[i]) and not lines[i].lstrip().startswith("|"):
                break
            cells = _cells(lines[i])
            # GFM: short rows are padded, long rows cut to the header's width.
            rows.append((cells + [""] * len(header))[: len(header)])
            i += 1

        def cell(kind: str, text: str, align: str | None) -> Html:
            # Alignment as a class: the CSP forbids style="" attributes.
            attributes: dict[str, AttrValue] = {"class": f"align-{align}" if align else None}
            if kind == "th":
                attributes["scope"] = "col"
            return tag(kind, attributes, self.inline(text))

        head = tag(
            "thead",
            None,
            tag("tr", None, join(cell("th", t, a) for t, a in zip(header, aligns, strict=True))),
        )
        body = tag(
            "tbody",
            None,
            join(
                (
                    tag("tr", None, join(cell("td", t, a) for t, a in zip(r, aligns, strict=True)))
                    for r in rows
                ),
                "\n",
            ),
        )
        table = tag("table", None, head, body)
        out.append(tag("div", {"class": "table-scroll"}, table))
        return i

    def _paragraph(self, lines: list[str], i: int, out: list[Html], tight: bool) -> int:
        text = [lines[i].strip()]
        i += 1
        while i < len(lines) and lines[i].strip():
            setext = _SETEXT.match(lines[i])
            if setext:
                level = 1 if setext.group(1)[0] == "=" else 2
                out.append(self._heading(level, " ".join(text)))
                return i + 1
            if self._interrupts(lines[i]) or self._table_starts(lines, i):
                break
            text.append(lines[i].strip())
            i += 1
        content = self.inline("\n".join(text))
        out.append(content if tight else tag("p", None, content))
        return i

    # inline ---------------------------------------------------------------------------

    def inline(self, text: str) -> Html:
        out: list[Html] = []
        no_closer: dict[str, int] = {}
        plain: list[str] = []
        i = 0

        def flush() -> None:
            if plain:
                out.append(escape("".join(plain)))
                plain.clear()

        while i < len(text):
            char = text[i]
            match: re.Match[str] | None = None
            if char == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPABLE:
                plain.append(text[i + 1])
                i += 2
                continue
            if char == "`" and (match := _CODE_SPAN.match(text, i)):
                flush()
                out.append(tag("code", None, _code_text(match.group(2))))
            elif char == "!" and text.startswith("![", i) and (link := self._link(text, i + 1)):
                # Images are not embedded (the CSP allows only this site's); link to them.
                flush()
                out.append(link[0])
                i = link[1]
                continue
            elif char == "[" and (link := self._link(text, i)):
                flush()
                out.append(link[0])
                i = link[1]
                continue
            elif char == "<" and (match := _AUTOLINK.match(text, i)):
                flush()
                out.append(_anchor(match.group(1), None, escape(match.group(1))))
            elif char in "*_~" and (match := self._emphasis(text, i, no_closer)):
                flush()
                kind = {"**": "strong", "__": "strong", "~~": "del"}.get(match.group(1), "em")
                out.append(tag(kind, None, self.inline(match.group(2))))
            if match is not None:
                i = match.end()
                continue
            if char == "\n":
                # A soft line break stays a newline, which HTML shows as a space (hard
                # breaks are not supported).
                plain.append("\n")
            else:
                plain.append(char)
            i += 1
        flush()
        return join(out)

    @staticmethod
    def _emphasis(text: str, i: int, no_closer: dict[str, int]) -> re.Match[str] | None:
        for pattern, delimiters in ((_STRONG, ("**", "__")), (_EM, ("*", "_")), (_STRIKE, ("~~",))):
            width = len(delimiters[0])
            key = text[i : i + width]
            if key not in delimiters:
                continue
            if no_closer.get(key, len(text) + 1) <= i:
                continue
            match = pattern.match(text, i)
            if match is None:
                # With a valid opener, a failure means no closer anywhere after it, so
                # every later opener of this kind fails too: remember that, which keeps
                # a line full of unmatched delimiters linear instead of quadratic.
                after = text[i + width : i + width + 1]
                if after and not after.isspace() and (width == 2 or after not in "*_"):
                    no_closer[key] = i
                continue
            if match.group(1)[0] != "_":
                return match
            # Underscores inside words (snake_case_ids) are not emphasis.
            before = text[i - 1] if i > 0 else " "
            after = text[match.end()] if match.end() < len(text) else " "
            if not (before.isalnum() or after.isalnum()):
                return match
        return None

    def _link(self, text: str, i: int) -> tuple[Html, int] | None:
        inline = _INLINE_LINK.match(text, i)
        if inline:
            label, destination, title = inline.group(1), inline.group(2), inline.group(3)
            destination = _unescape_md(destination.removeprefix("<").removesuffix(">"))
            return (
                _anchor(destination, title[1:-1] if title else None, self.inline(label)),
                inline.end(),
            )
        reference = _REF_LINK.match(text, i)
        if reference:
            label, key = reference.group(1), reference.group(2)
            target = self.references.get(_ref_key(key or label))
            if target is not None:
                return _anchor(target[0], target[1], self.inline(label)), reference.end()
        return None


def _anchor(destination: str, title: str | None, content: Html) -> Html:
    url = safe_url(destination)
    if url is None:
        return content  # an unsafe or unsupported link keeps its text, loses its target
    external = urlsplit(url).scheme != ""
    return tag(
        "a",
        {"href": url, "title": title, "rel": "noopener nofollow" if external else None},
        content,
    )


def _code_text(raw: str) -> str:
    code = raw.replace("\n", " ")
    # One leading and trailing space is stripped when both exist (CommonMark).
    if len(code) > 2 and code.startswith(" ") and code.endswith(" ") and code.strip():
        code = code[1:-1]
    return code


def _unescape_md(text: str) -> str:
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>~\"'])", r"\1", text)


def _ref_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _cells(line: str) -> list[str]:
    """A pipe-table row's cells; pipes inside code spans or escaped as ``\\|`` don't split."""
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    cells: list[str] = []
    current: list[str] = []
    ticks = 0
    i = 0
    while i < len(row):
        char = row[i]
        if char == "\\" and i + 1 < len(row) and row[i + 1] == "|":
            current.append("|" if ticks else "\\|")
            i += 2
            continue
        if char == "`":
            run = len(row[i:]) - len(row[i:].lstrip("`"))
            ticks = 0 if ticks == run else (run if ticks == 0 else ticks)
            current.append("`" * run)
            i += run
            continue
        if char == "|" and not ticks:
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        i += 1
    cells.append("".join(current).strip())
    return cells


def render_markdown(source: str) -> Html:
    """``source`` (the subset above) as HTML; every piece of text is escaped."""
    if len(source) > MAX_MARKDOWN:
        raise ValueError(f"Markdown over {MAX_MARKDOWN} characters")
    lines = source.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4).split("\n")
    # Reference definitions apply anywhere in the document, so collect them first
    # (skipping fenced code, where such a line is just code).
    references: dict[str, tuple[str, str | None]] = {}
    kept: list[str] = []
    in_fence: str | None = None
    in_comment = False
    for line in lines:
        # HTML comments that start a line are notes for maintainers (or for tests that
        # read the doc): dropped, never shown.
        if in_comment or (in_fence is None and line.lstrip().startswith("<!--")):
            in_comment = "-->" not in line
            continue
        fence = _FENCE.match(line)
        if fence and (in_fence is None or fence.group(2).startswith(in_fence)):
            in_fence = None if in_fence else fence.group(2)[0] * 3
            kept.append(line)
            continue
        definition = None if in_fence else _REFERENCE.match(line)
        if definition:
            references.setdefault(
                _ref_key(definition.group(1)), (definition.group(2), definition.group(3))
            )
            continue
        kept.append(line)
    return _Markdown(references).blocks(kept)
