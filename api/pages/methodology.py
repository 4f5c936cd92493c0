"""``GET /methodology``: the methodology document (Markdown) as a page.

The document is ``Settings.methodology_doc`` (``CANDOR_METHODOLOGY_DOC``), else the
repository's docs/methodology.md (an installed package has no repository beside it). It
is read per request, off the event loop: a changed file shows without a restart, and the
page is rendered once per version of the file.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from api.pages.common import error_page, serve
from api.pages.markdown import render_markdown
from api.pages.templating import HTML_TYPE, css_href, render_page
from api.responses import Rendered
from api.state import state_of
from ratings.dataset import Dataset

DEFAULT_METHODOLOGY_DOC = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"


def render_methodology(source: str, dataset: Dataset | None) -> bytes:
    content = render_markdown(source)
    return render_page(
        "methodology.html",
        title="Methodology",
        description="How Candor rates video-conferencing services, step by step.",
        dataset=dataset,
        current="methodology",
        content=content,
        # The document's own title, when it has one; else the page gives it one.
        has_title="<h1" in content,
    )


async def methodology_page(request: Request) -> Response:
    state = state_of(request)
    dataset = state.read_path.dataset if state.read_path.loaded else None
    doc = state.settings.methodology_doc or DEFAULT_METHODOLOGY_DOC
    try:
        # The file may sit on a slow disk: off the event loop, like the read below.
        stat = await run_in_threadpool(doc.stat)
    except OSError:
        return error_page(
            request,
            404,
            "Methodology not found",
            "The methodology document is not available on this server.",
            dataset,
        )

    async def render() -> Rendered:
        # Decoding errors are replaced, not fatal: a stray byte must not take the page down.
        source = await run_in_threadpool(doc.read_text, "utf-8", "replace")
        return Rendered.of(
            render_methodology(source, dataset), f"doc{stat.st_mtime_ns:x}", HTML_TYPE
        )

    key = (
        dataset.version if dataset else None,
        "page:methodology",
        os.fspath(doc),
        stat.st_mtime_ns,
        stat.st_size,
        css_href(),
    )
    return serve(request, state, await state.answer(key, render))
