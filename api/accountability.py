"""The parts of a service's page that hold it to account: its score and grade over time
(from the grade history, methodology changes marked), the company's replies (right of
reply), and "Ask {company} to do better", a letter the reader sends themselves.

String-built HTML and SVG through api/html.py: every value is escaped on the way in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from api.html import Child, Html, join, tag
from api.palette import colours_for
from ratings.dataset import GradeEvent, Rating
from ratings.letter import Letter
from ratings.methodology import Methodology

# Pixels between two changes on the chart, at least.
_MIN_GAP = 34.0


@dataclass(frozen=True, slots=True)
class Point:
    at: dt.datetime
    score: int | None
    grade: str | None


def _points(events: Sequence[GradeEvent]) -> list[Point]:
    return [Point(e.changed_at, e.new_score, e.new_grade) for e in events if e.cause != "removed"]


def history_chart(rating: Rating, methodology: Methodology, now: dt.datetime) -> Html:
    """Score over time as a step line (a score holds until the next change), each change a
    dot labelled with its grade, the grade thresholds as bands, and a dashed line wherever
    the methodology version changed. The table below it says the same in words."""
    points = _points(rating.history)
    if not points:
        return tag("p", {"class": "muted"}, "No history yet.")
    width, height = 640, 220
    left, right, top, bottom = 40, 56, 16, 34
    start = points[0].at
    end = max(now, points[-1].at)
    span = max((end - start).total_seconds(), 86400.0)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(moment: dt.datetime) -> float:
        return left + plot_w * (moment - start).total_seconds() / span

    # Changes close in time (a first load and a fix the same week) would draw on top of
    # each other: each keeps at least MIN_GAP from the one before, time order kept.
    positions: dict[dt.datetime, float] = {}
    previous: float | None = None
    for point in points:
        at = x(point.at)
        if previous is not None:
            at = min(max(at, previous + _MIN_GAP), width - right - 4)
        positions[point.at] = previous = at

    def px(moment: dt.datetime) -> float:
        return positions.get(moment, x(moment))

    def y(score: float) -> float:
        return top + plot_h * (1 - score / 100)

    shapes: list[Html] = []
    for letter, minimum in methodology.grading.thresholds.items():
        shapes.append(
            tag(
                "line",
                {
                    "x1": left,
                    "x2": width - right,
                    "y1": f"{y(minimum):.1f}",
                    "y2": f"{y(minimum):.1f}",
                    "stroke": "currentColor",
                    "stroke-opacity": "0.25",
                },
            )
        )
        shapes.append(
            tag(
                "text",
                {"x": width - right + 6, "y": f"{y(minimum) + 4:.1f}", "font-size": "11"},
                f"{letter} ≥ {minimum:g}",
            )
        )
    scored = [p for p in points if p.score is not None]
    if scored:
        path = []
        for index, point in enumerate(scored):
            # The last score holds to the chart's end (the day the page was made).
            following = px(scored[index + 1].at) if index + 1 < len(scored) else width - right
            path.append(f"{'M' if index == 0 else 'L'}{px(point.at):.1f},{y(point.score or 0):.1f}")
            path.append(f"L{following:.1f},{y(point.score or 0):.1f}")
        shapes.append(
            tag(
                "path",
                {
                    "d": " ".join(path),
                    "fill": "none",
                    "stroke": "currentColor",
                    "stroke-width": "2",
                },
            )
        )
    for point in scored:
        fill = colours_for(point.grade, methodology).background if point.grade else "#888888"
        shapes.append(
            tag(
                "circle",
                {
                    "cx": f"{px(point.at):.1f}",
                    "cy": f"{y(point.score or 0):.1f}",
                    "r": "5",
                    "fill": fill,
                    "stroke": "currentColor",
                },
            )
        )
        shapes.append(
            tag(
                "text",
                {
                    "x": f"{px(point.at):.1f}",
                    "y": f"{y(point.score or 0) - 9:.1f}",
                    "text-anchor": "middle",
                    "font-weight": "bold",
                    "font-size": "12",
                },
                f"{point.grade or '?'} {point.score}",
            )
        )
    marks = [
        e
        for e in rating.history
        if e.old_methodology_version is not None
        and e.new_methodology_version is not None
        and e.old_methodology_version != e.new_methodology_version
    ]
    for event in marks:
        at = px(event.changed_at)
        shapes.append(
            tag(
                "line",
                {
                    "class": "methodology-change",
                    "x1": f"{at:.1f}",
                    "x2": f"{at:.1f}",
                    "y1": top,
                    "y2": height - bottom,
                    "stroke": "currentColor",
                    "stroke-dasharray": "4 3",
                },
            )
        )
        shapes.append(
            tag(
                "text",
                {"x": f"{at + 4:.1f}", "y": height - bottom - 6, "font-size": "11"},
                f"methodology v{event.old_methodology_version} → v{event.new_methodology_version}",
            )
        )
    axis = [
        tag(
            "line",
            {
                "x1": left,
                "x2": width - right,
                "y1": height - bottom,
                "y2": height - bottom,
                "stroke": "currentColor",
            },
        ),
        tag(
            "text",
            {"x": left, "y": height - bottom + 18, "font-size": "11"},
            start.date().isoformat(),
        ),
        tag(
            "text",
            {
                "x": width - right,
                "y": height - bottom + 18,
                "font-size": "11",
                "text-anchor": "end",
            },
            end.date().isoformat(),
        ),
        tag(
            "text",
            {"x": left - 6, "y": f"{y(100) + 4:.1f}", "font-size": "11", "text-anchor": "end"},
            "100",
        ),
        tag(
            "text",
            {"x": left - 6, "y": f"{y(0) + 4:.1f}", "font-size": "11", "text-anchor": "end"},
            "0",
        ),
    ]
    words = "; ".join(
        f"{p.at.date().isoformat()}: {p.grade or 'no grade'}"
        + (f", score {p.score}" if p.score is not None else "")
        for p in points
    )
    if marks:
        words += ". Methodology changed on " + ", ".join(
            e.changed_at.date().isoformat() for e in marks
        )
    return tag(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "chart history-chart",
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": "history-chart-title history-chart-desc",
            "fill": "currentColor",
            "font-size": "12",
        },
        tag("title", {"id": "history-chart-title"}, f"Score and grade of {rating.name} over time"),
        tag("desc", {"id": "history-chart-desc"}, words + "."),
        join(shapes),
        join(axis),
    )


def responses_section(rating: Rating) -> Html | None:
    """The company's own statements, under the rating and apart from Candor's evidence."""
    responses = rating.details.get("responses") or []
    if not responses:
        return None
    items = [
        tag(
            "li",
            None,
            tag("time", {"datetime": str(r["date"])}, str(r["date"])),
            ": ",
            tag("q", None, r["summary"]),
            " ",
            _external(str(r["url"]), "Read the statement where it was published"),
        )
        for r in responses
    ]
    return tag(
        "section",
        {"aria-labelledby": "responses-h", "class": "responses", "id": "responses"},
        tag("h2", {"id": "responses-h"}, f"{rating.company} responds"),
        tag(
            "p",
            {"class": "muted"},
            "The company's right of reply, summarised from where it published it. This is the "
            "company's view, not Candor's evidence, and it does not change the grade; a "
            "correction that holds up against the sources does (see ",
            tag("a", {"href": "/methodology"}, "how ratings change"),
            ").",
        ),
        tag("ul", None, join(items)),
    )


def _external(url: str, text: Child) -> Html:
    from api.pages import external_link

    return external_link(url, text)


def ask_section(rating: Rating, letter: Letter) -> Html:
    """ "Ask {company} to do better": the letter as a mailto: link and as text to copy."""
    contact = rating.details.get("contact") or None
    actions: list[Child] = []
    if letter.mailto is not None:
        actions.append(
            tag(
                "a",
                {"class": "button", "href": letter.mailto, "id": "ask-mailto"},
                f"Write to {letter.recipient}",
            )
        )
    elif letter.contact_url is not None:
        actions.append(
            tag(
                "a",
                {
                    "class": "button",
                    "href": letter.contact_url,
                    "id": "ask-contact",
                    "rel": "noopener nofollow",
                },
                f"Open {rating.company}'s contact page",
            )
        )
    if contact:
        source = contact["source"]
        where = tag(
            "p",
            {"class": "muted contact-source"},
            f"{letter.recipient}: the contact {rating.company} publishes for privacy or "
            "government-demand questions (",
            _external(str(source["url"]), str(source["section"])),
            f", read {source['retrieved_on']}).",
        )
    else:
        where = tag(
            "p",
            {"class": "muted contact-source"},
            f"Candor has not found a privacy or law-enforcement contact that {rating.company} "
            "publishes; copy the letter into the company's support or privacy channel. ",
            tag(
                "a",
                {"href": f"/suggest?service={rating.slug}"},
                "Know one? Tell the maintainers",
            ),
            ".",
        )
    weak = (
        tag(
            "p",
            None,
            f"It asks for the {len(letter.asks)} criteria where {rating.name} falls short of "
            "full: ",
            join(
                (tag("a", {"href": f"#criterion-{a.criterion}"}, a.name) for a in letter.asks), ", "
            ),
            ".",
        )
        if letter.asks
        else tag("p", None, f"{rating.name} meets the full level on every assessed criterion.")
    )
    return tag(
        "section",
        {"aria-labelledby": "ask-h", "class": "ask", "id": "ask"},
        tag("h2", {"id": "ask-h"}, f"Ask {rating.company} to do better"),
        tag(
            "p",
            None,
            "A short letter made from this rating and the methodology. Candor sends nothing: "
            "you send it yourself, from your own e-mail, if you wish.",
        ),
        weak,
        tag("p", {"class": "ask-actions"}, join(actions, " ")) if actions else None,
        where,
        tag("label", {"for": "ask-letter"}, "The letter, to copy"),
        tag(
            "textarea",
            {"id": "ask-letter", "class": "letter", "readonly": True, "rows": "14"},
            f"Subject: {letter.subject}\n\n{letter.body}",
        ),
    )
