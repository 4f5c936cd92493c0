"""Embeddable SVG grade badges: ``GET /v1/services/{slug}/badge.svg``.

A badge is two parts, "candor" and the grade, in the shared palette (``api.palette``).
It is meant for ``<img>`` tags on other sites, so every outcome is an image, even an
unknown slug (a grey "not rated" badge with status 404): a broken-image icon on someone's
README helps nobody. Only a bad ``style`` is a problem+json 400, because that is a mistake
in the embedding code, found when it is written.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.palette import LABEL, NOT_RATED, Colours, colours_for
from api.problems import Problem
from api.responses import Rendered, cached_response
from api.state import state_of
from ratings.dataset import Rating
from ratings.methodology import Methodology
from ratings.readpath import DatasetUnavailable

SVG_TYPE = "image/svg+xml"
Style = Literal["flat", "plain"]
STYLES: tuple[Style, ...] = ("flat", "plain")

HEIGHT = 20
PADDING = 6  # on each side of each part's text
FONT = "Verdana,Geneva,DejaVu Sans,sans-serif"

# Approximate advance widths of Verdana at 11px. The badge only needs a box that fits;
# textLength then makes any fallback font fill exactly that box.
_NARROW = {**dict.fromkeys("ijlI.,:;'|!", 3.5), **dict.fromkeys("()[]{}-/ft", 5.0)}
_WIDE = {**dict.fromkeys("mwMW", 10.5), **dict.fromkeys("ABCDEFGHKNOPQRSUVXYZ&%", 7.8)}
_SPACE = 3.9
_DEFAULT = 7.0


def text_width(text: str) -> float:
    return sum(
        _SPACE if char == " " else _NARROW.get(char, _WIDE.get(char, _DEFAULT)) for char in text
    )


@dataclass(frozen=True, slots=True)
class Badge:
    label: str
    value: str
    colours: Colours
    title: str


def badge_for(rating: Rating | None, methodology: Methodology) -> Badge:
    """What a rating's badge says, in the colours of ``methodology``; ``None`` is a slug
    nobody rated."""
    if rating is None:
        return Badge("candor", "not rated", NOT_RATED, "Candor: this service is not rated")
    discontinued = rating.status == "discontinued"
    colours = colours_for(rating.grade, methodology, discontinued=discontinued)
    score = f", score {rating.score} of 100" if rating.score is not None else ""
    if rating.grade is None:
        value = "discontinued" if discontinued else "?"
        what = "not enough information for a grade"
    else:
        value = f"{rating.grade} (discontinued)" if discontinued else rating.grade
        what = f"grade {rating.grade}{score}"
    if discontinued:
        what += " (discontinued)"
    return Badge("candor", value, colours, f"Candor rating of {rating.name}: {what}")


def _x(text: str) -> str:
    # XML escaping: html.escape covers & < > " ' with entities XML also knows.
    return html.escape(text, quote=True)


def render_badge(badge: Badge, style: Style = "flat") -> bytes:
    label_width = round(text_width(badge.label) + 2 * PADDING)
    value_width = round(text_width(badge.value) + 2 * PADDING)
    width = label_width + value_width
    label_text = round(text_width(badge.label))
    value_text = round(text_width(badge.value))
    title = _x(badge.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{title}">',
        f"<title>{title}</title>",
    ]
    shapes = (
        f'<rect width="{label_width}" height="{HEIGHT}" fill="{LABEL.background}"/>'
        f'<rect x="{label_width}" width="{value_width}" height="{HEIGHT}" '
        f'fill="{badge.colours.background}"/>'
    )
    if style == "flat":
        # Rounded corners by clipping both parts to one rounded box; no gradient.
        parts.append(
            f'<clipPath id="candor-badge-r"><rect width="{width}" height="{HEIGHT}" rx="3" '
            f'fill="#FFFFFF"/></clipPath><g clip-path="url(#candor-badge-r)">{shapes}</g>'
        )
    else:
        parts.append(f'<g shape-rendering="crispEdges">{shapes}</g>')
    parts.append(
        f'<g font-family="{FONT}" font-size="11" text-anchor="middle">'
        f'<text x="{label_width / 2:g}" y="14" fill="{LABEL.text}" textLength="{label_text}" '
        f'lengthAdjust="spacingAndGlyphs">{_x(badge.label)}</text>'
        f'<text x="{label_width + value_width / 2:g}" y="14" fill="{badge.colours.text}" '
        f'textLength="{value_text}" lengthAdjust="spacingAndGlyphs">{_x(badge.value)}</text>'
        "</g></svg>"
    )
    return "".join(parts).encode()


def _style(request: Request) -> Style:
    raw = request.query_params.get("style", "flat")
    for style in STYLES:
        if raw == style:
            return style
    raise Problem(400, f"'style' must be one of {', '.join(STYLES)}; got {raw[:32]!r}")


async def badge(request: Request) -> Response:
    state = state_of(request)
    style = _style(request)
    slug = request.path_params["slug"]
    try:
        dataset = state.read_path.dataset
    except DatasetUnavailable:
        body = render_badge(
            Badge("candor", "unavailable", NOT_RATED, "Candor: ratings are loading"), style
        )
        return Response(
            body, status_code=503, media_type=SVG_TYPE, headers={"Cache-Control": "no-store"}
        )
    rating = dataset.ratings.get(slug)
    if rating is None:
        # Not kept in the answer cache: any string is a slug, and misses must not evict
        # real answers. Rendering it is cheap.
        rendered = Rendered.of(
            render_badge(badge_for(None, dataset.methodology), style),
            dataset.version,
            SVG_TYPE,
            status=404,
        )
        return cached_response(request, rendered, max_age=state.settings.cache_max_age)

    async def render() -> Rendered:
        return Rendered.of(
            render_badge(badge_for(rating, dataset.methodology), style), dataset.version, SVG_TYPE
        )

    rendered = await state.answer((dataset.version, "badge", slug, style), render)
    return cached_response(request, rendered, max_age=state.settings.cache_max_age)


def badge_routes() -> list[Route]:
    return [Route("/v1/services/{slug}/badge.svg", badge, methods=["GET"])]
