"""``GET /open-data``: what the open dataset holds, where to get it, its licence (CC BY 4.0)
and how to credit it. The footer of every page links here."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.pages.common import serve
from api.pages.templating import HTML_TYPE, css_href, render_page
from api.responses import Rendered
from api.state import state_of
from ratings.dataset import Dataset
from ratings.opendata import LICENSE_ID, LICENSE_NAME, LICENSE_URL


def render_open_data(dataset: Dataset | None) -> bytes:
    version = dataset.version if dataset else None
    credit = "Candor privacy and transparency ratings" + (f", dataset {version}" if version else "")
    return render_page(
        "open_data.html",
        title="Open data",
        description="Candor's ratings as open data (CC BY 4.0): CSV, JSON and a change feed.",
        dataset=dataset,
        license_url=LICENSE_URL,
        license_text=f"{LICENSE_NAME} licence ({LICENSE_ID})",
        credit=f"{credit}, {LICENSE_ID}.",
    )


async def open_data_page(request: Request) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset if state.read_path.loaded else None

    async def render() -> Rendered:
        version = dataset.version if dataset else "none"
        return Rendered.of(render_open_data(dataset), version, HTML_TYPE)

    key = (dataset.version if dataset else None, "page:open-data", css_href())
    return serve(request, state, await state.answer(key, render))
