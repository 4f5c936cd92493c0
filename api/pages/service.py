"""``GET /services/{slug}``: one service's rating, criterion by criterion, with its
evidence, sources, history, the company's replies, a letter to the company, and the
badge to embed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from api.pages.common import error_page, needs_dataset, serve
from api.pages.history_chart import history_chart
from api.pages.templating import HTML_TYPE, css_href, render, render_page
from api.responses import Rendered
from api.state import AppState
from ratings.dataset import CriterionRating, Dataset, Rating
from ratings.letter import compose
from ratings.methodology import Criterion, Methodology


@dataclass(frozen=True, slots=True)
class CriterionView:
    """A criterion of a service as its article shows it."""

    criterion: Criterion
    entry: CriterionRating
    label: str  # the level in the methodology's words
    meaning: str  # what that level means for this criterion
    counted_label: str | None  # the level scored, when an old report counts lower
    max_age_months: int
    report_href: str


@dataclass(frozen=True, slots=True)
class GroupView:
    id: str
    name: str
    weight: float
    sub_score: str  # "72 of 100" or "not scored"
    criteria: tuple[CriterionView, ...]


@dataclass(frozen=True, slots=True)
class Embed:
    html: str
    markdown: str


def _level_meaning(criterion: Criterion, level: str) -> str:
    if level in ("full", "partial", "none"):
        text: str = getattr(criterion.levels, level)
        return text
    if level == "no_disclosure":
        return (
            "The company's own documents listed under 'Documents examined' were read and say "
            "nothing either way; scored 0, like none."
        )
    if level == "not_assessed":
        return "Not reviewed yet; left out of the score until it is."
    return "Does not apply to this service; left out of its group's score."


def _criterion_view(
    criterion: Criterion, entry: CriterionRating, methodology: Methodology, slug: str
) -> CriterionView:
    counted = entry.counted_level or entry.level
    return CriterionView(
        criterion,
        entry,
        methodology.level_label(entry.level),
        _level_meaning(criterion, entry.level),
        methodology.level_label(counted) if counted != entry.level else None,
        methodology.grading.report_freshness.max_age_months,
        "/suggest?" + urlencode({"service": slug, "criterion": criterion.id}),
    )


def _sub_score(rating: Rating, group_id: str) -> str:
    for group in rating.groups:
        if group.id == group_id:
            return "not scored" if group.score is None else f"{group.score} of 100"
    return "not scored"


def _groups(rating: Rating, methodology: Methodology) -> list[GroupView]:
    """The methodology's groups with this service's criteria in them (empty ones left out)."""
    by_id = {entry.id: entry for entry in rating.criteria}
    groups = []
    for group in methodology.groups:
        members = tuple(
            _criterion_view(c, by_id[c.id], methodology, rating.slug)
            for c in methodology.criteria
            if c.group == group.id and c.id in by_id
        )
        if members:
            sub_score = _sub_score(rating, group.id)
            groups.append(GroupView(group.id, group.name, group.weight, sub_score, members))
    return groups


def _markdown_text(text: str) -> str:
    # Backslash-escape what Markdown would read as syntax in a link's text.
    return "".join(f"\\{c}" if c in "\\`*_[]()<>!#|" else c for c in text)


def embed_snippets(rating: Rating, base: str) -> Embed:
    """The badge as an HTML snippet and as Markdown, linking back to this page."""
    page = f"{base}/services/{rating.slug}"
    image = f"{base}/v1/services/{rating.slug}/badge.svg"
    alt = f"Candor privacy rating of {rating.name}"
    html = str(render("embed_snippet.html", page=page, image=image, alt=alt))
    return Embed(html, f"[![{_markdown_text(alt)}]({image})]({page})")


def _publisher(url: str) -> str:
    return (urlsplit(url).hostname or url).removeprefix("www.")


def _chart_end(dataset: Dataset, rating: Rating) -> dt.datetime:
    """Where the history chart's time axis ends: the day the dataset was built (a page is
    rendered once per dataset and day), or the last change if later."""
    day = dt.datetime.combine(dataset.built_on, dt.time.min, dt.UTC)
    last = rating.history[-1].changed_at if rating.history else day
    return max(day, last)


def render_service(dataset: Dataset, rating: Rating, base: str) -> bytes:
    methodology = dataset.methodology
    grade = rating.grade or "not graded"
    return render_page(
        "service.html",
        title=f"{rating.name}: {grade}",
        description=f"Candor's privacy and transparency rating of {rating.name}: {grade}.",
        dataset=dataset,
        feeds=(
            (f"Candor: rating changes of {rating.name}", f"/services/{rating.slug}/changes.atom"),
            ("Candor: rating changes", "/changes.atom"),
        ),
        rating=rating,
        grading=methodology.grading,
        groups=_groups(rating, methodology),
        history_chart=history_chart(rating, methodology, _chart_end(dataset, rating)),
        letter=compose(rating, methodology, f"{base}/services/{rating.slug}"),
        embed=embed_snippets(rating, base),
        base=base,
        publisher=_publisher,
    )


@needs_dataset
async def service_page(request: Request, state: AppState, dataset: Dataset) -> Response:
    slug = request.path_params["slug"]
    rating = dataset.ratings.get(slug)
    if rating is None:
        return error_page(
            request,
            404,
            "Service not found",
            f"No rated service has the address “{slug[:64]}”.",
            dataset,
        )
    # Absolute links only from the configured public URL; without one they are relative.
    # Never from the request's Host header: a forged Host would otherwise reach the page,
    # and every copy a shared cache keeps of it.
    base = state.settings.public_url

    async def render_bytes() -> Rendered:
        return Rendered.of(render_service(dataset, rating, base), dataset.version, HTML_TYPE)

    key = (dataset.version, "page:service", slug, css_href())
    return serve(request, state, await state.answer(key, render_bytes))
