"""``GET /open-data``: what the open dataset holds, where to get it, its licence (CC BY 4.0)
and how to credit it. The footer of every page links here."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api import assets
from api.html import join, tag
from api.pages import HTML_TYPE, external_link, layout
from api.responses import Rendered, cached_response
from api.state import state_of
from ratings.dataset import Dataset
from ratings.opendata import LICENSE_ID, LICENSE_NAME, LICENSE_URL


def render_open_data(dataset: Dataset | None) -> bytes:
    version = dataset.version if dataset else None
    credit = "Candor privacy and transparency ratings" + (f", dataset {version}" if version else "")
    main = join(
        [
            tag("h1", None, "Open data"),
            tag(
                "p",
                {"class": "lede"},
                "Every rating is open data: one row per service and criterion, with the level "
                "found, the evidence, its sources and their kinds, the review date, and the "
                "service's grade and score under the published methodology.",
            ),
            tag("h2", None, "Downloads"),
            tag(
                "ul",
                None,
                tag("li", None, tag("a", {"href": "/v1/dataset.csv"}, "dataset.csv"), " (CSV)"),
                tag("li", None, tag("a", {"href": "/v1/dataset.json"}, "dataset.json"), " (JSON)"),
                tag(
                    "li",
                    None,
                    tag("a", {"href": "/v1/methodology"}, "The methodology"),
                    " (JSON): enough to rebuild every grade from the CSV",
                ),
                tag(
                    "li",
                    None,
                    tag("a", {"href": "/changes.atom"}, "The change feed"),
                    " (Atom) and ",
                    tag("a", {"href": "/v1/changes"}, "as JSON"),
                    ": every grade, score and criterion-level change",
                ),
            ),
            tag(
                "p",
                None,
                "Each release is identified by its dataset version (in the files and in the "
                "ETag); the files of a release never change.",
            ),
            tag("h2", None, "Licence"),
            tag(
                "p",
                {"id": "licence"},
                "The data is licensed under the ",
                external_link(LICENSE_URL, f"{LICENSE_NAME} licence ({LICENSE_ID})"),
                ": you may share and adapt it, for any purpose, commercial ones included, as "
                "long as you credit Candor, link to the licence and say whether you changed "
                "it. The code is under its own licence (MIT).",
            ),
            tag("h2", None, "How to credit"),
            tag("p", None, tag("q", None, f"{credit}, {LICENSE_ID}.")),
        ],
        "\n",
    )
    return layout(
        title="Open data",
        main=main,
        current=None,
        description="Candor's ratings as open data (CC BY 4.0): CSV, JSON and a change feed.",
        dataset=dataset,
    )


async def open_data_page(request: Request) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset if state.read_path.loaded else None

    async def render() -> Rendered:
        version = dataset.version if dataset else "none"
        return Rendered.of(render_open_data(dataset), version, HTML_TYPE)

    key = (dataset.version if dataset else None, "page:open-data", assets.href("candor.css"))
    rendered = await state.answer(key, render)
    return cached_response(request, rendered, max_age=state.settings.cache_max_age)
