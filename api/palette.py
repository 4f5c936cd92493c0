"""The grade colours: one definition for the badges, the chart and the pages.

The values are the extension's (``extension/src/lib/badge.js``), taken from the Okabe-Ito
palette, which stays distinguishable under the common colour-vision deficiencies. Colour is
never the only signal: every badge, tile and bar also carries the grade letter as text.

====================  ===========  ======  ==========================================
what                  background   text    note
====================  ===========  ======  ==========================================
A                     ``#009E73``  black   bluish green
B                     ``#56B4E9``  black   sky blue
C                     ``#F0E442``  black   yellow
D                     ``#E69F00``  black   orange
E                     ``#CC79A7``  black   reddish purple (unused by methodology v1,
                                           which grades A-D then F; kept so a future
                                           threshold has a colour)
F                     ``#D55E00``  black   vermillion
insufficient data     ``#5F5F5F``  white   the "?" grade
discontinued          ``#1A1A1A``  white   muted: the service no longer runs
not rated / unknown   ``#5F5F5F``  white   no such service
badge label           ``#4D4D4D``  white   the "candor" half of a badge
====================  ===========  ======  ==========================================

The extension's toolbar badge uses the same grade colours, but light greys for "?" and
discontinued (``#C8C8C8`` and ``#FFFFFF``, black text): the browser draws it over the
extension's dark navy icon, against which these dark greys would vanish.

Each text colour was chosen for a WCAG 2 contrast ratio of at least 4.5:1 against its
background; ``tests/api/test_badges.py`` recomputes every pair with ``contrast_ratio``.
``api/static/candor.css`` repeats the grade colours (a stylesheet cannot import Python);
a test fails if the two ever disagree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Colours:
    background: str
    text: str


BLACK = "#000000"
WHITE = "#FFFFFF"

GRADE_COLOURS: dict[str, Colours] = {
    "A": Colours("#009E73", BLACK),
    "B": Colours("#56B4E9", BLACK),
    "C": Colours("#F0E442", BLACK),
    "D": Colours("#E69F00", BLACK),
    "E": Colours("#CC79A7", BLACK),
    "F": Colours("#D55E00", BLACK),
}
INSUFFICIENT = Colours("#5F5F5F", WHITE)
DISCONTINUED = Colours("#1A1A1A", WHITE)
NOT_RATED = Colours("#5F5F5F", WHITE)
LABEL = Colours("#4D4D4D", WHITE)


def colours_for(grade: str | None, *, discontinued: bool = False) -> Colours:
    """The colours of a grade; discontinued services are muted whatever their grade."""
    if discontinued:
        return DISCONTINUED
    if grade is None or grade not in GRADE_COLOURS:
        return INSUFFICIENT
    return GRADE_COLOURS[grade]


def _channel(value: int) -> float:
    # sRGB to linear light, as WCAG 2 defines relative luminance.
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    raw = hex_colour.removeprefix("#")
    if len(raw) != 6:
        raise ValueError(f"expected #RRGGBB, got {hex_colour!r}")
    r, g, b = (int(raw[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two #RRGGBB colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
