"""Plain text in the dataset: what a name, an evidence text or a methodology label may
contain, and how text from a file is printed.

The extension's validator (extension/src/lib/bundle.js) refuses a bundle holding any of
these characters, and one refused field freezes every installed copy on its last bundle:
so the server refuses them first, in every text it publishes, by the same rule. The shared
vectors (tests/vectors/rules.json) keep the two rules identical.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

# Markup; C0 controls but tab and newline; DEL and the C1 controls; the line and paragraph
# separators; the bidirectional marks, embeddings, overrides and isolates that can make a
# name read as another.
UNSAFE_TEXT = re.compile(
    r"[<>\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def plain_text(value: str) -> str:
    bad = UNSAFE_TEXT.search(value)
    if bad:
        raise ValueError(f"contains a markup, control or bidi character ({bad.group()!r})")
    return value


Text = Annotated[str, AfterValidator(plain_text)]


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: every character that is not printable
    (controls, ANSI escapes, line breaks, bidi overrides) as a Python escape. A fixture
    key is printed in error messages; raw, it could forge an ``ok:`` line or recolour the
    terminal of whoever runs the check."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
