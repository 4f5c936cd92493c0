"""The home page's bar chart of how many services have each grade: the geometry, drawn by
templates/distribution.svg with presentation attributes (no CSS needed)."""

from __future__ import annotations

from dataclasses import dataclass

from api.palette import INSUFFICIENT, colours_for
from ratings.dataset import Dataset

WIDTH, HEIGHT = 420, 200
_TOP, _BOTTOM, _LEFT = 24, 36, 8


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # the letter, or "?"
    name: str  # what it stands for, as "grade B"
    count: int
    fill: str
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True, slots=True)
class Distribution:
    total: int
    bars: tuple[Bar, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = _LEFT
    baseline: int = HEIGHT - _BOTTOM

    @property
    def description(self) -> str:
        return "; ".join(
            f"{bar.name}: {bar.count} service{'s' if bar.count != 1 else ''}" for bar in self.bars
        )


def distribution(dataset: Dataset) -> Distribution:
    counts = {grade: 0 for grade in dataset.methodology.grades}
    unrated = 0
    for rating in dataset.ratings.values():
        if rating.grade is None:
            unrated += 1
        else:
            counts[rating.grade] = counts.get(rating.grade, 0) + 1
    columns = [
        (grade, f"grade {grade}", count, colours_for(grade, dataset.methodology).background)
        for grade, count in counts.items()
    ]
    columns.append(("?", "review in progress", unrated, INSUFFICIENT.background))

    slot = (WIDTH - 2 * _LEFT) / len(columns)
    bar_width = slot * 0.62
    most = max((count for _, _, count, _ in columns), default=0) or 1
    usable = HEIGHT - _TOP - _BOTTOM
    bars = []
    for index, (label, name, count, fill) in enumerate(columns):
        bar_height = usable * count / most
        x = _LEFT + index * slot + (slot - bar_width) / 2
        bars.append(
            Bar(label, name, count, fill, x, _TOP + usable - bar_height, bar_width, bar_height)
        )
    return Distribution(len(dataset.ratings), tuple(bars))
