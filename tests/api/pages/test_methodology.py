"""/methodology: the document, rendered, from the configured file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from tests.api.conftest import AppFactory, client_for
from tests.api.pages.pagetools import get_page
from tests.conftest import ROOT


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
    make_app: AppFactory, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, Path]]:
    """The app with /methodology served from a file the test writes (methodology_doc, as
    CANDOR_METHODOLOGY_DOC sets it)."""
    doc = tmp_path / "methodology.md"
    app = await make_app(methodology_doc=doc)
    async with client_for(app) as http:
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


def test_the_document_is_configured_by_CANDOR_METHODOLOGY_DOC(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CANDOR_METHODOLOGY_DOC", str(tmp_path / "doc.md"))
    assert Settings.from_env().methodology_doc == tmp_path / "doc.md"
    monkeypatch.setenv("CANDOR_METHODOLOGY_DOC", "")
    assert Settings.from_env().methodology_doc is None
    monkeypatch.delenv("CANDOR_METHODOLOGY_DOC")
    assert Settings.from_env().methodology_doc is None
