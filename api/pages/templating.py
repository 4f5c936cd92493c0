"""The Jinja2 environment every page is rendered with (templates in ``api/templates/``).

Autoescaping is on for HTML and SVG: a value from the fixtures (a service name, a piece
of evidence) or from a query string can never become markup. Only ``Markup`` passes as
is, and only code makes it (the Markdown renderer, a template rendered here).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from api import assets
from api.pages.gradestyle import grades_css_href
from api.pages.links import offsite_url
from ratings.dataset import Dataset
from ratings.opendata import LICENSE_ID

HTML_TYPE = "text/html; charset=utf-8"

# The site's navigation: (URL, label, the page's key for aria-current).
NAV = (
    ("/", "Services", "home"),
    ("/methodology", "Methodology", "methodology"),
    ("/changes", "Changes", "changes"),
    ("/docs", "API", "api"),
)
SITE_FEEDS = (("Candor: rating changes", "/changes.atom"),)


def _finalize(value: object) -> object:
    # An absent optional part (None) prints nothing. Text is escaped as the standard
    # library does (&quot;, &#x27;), as the pages and the Atom feeds always were;
    # markupsafe alone would write &#34; and &#39;. Markup is already safe and passes.
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(html.escape(value, quote=True))
    return value


def css_href() -> str:
    # The content hash in the URL lets the stylesheet be cached for a year: a changed file
    # gets a new URL (and the pages that name it a new ETag).
    return assets.href("candor.css")


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo is not None else moment


def _make_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("api", "templates"),
        autoescape=select_autoescape(["html", "svg"], default=True),
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(
        nav=NAV,
        license_id=LICENSE_ID,
        license_label=LICENSE_ID.replace("-", " "),
        css_href=css_href,
        grades_css_href=grades_css_href,
        offsite_url=offsite_url,
    )
    environment.filters["utc"] = _utc
    return environment


environment = _make_environment()


def render(template: str, **context: Any) -> Markup:
    """A template (or a part of a page) as markup."""
    return Markup(environment.get_template(template).render(**context))


def render_page(
    template: str,
    *,
    title: str,
    description: str,
    dataset: Dataset | None,
    current: str | None = None,
    feeds: Sequence[tuple[str, str]] = SITE_FEEDS,
    styles: Sequence[str] = (),
    scripts: Sequence[str] = (),
    grade_tiles: bool = True,
    **context: Any,
) -> bytes:
    """A whole page (a template extending layout.html), as the bytes cached and sent.
    ``grade_tiles``: the page shows grades, so it links the grade colours (/grades.css)."""
    return (
        environment.get_template(template)
        .render(
            title=title,
            description=description,
            dataset=dataset,
            current=current,
            feeds=feeds,
            styles=styles,
            scripts=scripts,
            grade_tiles=grade_tiles and dataset is not None,
            **context,
        )
        .encode()
    )
