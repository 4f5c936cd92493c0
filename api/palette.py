"""The colours of grades and of the states that have no grade.

A grade's colours are the methodology's (``grading.grade_colours`` in
``fixtures/methodology.yaml``, the Okabe-Ito palette), so a letter the methodology adds
gets its own colours everywhere without a change here; a letter the methodology gives no
colours (a dataset stored before colours were part of it) is drawn in a neutral grey.
Colour is never the only signal: every badge, tile and bar also carries the letter.

The looks of what has no grade are fixed here:

====================  ===========  ======  ==========================================
what                  background   text    note
====================  ===========  ======  ==========================================
insufficient data     ``#5F5F5F``  white   the "?" grade
discontinued          ``#1A1A1A``  white   muted: the service no longer runs
not rated / unknown   ``#5F5F5F``  white   no such service
badge label           ``#4D4D4D``  white   the "candor" half of a badge
uncoloured letter     ``#6E6E6E``  white   a grade the methodology gives no colours
====================  ===========  ======  ==========================================

The extension's toolbar badge uses the methodology's grade colours too, but light greys
for "?" and discontinued (black text): the browser draws it over the extension's dark
navy icon, against which these dark greys would vanish.

Each text colour has a WCAG 2 contrast ratio of at least 4.5:1 against its background: the
methodology's pairs are checked when it is read (``ratings/colour.py``), these in
``tests/api/test_badges.py``. ``api/static/candor.css`` repeats the colours of today's
letters for the pages' grade tiles (a stylesheet cannot read the methodology); a test
fails if the two ever disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ratings.colour import contrast_ratio, relative_luminance
from ratings.methodology import Methodology

__all__ = [
    "DISCONTINUED",
    "INSUFFICIENT",
    "LABEL",
    "NOT_RATED",
    "UNCOLOURED",
    "Colours",
    "colours_for",
    "contrast_ratio",
    "grade_colours",
    "relative_luminance",
]


@dataclass(frozen=True, slots=True)
class Colours:
    background: str
    text: str


BLACK = "#000000"
WHITE = "#FFFFFF"

INSUFFICIENT = Colours("#5F5F5F", WHITE)
DISCONTINUED = Colours("#1A1A1A", WHITE)
NOT_RATED = Colours("#5F5F5F", WHITE)
LABEL = Colours("#4D4D4D", WHITE)
UNCOLOURED = Colours("#6E6E6E", WHITE)


def grade_colours(methodology: Methodology) -> dict[str, Colours]:
    """Every grade letter of the methodology, best first, with its colours."""
    given = methodology.grading.grade_colours or {}
    return {
        letter: Colours(given[letter].background, given[letter].text)
        if letter in given
        else UNCOLOURED
        for letter in methodology.grades
    }


def colours_for(
    grade: str | None, methodology: Methodology, *, discontinued: bool = False
) -> Colours:
    """The colours of a grade of ``methodology``; discontinued services are muted whatever
    their grade."""
    if discontinued:
        return DISCONTINUED
    if grade is None:
        return INSUFFICIENT
    return grade_colours(methodology).get(grade, UNCOLOURED)
