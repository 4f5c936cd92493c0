"""A service's score and grade over time, as an SVG (templates/history_chart.svg).

Score over time as a step line (a score holds until the next change), each change a dot
labelled with its grade, the grade thresholds as bands, and a dashed line wherever the
methodology version changed. The table below it on the page says the same in words.
This module only places things; the template draws them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from api.pages.templating import render
from api.palette import colours_for
from ratings.dataset import GradeEvent, Rating
from ratings.methodology import Methodology

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 56, 16, 34
# Pixels between two changes on the chart, at least.
MIN_GAP = 34.0
_NO_GRADE_FILL = "#888888"


@dataclass(frozen=True, slots=True)
class Point:
    at: dt.datetime
    score: int | None
    grade: str | None


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    fill: str
    label: str  # "B 72"


@dataclass(frozen=True, slots=True)
class Threshold:
    y: float
    label: str  # "B ≥ 70"


@dataclass(frozen=True, slots=True)
class Mark:
    """Where the methodology changed."""

    x: float
    label: str


@dataclass(frozen=True, slots=True)
class HistoryChart:
    title: str
    description: str
    thresholds: tuple[Threshold, ...]
    path: str  # the step line's "d", empty when nothing was scored
    dots: tuple[Dot, ...]
    marks: tuple[Mark, ...]
    start: dt.date
    end: dt.date
    y_top: float  # where 100 is
    y_bottom: float  # where 0 is
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    bottom: int = BOTTOM


def _points(events: Sequence[GradeEvent]) -> list[Point]:
    return [Point(e.changed_at, e.new_score, e.new_grade) for e in events if e.cause != "removed"]


def _methodology_changes(events: Sequence[GradeEvent]) -> list[GradeEvent]:
    return [
        e
        for e in events
        if e.old_methodology_version is not None
        and e.new_methodology_version is not None
        and e.old_methodology_version != e.new_methodology_version
    ]


@dataclass(frozen=True, slots=True)
class _Scale:
    start: dt.datetime
    span: float  # seconds
    positions: dict[dt.datetime, float]

    @classmethod
    def of(cls, points: Sequence[Point], end: dt.datetime) -> _Scale:
        start = points[0].at
        span = max((end - start).total_seconds(), 86400.0)
        scale = cls(start, span, {})
        # Changes close in time (a first load and a fix the same week) would draw on top
        # of each other: each keeps at least MIN_GAP from the one before, time order kept.
        previous: float | None = None
        for point in points:
            at = scale.x(point.at)
            if previous is not None:
                at = min(max(at, previous + MIN_GAP), WIDTH - RIGHT - 4)
            scale.positions[point.at] = previous = at
        return scale

    def x(self, moment: dt.datetime) -> float:
        plot_w = WIDTH - LEFT - RIGHT
        return LEFT + plot_w * (moment - self.start).total_seconds() / self.span

    def px(self, moment: dt.datetime) -> float:
        return self.positions.get(moment, self.x(moment))


def _y(score: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - score / 100)


def _step_path(scored: Sequence[Point], scale: _Scale) -> str:
    path = []
    for index, point in enumerate(scored):
        # The last score holds to the chart's end (the day the page was made).
        following = scale.px(scored[index + 1].at) if index + 1 < len(scored) else WIDTH - RIGHT
        y = _y(point.score or 0)
        path.append(f"{'M' if index == 0 else 'L'}{scale.px(point.at):.1f},{y:.1f}")
        path.append(f"L{following:.1f},{y:.1f}")
    return " ".join(path)


def _description(points: Sequence[Point], marks: Sequence[GradeEvent]) -> str:
    words = "; ".join(
        f"{p.at.date().isoformat()}: {p.grade or 'no grade'}"
        + (f", score {p.score}" if p.score is not None else "")
        for p in points
    )
    if marks:
        words += ". Methodology changed on " + ", ".join(
            e.changed_at.date().isoformat() for e in marks
        )
    return words + "."


def history_chart(rating: Rating, methodology: Methodology, now: dt.datetime) -> Markup:
    """The chart's markup, up to ``now`` (or the last change, if later)."""
    points = _points(rating.history)
    if not points:
        return render("history_chart.svg", chart=None)
    end = max(now, points[-1].at)
    scale = _Scale.of(points, end)
    scored = [p for p in points if p.score is not None]
    changes = _methodology_changes(rating.history)
    chart = HistoryChart(
        title=f"Score and grade of {rating.name} over time",
        description=_description(points, changes),
        thresholds=tuple(
            Threshold(_y(minimum), f"{letter} ≥ {minimum:g}")
            for letter, minimum in methodology.grading.thresholds.items()
        ),
        path=_step_path(scored, scale),
        dots=tuple(
            Dot(
                scale.px(p.at),
                _y(p.score or 0),
                colours_for(p.grade, methodology).background if p.grade else _NO_GRADE_FILL,
                f"{p.grade or '?'} {p.score}",
            )
            for p in scored
        ),
        marks=tuple(
            Mark(
                scale.px(e.changed_at),
                f"methodology v{e.old_methodology_version} → v{e.new_methodology_version}",
            )
            for e in changes
        ),
        start=points[0].at.date(),
        end=end.date(),
        y_top=_y(100),
        y_bottom=_y(0),
    )
    return render("history_chart.svg", chart=chart)
