"""What the page tests share: a small HTML parser, and the checks every page must pass."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx

from ratings.dataset import dataset_from_fixtures
from ratings.fixtures import read_fixtures
from tests.conftest import FIXTURES

EXPECTED = dataset_from_fixtures(read_fixtures(FIXTURES))


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
