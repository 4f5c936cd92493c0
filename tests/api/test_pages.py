"""The public HTML pages, through the ASGI app: content, filters, escaping, caching."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from api.html import render_markdown, safe_url
from api.pages import e2ee_text, page_routes, transparency_text
from api.palette import GRADE_COLOURS, INSUFFICIENT
from ratings.dataset import Dataset, Rating, Source, dataset_from_fixtures
from ratings.fixtures import read_fixtures
from tests.api.conftest import AppFactory, client_for
from tests.conftest import FIXTURES, ROOT

EXPECTED = dataset_from_fixtures(read_fixtures(FIXTURES))
CSS = ROOT / "api" / "static" / "candor.css"


class Page(HTMLParser):
    """Just enough of a DOM for assertions: elements with their attributes, and text."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text_parts: list[str] = []
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def all(self, tag: str, **wanted: str | None) -> list[dict[str, str | None]]:
        """Elements named ``tag`` with these attributes (``None``: a bare attribute)."""

        def has(attrs: dict[str, str | None], key: str, value: str | None) -> bool:
            name = key.replace("_", "-")
            return name in attrs and attrs[name] == value

        return [
            attrs
            for name, attrs in self.elements
            if name == tag and all(has(attrs, k, v) for k, v in wanted.items())
        ]

    def row_slugs(self) -> list[str]:
        return [str(attrs["data-slug"]) for attrs in self.all("tr") if "data-slug" in attrs]


async def get_page(client: httpx.AsyncClient, url: str, status: int = 200) -> Page:
    response = await client.get(url)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert_csp_safe(response)
    return Page(response.text)


def assert_csp_safe(response: httpx.Response) -> None:
    """What the strict HTML CSP would block must not be in the page at all."""
    body = response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "set-cookie" not in response.headers
    page = Page(body)
    names = {name for name, _ in page.elements}
    assert "script" not in names and "style" not in names and "iframe" not in names
    for name, attrs in page.elements:
        assert "style" not in attrs, f"inline style on <{name}>"
        assert not any(key.startswith("on") for key in attrs), f"event handler on <{name}>"
    # Nothing is loaded from elsewhere: stylesheets and images are this site's own.
    for attrs in page.all("link") + page.all("img"):
        target = attrs.get("href") or attrs.get("src") or ""
        assert target.startswith("/") or target.startswith("data:"), target


def by_name(slugs: list[str]) -> list[str]:
    return sorted(slugs, key=lambda s: EXPECTED.ratings[s].name.casefold())


# the home page --------------------------------------------------------------------------


async def test_home_lists_every_service_with_its_columns(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["etag"] and "max-age=" in response.headers["cache-control"]
    page = Page(response.text)
    assert page.row_slugs() == by_name(list(EXPECTED.ratings))
    assert page.all("meta", name="viewport")
    assert page.all("link", rel="stylesheet")[0]["href"].startswith("/static/candor.css?v=")  # type: ignore[union-attr]
    for landmark in ("header", "nav", "main", "footer", "caption"):
        assert any(name == landmark for name, _ in page.elements), landmark
    headers = page.all("th", scope="col")
    assert len(headers) == 6
    assert len(page.all("th", scope="row")) == len(EXPECTED.ratings)
    body = response.text
    for rating in EXPECTED.ratings.values():
        assert f'href="/services/{rating.slug}"' in body
    # Zoom: a full transparency report, optional end-to-end encryption.
    zoom = re.search(r'<tr[^>]*data-slug="zoom".*?</tr>', body, re.DOTALL)
    assert zoom is not None
    zoom_row = Page(zoom.group(0)).text
    assert "Yes" in zoom_row and "Optional" in zoom_row and "C" in zoom_row
    assert str(EXPECTED.ratings["zoom"].score) in zoom_row
    skype = re.search(r'<tr[^>]*data-slug="skype".*?</tr>', body, re.DOTALL)
    assert skype is not None and "Discontinued" in skype.group(0)
    assert 'class="discontinued"' in skype.group(0)


def test_column_texts() -> None:
    levels = ("full", "partial", "none", "no_disclosure", "not_assessed")
    assert [transparency_text(x) for x in levels] == [
        "Yes",
        "Yes",
        "No",
        "Not disclosed",
        "Not assessed",
    ]
    assert [e2ee_text(x) for x in levels] == [
        "On by default",
        "Optional",
        "No",
        "Not disclosed",
        "Not assessed",
    ]
    assert transparency_text(None) is None and e2ee_text("not_applicable") is None


async def test_grade_distribution_chart(client: httpx.AsyncClient) -> None:
    body = (await client.get("/")).text
    svg = re.search(r"<svg.*?</svg>", body, re.DOTALL)
    assert svg is not None
    chart = svg.group(0)
    assert 'role="img"' in chart and 'aria-labelledby="chart-title chart-desc"' in chart
    assert f'<title id="chart-title">Grade distribution of {len(EXPECTED.ratings)}' in chart
    unrated = sum(1 for r in EXPECTED.ratings.values() if r.grade is None)
    b_count = sum(1 for r in EXPECTED.ratings.values() if r.grade == "B")
    assert f"grade B: {b_count} services" in chart
    assert f"review in progress: {unrated} services" in chart
    assert GRADE_COLOURS["B"].background in chart
    assert (INSUFFICIENT.background in chart) == (unrated > 0)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("grade=B", lambda r: r.grade == "B"),
        ("grade=b", lambda r: r.grade == "B"),
        ("grade=none", lambda r: r.grade is None),
        ("status=discontinued", lambda r: r.status == "discontinued"),
        ("q=ZOOM", lambda r: "zoom" in f"{r.name} {r.company} {r.slug}".casefold()),
        ("q=meta", lambda r: "meta" in r.name.casefold() or "meta" in r.company.casefold()),
        ("grade=C&q=zoom", lambda r: r.slug == "zoom"),
        ("grade=B&q=zoom&sort=score", lambda r: False),
        ("grade=&status=&q=&sort=&order=", lambda r: True),
    ],
)
async def test_filters_change_the_rows(
    client: httpx.AsyncClient, query: str, expected: object
) -> None:
    assert callable(expected)
    page = await get_page(client, f"/?{query}")
    wanted = [r.slug for r in EXPECTED.ratings.values() if expected(r)]
    assert sorted(page.row_slugs()) == sorted(wanted)
    if not wanted:
        assert "No service matches these filters" in page.text
    # The form shows the filters in force.
    if "grade=B" in query:
        assert page.all("option", value="B", selected=None)


async def test_sorting_by_each_column(client: httpx.AsyncClient) -> None:
    ratings = list(EXPECTED.ratings.values())
    page = await get_page(client, "/?sort=score")
    scored = sorted((r for r in ratings if r.score is not None), key=lambda r: r.name.casefold())
    scored.sort(key=lambda r: r.score or 0, reverse=True)
    unscored = by_name([r.slug for r in ratings if r.score is None])
    assert page.row_slugs() == [r.slug for r in scored] + unscored
    assert page.all("th", aria_sort="descending", data_key="score")

    ascending = (await get_page(client, "/?sort=score&order=asc")).row_slugs()
    scores = [EXPECTED.ratings[s].score for s in ascending[: len(scored)]]
    assert scores == sorted(r.score or 0 for r in scored)
    assert ascending[len(scored) :] == unscored  # no score: last either way

    by_grade = (await get_page(client, "/?sort=grade")).row_slugs()
    grades = [EXPECTED.ratings[s].grade for s in by_grade]
    graded = [g for g in grades if g]
    assert graded == sorted(graded) and grades[len(graded) :] == [None] * (
        len(grades) - len(graded)
    )

    reviewed = (await get_page(client, "/?sort=reviewed&order=asc")).row_slugs()
    days = [EXPECTED.ratings[s].reviewed_on for s in reviewed]
    assert days == sorted(days)

    names = (await get_page(client, "/?sort=service&order=desc")).row_slugs()
    assert names == list(reversed(by_name(list(EXPECTED.ratings))))

    for key in ("transparency", "e2ee"):
        assert len((await get_page(client, f"/?sort={key}")).row_slugs()) == len(ratings)


async def test_sort_links_keep_filters_and_toggle_order(client: httpx.AsyncClient) -> None:
    page = await get_page(client, "/?grade=D&sort=score")
    links = [str(a["href"]) for a in page.all("a") if "sort=" in str(a.get("href"))]
    score_link = next(h for h in links if "sort=score" in h)
    assert "grade=D" in score_link and "order=asc" in score_link
    # Service is the default sort, ascending the default order: both left out of the URL.
    assert (
        "/?grade=D" in links
        or any(h == "/?grade=D" for h in links)
        or (page.all("a", href="/?grade=D"))
    )


@pytest.mark.parametrize(
    "query", ["grade=Z", "grade=AB", "status=gone", "sort=colour", "order=up", "q=" + "x" * 101]
)
async def test_bad_filters_give_a_400_page(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"/?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "<h1>" in response.text


# a service's page ---------------------------------------------------------------------------


async def test_service_page_shows_the_full_breakdown(client: httpx.AsyncClient) -> None:
    response = await client.get("/services/zoom")
    assert response.status_code == 200
    assert_csp_safe(response)
    page = Page(response.text)
    zoom = EXPECTED.ratings["zoom"]
    text = page.text
    assert zoom.name in text and zoom.company in text and f"Score {zoom.score} of 100" in text
    # The extension's "Report an error" link lands on a section that says how.
    assert page.all("h2", id="report") and "Report an error" in text
    for criterion in EXPECTED.methodology.criteria:
        assert criterion.name in text
        assert page.all("article", id=f"criterion-{criterion.id}")
    for entry in zoom.criteria:
        if entry.evidence:
            assert " ".join(entry.evidence.split()) in text
    # Levels are words, not only colours, in the methodology's own words.
    for entry in zoom.criteria:
        label = EXPECTED.methodology.level_labels[entry.level]  # type: ignore[index]
        assert f"Level: {label}" in text, label
    links = {str(a["href"]): a for a in page.all("a") if str(a.get("href")).startswith("http")}
    for entry in zoom.criteria:
        article = re.search(
            rf'<article class="criterion" id="criterion-{entry.id}">.*?</article>',
            response.text,
            re.DOTALL,
        )
        assert article is not None
        shown = Page(article.group(0)).text
        for source in entry.sources:
            assert links[source.url]["rel"] == "noopener nofollow"
            # Publisher and section, and the kind of source, not a bare URL.
            publisher = (urlsplit(source.url).hostname or "").removeprefix("www.")
            assert f"{publisher}: {' '.join(source.section.split())}" in shown
            assert f"{source.kind.capitalize()} {publisher}" in shown
        if entry.latest_period_end is not None:
            assert f"Latest report covers up to {entry.latest_period_end.isoformat()}" in shown
    # Sub-scores: one line per group with its score.
    subs = re.search(r'<ul class="sub-scores".*?</ul>', response.text, re.DOTALL)
    assert subs is not None
    for group in zoom.groups:
        assert f"{group.name} {'—' if group.score is None else group.score} (weight" in (
            Page(subs.group(0)).text
        )
    assert "Documents examined" in text and "Second review" in text
    assert zoom.reviewed_on.isoformat() in text
    # Grade history (the first load records one event per service).
    assert page.all("table", **{"class": "history"})
    assert "Grade history" in text
    # The embed snippets, in <pre><code>: relative without CANDOR_PUBLIC_URL (never
    # built from the Host header), and saying so.
    codes = re.findall(r"<pre><code>(.*?)</code></pre>", response.text, re.DOTALL)
    assert len(codes) == 2
    assert "&lt;img src=&quot;/v1/services/zoom/badge.svg&quot;" in codes[0]
    assert codes[1].startswith("[![Candor privacy rating of Zoom](/v1/services/zoom/badge.svg)]")
    assert "testserver" not in response.text
    assert "CANDOR_PUBLIC_URL" in text
    assert page.all("img", src="/v1/services/zoom/badge.svg")


async def test_discontinued_and_review_in_progress_services(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    discontinued = next(r for r in EXPECTED.ratings.values() if r.status == "discontinued")
    page = await get_page(client, f"/services/{discontinued.slug}")
    assert "Discontinued." in page.text and "was discontinued" in page.text
    state = app.state.candor
    base = state.read_path.dataset
    pending = dataclasses.replace(
        base.ratings["zoom"], slug="pending", domains=("pending.example",), grade=None, score=None
    )
    state.read_path.replace(
        Dataset.build(
            base.version + "-pending",
            base.methodology,
            [*base.ratings.values(), pending],
            dt.datetime.now(dt.UTC),
        )
    )
    page = await get_page(client, "/services/pending")
    assert "Review in progress" in page.text and "no grade yet" in page.text


async def test_unknown_service_is_a_404_page(client: httpx.AsyncClient) -> None:
    page = await get_page(client, "/services/no-such-thing", status=404)
    assert "Service not found" in page.text and "no-such-thing" in page.text
    long = await client.get("/services/" + "x" * 500)
    assert long.status_code == 404 and "x" * 65 not in long.text


async def test_pages_are_conditional_gets(client: httpx.AsyncClient) -> None:
    for url in ("/", "/?grade=B&sort=score", "/services/zoom", "/methodology"):
        first = await client.get(url)
        assert first.status_code == 200, url
        etag = first.headers["etag"]
        again = await client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"", url
        assert again.headers["etag"] == etag
    home = (await client.get("/")).headers["etag"]
    filtered = (await client.get("/?grade=B")).headers["etag"]
    assert home != filtered


async def test_head_requests_work(client: httpx.AsyncClient) -> None:
    response = await client.head("/")
    assert response.status_code == 200 and response.content == b""


# escaping ---------------------------------------------------------------------------------


def hostile_dataset(base: Dataset) -> Dataset:
    zoom = base.ratings["zoom"]
    evil = dataclasses.replace(
        zoom,
        slug="evil",
        name='<script>alert("name")</script> & Co',
        company="<b>Evil</b> Inc",
        homepage="javascript:alert(1)",
        summary="<img src=x onerror=alert(1)>",
        domains=("evil.example",),
        meeting_patterns=(),
        criteria=tuple(
            dataclasses.replace(
                c,
                evidence=f"<iframe src=//x></iframe> {c.id}",
                sources=(
                    Source(
                        "javascript:alert(2)", "official", "<b>section</b>", dt.date(2026, 1, 1)
                    ),
                    Source(
                        'https://ok.example/?a=1&b="2"', "independent", "s", dt.date(2026, 1, 1)
                    ),
                ),
            )
            for c in zoom.criteria
        ),
    )
    ratings: list[Rating] = [*base.ratings.values(), evil]
    return Dataset.build(base.version + "-evil", base.methodology, ratings, dt.datetime.now(dt.UTC))


async def test_hostile_data_is_escaped(app: Starlette, client: httpx.AsyncClient) -> None:
    state = app.state.candor
    state.read_path.replace(hostile_dataset(state.read_path.dataset))
    for url in ("/", "/services/evil", "/?q=%3Cscript%3E"):
        response = await client.get(url)
        assert response.status_code == 200
        assert_csp_safe(response)
        body = response.text
        assert "<script>" not in body and "<iframe" not in body and "<img src=x" not in body
        assert "<b>Evil" not in body
        assert 'href="javascript' not in body
    detail = (await client.get("/services/evil")).text
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; &amp; Co" in detail
    assert 'href="https://ok.example/?a=1&amp;b=&quot;2&quot;"' in detail
    # Markdown metacharacters in the name are escaped in the Markdown snippet too.
    assert r"\&lt;script\&gt;" in detail
    searched = (await client.get("/?q=%3Cscript%3E")).text
    assert 'value="&lt;script&gt;"' in searched


# methodology -------------------------------------------------------------------------------


async def test_methodology_page_renders_the_document(client: httpx.AsyncClient) -> None:
    doc = ROOT / "docs" / "methodology.md"
    if not doc.exists():
        pytest.skip("docs/methodology.md is not written yet")
    page = await get_page(client, "/methodology")
    assert page.all("h1") and page.all("h2")
    assert page.all("a", **{"aria-current": "page", "href": "/methodology"})
    first_heading = next(line for line in doc.read_text().splitlines() if line.startswith("# "))
    assert first_heading[2:].strip() in page.text


@pytest.fixture
async def doc_client(
    app: Starlette, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, Path]]:
    """The app with /methodology served from a file the test writes."""
    doc = tmp_path / "methodology.md"
    custom: list[BaseRoute] = page_routes(doc)
    app.router.routes[:0] = custom  # first match wins: ahead of the default routes
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http, doc


async def test_methodology_from_a_file(doc_client: tuple[httpx.AsyncClient, Path]) -> None:
    client, doc = doc_client
    missing = await client.get("/methodology")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    doc.write_text("# Sample\n\nSome *text* with a [link](https://example.org).\n")
    first = await client.get("/methodology")
    assert first.status_code == 200
    assert '<h1 id="sample">Sample</h1>' in first.text
    assert '<a href="https://example.org" rel="noopener nofollow">link</a>' in first.text
    doc.write_text("Changed, with no heading.\n")
    second = await client.get("/methodology")
    assert second.headers["etag"] != first.headers["etag"]
    assert "Changed, with no heading." in second.text and "<h1>Methodology</h1>" in second.text


# static files -----------------------------------------------------------------------------


async def test_stylesheet_is_served_and_cacheable(client: httpx.AsyncClient) -> None:
    page = Page((await client.get("/")).text)
    href = str(page.all("link", rel="stylesheet")[0]["href"])
    response = await client.get(href)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert "max-age=31536000" in response.headers["cache-control"]
    assert response.content == CSS.read_bytes()
    again = await client.get(href, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    unversioned = await client.get("/static/candor.css")
    assert "max-age=31536000" not in unversioned.headers["cache-control"]
    for missing in ("/static/nothing.css", "/static/..%2fpages.py", "/static/"):
        assert (await client.get(missing)).status_code == 404


def test_stylesheet_uses_the_palette() -> None:
    css = CSS.read_text()
    for grade, colours in GRADE_COLOURS.items():
        rule = re.search(rf"\.grade-{grade}\s*\{{([^}}]*)\}}", css)
        assert rule is not None, grade
        assert f"background: {colours.background}" in rule.group(1)
        assert f"color: {colours.text}" in rule.group(1)
    rule = re.search(r"\.grade-none\s*\{([^}]*)\}", css)
    assert rule is not None and INSUFFICIENT.background in rule.group(1)


# the Markdown renderer ----------------------------------------------------------------------

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
    assert "<li>item two\n<ul>\n<li>nested</li></ul></li>" in out
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


@pytest.mark.timed
def test_markdown_is_linear_enough_for_large_input() -> None:
    # Long lines of unmatched delimiters: a naive regex renderer is quadratic on these.
    import time

    for unit in ("*_`[", "*a ", "**a ", "_a ", "~~a ", "`a ", "[a "):
        start = time.perf_counter()
        render_markdown(unit * 50_000)
        assert time.perf_counter() - start < 2, unit


async def test_stale_reviews_are_flagged(app: Starlette, client: httpx.AsyncClient) -> None:
    state = app.state.candor
    base: Dataset = state.read_path.dataset
    old = dataclasses.replace(base.ratings["zoom"], stale=True, reviewed_on=dt.date(2020, 1, 2))
    ratings = [old if r.slug == "zoom" else r for r in base.ratings.values()]
    state.read_path.replace(
        Dataset.build(base.version + "-stale", base.methodology, ratings, dt.datetime.now(dt.UTC))
    )
    page = await get_page(client, "/services/zoom")
    assert "Stale review." in page.text and "2020-01-02" in page.text
    home = (await client.get("/")).text
    zoom_row = re.search(r'<tr[^>]*data-slug="zoom".*?</tr>', home, re.DOTALL)
    assert zoom_row is not None and "tag-stale" in zoom_row.group(0)
    assert "tag-stale" not in home.replace(zoom_row.group(0), "")


async def test_pages_before_the_dataset_loads() -> None:
    from api.app import create_app
    from api.settings import Settings

    application = create_app(Settings(database_url="unused://"), manage_database=False)
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        for url in ("/", "/services/zoom"):
            response = await http.get(url)
            assert response.status_code == 503, url
            assert response.headers["content-type"].startswith("text/html")
            assert response.headers["cache-control"] == "no-store"
            assert response.headers["retry-after"] == "5"
        badge = await http.get("/v1/services/zoom/badge.svg")
        assert badge.status_code == 503 and badge.headers["content-type"] == "image/svg+xml"
        assert badge.headers["cache-control"] == "no-store"
        if (ROOT / "docs" / "methodology.md").exists():
            # The methodology is a file, not data: it does not wait for the dataset.
            assert (await http.get("/methodology")).status_code == 200


async def test_suggest_page_echoes_a_valid_host_escaped_and_is_not_cached(
    client: httpx.AsyncClient,
) -> None:
    unrated = await client.get("/suggest", params={"host": "Example.ORG"})
    assert unrated.status_code == 200
    assert "Suggest example.org for a rating" in unrated.text
    assert unrated.headers["cache-control"] == "no-store"
    hostile = await client.get("/suggest", params={"host": "<script>alert(1)</script>"})
    assert hostile.status_code == 200 and "<script>alert" not in hostile.text
    assert "Suggest a service for a rating" in hostile.text
    rated = await client.get("/suggest", params={"host": "us02web.zoom.us"})
    assert 'href="/services/zoom"' in rated.text


async def test_embed_snippets_use_the_public_url_and_never_the_host(make_app: AppFactory) -> None:
    app = await make_app(public_url="https://candor.example")
    async with client_for(app) as client:
        forged = await client.get("/services/zoom", headers={"Host": "evil.example"})
        honest = await client.get("/services/zoom")
    assert forged.status_code == honest.status_code == 200
    assert forged.content == honest.content  # one page, whatever the Host
    assert "https://candor.example/v1/services/zoom/badge.svg" in forged.text
    assert "evil.example" not in forged.text
