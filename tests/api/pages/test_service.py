"""A service's page, through the ASGI app: the breakdown, the notices, the 404, the
embed snippets, and hostile data escaped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette

from ratings.dataset import Dataset, Rating, Source
from tests.api.conftest import AppFactory, client_for
from tests.api.pages.pagetools import EXPECTED, Page, assert_csp_safe, get_page


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


async def test_embed_snippets_use_the_public_url_and_never_the_host(make_app: AppFactory) -> None:
    app = await make_app(public_url="https://candor.example")
    async with client_for(app) as client:
        forged = await client.get("/services/zoom", headers={"Host": "evil.example"})
        honest = await client.get("/services/zoom")
    assert forged.status_code == honest.status_code == 200
    assert forged.content == honest.content  # one page, whatever the Host
    assert "https://candor.example/v1/services/zoom/badge.svg" in forged.text
    assert "evil.example" not in forged.text
