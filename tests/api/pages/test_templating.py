"""The template environment: everything that is not Markup is escaped, in HTML and SVG."""

from __future__ import annotations

import dataclasses
import datetime as dt

from markupsafe import Markup

from api.pages.history_chart import history_chart
from api.pages.templating import environment, render, render_page
from ratings.dataset import GradeEvent
from tests.api.pages.pagetools import EXPECTED, Page

HOSTILE = "<script>alert(\"x\")</script> & 'q'"
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;"


def test_a_page_escapes_every_value() -> None:
    body = render_page(
        "error.html", title=HOSTILE, message=HOSTILE, description=HOSTILE, dataset=None
    ).decode()
    assert "<script>" not in body
    assert body.count(ESCAPED) == 4  # <title>, meta description, <h1>, <p>
    assert f'<meta name="description" content="{ESCAPED}">' in body


def test_markup_passes_as_is_and_none_prints_nothing() -> None:
    template = environment.from_string("[{{ safe }}|{{ missing }}|{{ text }}]")
    out = template.render(safe=Markup("<b>ok</b>"), missing=None, text="<b>")
    assert out == "[<b>ok</b>||&lt;b&gt;]"


def test_svg_templates_are_escaped_too() -> None:
    event = GradeEvent(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), None, "B", None, 72, "first")
    rating = dataclasses.replace(EXPECTED.ratings["zoom"], name=HOSTILE, history=(event,))
    chart = history_chart(rating, EXPECTED.methodology, dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    assert "<script>" not in chart
    assert f"Score and grade of {ESCAPED} over time" in chart
    assert Page(chart).all("circle")


def test_an_embed_snippet_is_markup_made_of_escaped_values() -> None:
    snippet = render("embed_snippet.html", page="/p?a=1&b=2", image='/i"x', alt="<a>")
    assert (
        snippet == '<a href="/p?a=1&amp;b=2"><img src="/i&quot;x" alt="&lt;a&gt;" height="20"></a>'
    )
