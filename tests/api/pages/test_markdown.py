"""The Markdown renderer of the methodology page: the subset the docs use, and nothing
active ever (no raw HTML, no script or data links, no images)."""

from __future__ import annotations

import re
import time

import pytest

from api.pages.links import safe_url
from api.pages.markdown import MAX_MARKDOWN, render_markdown
from tests.conftest import ROOT

SAMPLE = """\
# Candor *methodology*

Intro with `code <b>`, **bold**, _em_, snake_case_ids, ~~old~~ and \\*stars\\*.
A [link](https://example.org/a_(b) "Title"), a [relative](/services/zoom), a
[fragment](#levels), [bad](javascript:alert(1)), [data](data:text/html,x),
[scheme-relative](//evil.example/) and <https://example.org/?a=1&b=2>.
Raw <script>alert(1)</script> & <b>bold</b> stay text.

<!-- a maintainers' note
over two lines -->

## Levels

- item *one*
  continued
- item two
  - nested
- item three

3. third
4. fourth

| Level | Points | Note |
|:---|---:|:-:|
| `full` | 100 | a \\| b |
| `none` | 0 |

> quoted *text*

---

```yaml
key: "<value>"
```

See [the spec][spec].

[spec]: https://example.com/spec "Spec"

Levels
------
"""


def test_markdown_subset() -> None:
    out = str(render_markdown(SAMPLE))
    assert '<h1 id="candor-methodology">Candor <em>methodology</em></h1>' in out
    assert "<code>code &lt;b&gt;</code>" in out
    assert "<strong>bold</strong>" in out and "<em>em</em>" in out
    assert "snake_case_ids" in out and "<del>old</del>" in out and "*stars*" in out
    assert (
        '<a href="https://example.org/a_(b)" title="Title" rel="noopener nofollow">link</a>' in out
    )
    assert '<a href="/services/zoom">relative</a>' in out
    assert '<a href="#levels">fragment</a>' in out
    assert "javascript" not in out and "data:text" not in out and "evil.example" not in out
    assert "</a>, bad, data,\nscheme-relative and" in out  # the texts stay, unlinked
    assert '<a href="https://example.org/?a=1&amp;b=2" rel="noopener nofollow">' in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in out
    assert "maintainers" not in out
    assert '<h2 id="levels">Levels</h2>' in out
    assert '<h2 id="levels-2">Levels</h2>' in out  # setext, with a de-duplicated id
    assert "<li>item <em>one</em>\ncontinued</li>" in out
    assert "<li>item two\n<ul>\n<li>nested</li>\n</ul>\n</li>" in out
    assert '<ol start="3">' in out and "<li>fourth</li>" in out
    assert '<th class="align-left" scope="col">Level</th>' in out
    assert '<td class="align-right">100</td>' in out
    assert '<td class="align-center">a | b</td>' in out
    assert '<td class="align-center"></td>' in out  # a short row is padded
    assert "<blockquote>\n<p>quoted <em>text</em></p>\n</blockquote>" in out
    assert "<hr>" in out
    assert '<pre><code class="language-yaml">key: &quot;&lt;value&gt;&quot;\n</code></pre>' in out
    spec = '<a href="https://example.com/spec" title="Spec" rel="noopener nofollow">the spec</a>'
    assert spec in out


def test_markdown_output_is_well_formed() -> None:
    # Every tag the renderer opens, it closes, in order (void elements aside).
    out = str(render_markdown(SAMPLE + "\n" + (ROOT / "docs" / "fixture-format.md").read_text()))
    stack: list[str] = []
    for closing, name in re.findall(r"<(/?)([a-z0-9]+)[^>]*>", out):
        if name in ("hr", "br", "img"):
            continue
        if closing:
            assert stack and stack[-1] == name, (name, stack)
            stack.pop()
        else:
            stack.append(name)
    assert stack == []


@pytest.mark.parametrize(
    "hostile",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](  javascript:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](&#106;avascript:alert(1))",  # an entity, decoded before the check
        "[x](<javascript:alert(1)>)",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        '[x](https://ok.example/" onmouseover="alert(1))',
        "[x]: javascript:alert(1)\n\n[x]",
        "![x](javascript:alert(1))",
        "<javascript:alert(1)>",
        "<img src=x onerror=alert(1)>",
        "`</code><script>alert(1)</script>`",
        "| <script> |\n|---|\n| <b> |",
        "```\n</code></pre><script>alert(1)</script>\n```",
    ],
)
def test_markdown_never_emits_active_content(hostile: str) -> None:
    out = str(render_markdown(hostile))
    assert "<script" not in out and "<img" not in out and "<b>" not in out
    assert 'href="javascript' not in out.lower() and 'href="data' not in out.lower()
    assert 'href="vbscript' not in out.lower()
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", out)


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/", True),
        ("http://example.org/x?y=1", True),
        ("/services/zoom", True),
        ("#levels", True),
        ("page.html", True),
        ("javascript:alert(1)", False),
        ("mailto:a@example.org", False),
        ("//evil.example/", False),
        ("https:///nohost", False),
        ("\\\\evil.example", False),
        ("", False),
    ],
)
def test_safe_url(url: str, safe: bool) -> None:
    assert (safe_url(url) is not None) is safe


def _fastest(source: str) -> float:
    """The best of three renderings, in seconds: the least disturbed by other work."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        render_markdown(source)
        times.append(time.perf_counter() - start)
    return min(times)


# Timed: a ratio of wall-clock times, so it runs in `make bench` (pytest -m timed).
@pytest.mark.timed
@pytest.mark.parametrize("unit", ["*_`[", "*a ", "**a ", "_a ", "~~a ", "`a ", "[a ", "![a "])
def test_markdown_time_grows_linearly_with_input(unit: str) -> None:
    # Long lines of unmatched delimiters: a naive renderer is quadratic on these, and
    # four times the input would take sixteen times as long. Linear is four.
    small, large = _fastest(unit * 2_500), _fastest(unit * 10_000)
    assert large < 8 * small + 0.05, (unit, small, large)


def test_markdown_has_a_size_limit() -> None:
    with pytest.raises(ValueError, match="Markdown over"):
        render_markdown("x" * (MAX_MARKDOWN + 1))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Off-site: rel, so the linked page gets no window.opener and no ranking from us.
        (
            "[a](https://example.org/x)",
            '<a href="https://example.org/x" rel="noopener nofollow">a</a>',
        ),
        ("[a](http://example.org/)", '<a href="http://example.org/" rel="noopener nofollow">a</a>'),
        # This site's own pages and fragments: as they are.
        ("[a](/open-data#licence)", '<a href="/open-data#licence">a</a>'),
        ("[a](#levels)", '<a href="#levels">a</a>'),
        ("[a](fixture-format.md)", '<a href="fixture-format.md">a</a>'),
        # Refused: the text stays, the link goes.
        ("[a *b*](javascript:alert(1))", "<p>a <em>b</em></p>"),
        ("[a](mailto:someone@example.org)", "<p>a</p>"),
        ("[a](//evil.example/)", "<p>a</p>"),
        ("[a](https:///nohost)", "<p>a</p>"),
        ("[a](data:text/html,x)", "<p>a</p>"),
        # Images become links to the image (the CSP shows only this site's), or their text.
        ("![chart](/static/x.png)", '<a href="/static/x.png">chart</a>'),
        ("![chart](javascript:alert(1))", "<p>chart</p>"),
    ],
)
def test_markdown_links_are_limited_to_http_relative_and_fragments(
    source: str, expected: str
) -> None:
    out = str(render_markdown(source))
    assert expected in out
    assert "<img" not in out


def test_raw_html_is_shown_as_text_and_comments_are_dropped() -> None:
    out = str(render_markdown('<div class="x" onclick="alert(1)">\nhi\n</div>\n\n<!-- note -->\n'))
    assert "<div" not in out and "note" not in out
    assert "&lt;div class=&quot;x&quot; onclick=&quot;alert(1)&quot;&gt;" in out


def test_tables_align_with_classes_not_styles() -> None:
    out = str(render_markdown("| a | b |\n|:-:|--:|\n| 1 | 2 |\n"))
    assert "style=" not in out
    assert '<div class="table-scroll"><table>' in out
    assert '<th class="align-center" scope="col">a</th>' in out
    assert '<td class="align-right">2</td>' in out
