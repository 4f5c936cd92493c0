"""``/grades.css``: the grade tiles' colours, written from the dataset's methodology.

The grade letters and their colours are the methodology's (``grading.grade_colours``), so
a methodology that adds a grade colours its tiles on the pages as it does in the badges
and the extension, with no change to ``candor.css``. A stylesheet rather than a style
attribute: the pages' CSP allows no inline styles. Its URL carries a digest of its bytes,
so it is cached for a year and a new methodology gets a new URL.
"""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response

from api.pages.versioned import versioned_response
from api.palette import grade_colours
from api.responses import Rendered
from api.state import state_of
from ratings.dataset import Dataset
from ratings.methodology import Methodology
from ratings.readpath import DatasetUnavailable

CSS_TYPE = "text/css; charset=utf-8"


def grade_stylesheet(methodology: Methodology) -> bytes:
    rules = [
        f".grade-{letter} {{ background: {colours.background}; color: {colours.text}; }}"
        for letter, colours in grade_colours(methodology).items()
    ]
    return ("\n".join(rules) + "\n").encode()


def _digest(stylesheet: bytes) -> str:
    return hashlib.blake2b(stylesheet, digest_size=8).hexdigest()


def grades_css_href(dataset: Dataset) -> str:
    # A few short lines to write and hash: cheaper than keeping a cache of them (pages
    # that name this URL are themselves cached by dataset version).
    return f"/grades.css?v={_digest(grade_stylesheet(dataset.methodology))}"


async def grades_css(request: Request) -> Response:
    state = state_of(request)
    try:
        dataset = state.read_path.dataset
    except DatasetUnavailable:
        # No dataset, no grades to colour: an empty stylesheet, briefly cached.
        return Response(b"", media_type=CSS_TYPE, headers={"Cache-Control": "max-age=5"})
    body = grade_stylesheet(dataset.methodology)
    rendered = Rendered.of(body, dataset.version, CSS_TYPE)
    return versioned_response(request, rendered, _digest(body))
