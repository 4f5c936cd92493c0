"""A service's page holds it to account: the letter names exactly its criteria below full,
every criterion links to the error form, the history chart marks methodology changes, and
the company's replies sit under the rating, apart from the evidence."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest

from api.accountability import history_chart
from ratings.dataset import GradeEvent, dataset_from_fixtures
from ratings.fixtures import read_fixtures
from ratings.letter import WEAK_LEVELS, compose
from tests.conftest import FIXTURES, copy_real_fixtures, edit_service

DATASET = dataset_from_fixtures(read_fixtures(FIXTURES))


class _Text(HTMLParser):
    """The text and attributes of one element (by id) of a page."""

    def __init__(self, element_id: str) -> None:
        super().__init__()
        self.element_id = element_id
        self.depth = 0
        self.text: list[str] = []
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += tag not in ("br", "img", "input", "meta", "link")
            if tag == "a":
                self.links.append(dict(attrs))
        elif dict(attrs).get("id") == self.element_id:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


def section(html: str, element_id: str) -> _Text:
    parser = _Text(element_id)
    parser.feed(html)
    assert parser.text, f"no #{element_id}"
    return parser


def expected_weak(slug: str) -> list[str]:
    """From the API's own words, without the code under test: counted level below full."""
    return [
        c.id for c in DATASET.ratings[slug].criteria if (c.counted_level or c.level) in WEAK_LEVELS
    ]


@pytest.mark.parametrize("slug", sorted(DATASET.ratings))
def test_the_letter_names_exactly_the_criteria_below_full(slug: str) -> None:
    rating = DATASET.ratings[slug]
    letter = compose(rating, DATASET.methodology, f"https://candor.example/services/{slug}")
    weak = expected_weak(slug)
    assert list(letter.criteria) == weak
    names = {c.id: c.name for c in DATASET.methodology.criteria}
    for criterion in DATASET.methodology.criteria:
        named = f"- {criterion.name} (now:" in letter.body
        assert named == (criterion.id in weak), (slug, criterion.id)
    for cid in weak:
        ask = next(c.ask for c in DATASET.methodology.criteria if c.id == cid)
        assert ask and ask in letter.body, (slug, cid, names[cid])
    assert f"https://candor.example/services/{slug}" in letter.body


def test_the_mailto_link_carries_the_letter_to_the_published_address() -> None:
    rating = DATASET.ratings["zoom"]
    contact = rating.details["contact"]
    assert contact["url"] == "mailto:privacy@zoom.us"
    assert contact["source"]["kind"] == "official"
    letter = compose(rating, DATASET.methodology, "https://candor.example/services/zoom")
    assert letter.mailto is not None
    parts = urlsplit(letter.mailto)
    assert (parts.scheme, parts.path) == ("mailto", "privacy@zoom.us")
    assert "+" not in parts.query  # RFC 6068: spaces are %20
    fields = parse_qs(parts.query)
    assert fields["subject"] == [letter.subject]
    assert fields["body"] == [letter.body.replace("\n", "\r\n")]
    assert letter.body.startswith(f"Dear {contact['label']},")
    # A service with no published contact: the letter, but no address invented for it.
    without = next(r for r in DATASET.ratings.values() if not r.details.get("contact"))
    plain = compose(without, DATASET.methodology, "https://candor.example/")
    assert plain.mailto is None and plain.contact_url is None


@pytest.mark.parametrize("slug", ["zoom", "signal", "whereby", "google-meet"])
async def test_the_page_offers_the_letter_and_names_the_same_criteria(
    client: httpx.AsyncClient, slug: str
) -> None:
    html = (await client.get(f"/services/{slug}")).text
    ask = section(html, "ask")
    weak = expected_weak(slug)
    linked = [a["href"] for a in ask.links if (a.get("href") or "").startswith("#criterion-")]
    assert linked == [f"#criterion-{cid}" for cid in weak]
    letter = section(html, "ask-letter")
    body = "".join(letter.text)
    names = {c.id: c.name for c in DATASET.methodology.criteria}
    assert [cid for cid in names if f"- {names[cid]} (now:" in body] == weak
    rating = DATASET.ratings[slug]
    mailto = [a["href"] or "" for a in ask.links if (a.get("href") or "").startswith("mailto:")]
    contact = rating.details.get("contact")
    if contact and contact["url"].startswith("mailto:"):
        assert len(mailto) == 1 and mailto[0].startswith(contact["url"] + "?subject=")
        assert unquote(parse_qs(urlsplit(mailto[0]).query)["body"][0]).replace("\r\n", "\n") in (
            body
        )
    else:
        assert mailto == []
        assert "has not found" in "".join(ask.text)
    # The summary at the top leads to the letter.
    assert 'href="#ask"' in html


async def test_every_criterion_links_to_the_prefilled_error_form(
    client: httpx.AsyncClient,
) -> None:
    html = (await client.get("/services/zoom")).text
    for criterion in DATASET.methodology.criteria:
        article = section(html, f"criterion-{criterion.id}")
        [report] = [a for a in article.links if a.get("class") == "report-link"]
        query = parse_qs(urlsplit(report["href"] or "").query)
        assert query == {"service": ["zoom"], "criterion": [criterion.id]}
        form = (await client.get(report["href"] or "")).text
        assert f'<option value="{criterion.id}" selected>' in form
        assert '<input type="hidden" name="service" value="zoom">' in form


def _event(day: int, score: int, grade: str, before: int | None, after: int) -> GradeEvent:
    return GradeEvent(
        dt.datetime(2026, 1, day, tzinfo=dt.UTC),
        None,
        grade,
        None,
        score,
        "test",
        "methodology" if before is not None and before != after else "evidence",
        before,
        after,
    )


def test_the_history_chart_marks_methodology_changes() -> None:
    rating = DATASET.ratings["zoom"]
    steady = replace(rating, history=(_event(1, 60, "C", None, 2), _event(5, 72, "B", 2, 2)))
    moved = replace(rating, history=(_event(1, 60, "C", None, 1), _event(5, 72, "B", 1, 2)))
    end = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    plain = history_chart(steady, DATASET.methodology, end)
    marked = history_chart(moved, DATASET.methodology, end)
    assert 'class="methodology-change"' not in plain
    assert marked.count('class="methodology-change"') == 1
    assert "methodology v1 → v2" in marked
    assert "Methodology changed on 2026-01-05" in marked
    assert plain.count("<circle") == 2 and "C 60" in plain and "B 72" in plain
    # Every grade threshold is drawn, so a reader sees which band a score is in.
    for letter in DATASET.methodology.grading.thresholds:
        assert f"{letter} ≥" in plain


async def test_replies_sit_under_the_rating_apart_from_the_evidence(
    make_app: Any, tmp_path: Path
) -> None:
    from ratings.loader import sync_fixtures

    directory = copy_real_fixtures(tmp_path / "fixtures")
    statement = "Zoom says it will publish enforcement numbers by country next year."

    def reply(data: dict[str, Any]) -> None:
        data["responses"] = [
            {
                "date": "2026-11-01",
                "summary": statement,
                "url": "https://www.zoom.com/en/blog/government-requests-and-data-protection/",
            }
        ]

    edit_service(directory, "zoom", reply)
    await sync_fixtures(read_fixtures(directory))
    app = await make_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        detail = (await http.get("/v1/services/zoom")).json()
        assert detail["responses"][0]["summary"] == statement
        html = (await http.get("/services/zoom")).text
    assert html.index('id="responses"') < html.index('id="criteria-h"')
    replies = section(html, "responses")
    assert statement in "".join(replies.text)
    assert "not Candor's evidence" in "".join(replies.text)
    # Not mixed into any criterion's evidence.
    assert all(
        statement not in "".join(section(html, f"criterion-{c.id}").text)
        for c in DATASET.methodology.criteria
    )
    assert re.search(r'href="https://www\.zoom\.com/en/blog/[^"]+" rel="noopener nofollow"', html)


def test_changes_close_in_time_stay_apart_on_the_chart() -> None:
    rating = DATASET.ratings["zoom"]
    first = _event(1, 60, "C", None, 2)
    second = replace(
        _event(1, 72, "B", 2, 2), changed_at=first.changed_at + dt.timedelta(minutes=1)
    )
    chart = history_chart(
        replace(rating, history=(first, second)),
        DATASET.methodology,
        dt.datetime(2026, 12, 31, tzinfo=dt.UTC),
    )
    xs = [float(v) for v in re.findall(r'<circle cx="([0-9.]+)"', chart)]
    assert len(xs) == 2 and xs[1] - xs[0] >= 34
    # The last score is drawn on to the end of the time axis.
    path = re.search(r'<path d="([^"]+)"', chart)
    assert path is not None and path.group(1).split()[-1].startswith("L584.0,")
