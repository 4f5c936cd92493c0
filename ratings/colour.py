"""Colours as the methodology gives them: ``#RRGGBB`` and their WCAG 2 contrast.

The methodology names the badge colours of each grade (``grading.grade_colours``), and a
pair whose text cannot be read on its background is refused when it is read, so no page,
badge or extension ever shows one.
"""

from __future__ import annotations

HEX_COLOUR = r"^#[0-9A-Fa-f]{6}$"
# WCAG 2, level AA, for normal text: the letter on a badge is small.
MIN_TEXT_CONTRAST = 4.5


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
