""" "Ask the company to do better": a short letter made from a service's own weak criteria
and the methodology's words, for a reader to send themselves. Candor sends nothing.

The letter names exactly the criteria that scored below ``full`` (the counted level:
partial, none or not disclosed; a full level whose report is too old counts as partial),
each with what the methodology asks for at ``full``. Criteria not assessed yet or not
applicable are not weaknesses and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from ratings.dataset import Rating
from ratings.methodology import Methodology

WEAK_LEVELS = frozenset({"partial", "none", "no_disclosure"})


@dataclass(frozen=True, slots=True)
class Ask:
    criterion: str
    name: str
    level_label: str
    request: str


@dataclass(frozen=True, slots=True)
class Letter:
    company: str
    service: str
    # The company's published contact: its label and URL (mailto: or https:), if any.
    recipient: str
    contact_url: str | None
    subject: str
    body: str
    asks: tuple[Ask, ...]

    @property
    def criteria(self) -> tuple[str, ...]:
        return tuple(ask.criterion for ask in self.asks)

    @property
    def mailto(self) -> str | None:
        """A mailto: URI with the subject and body filled in (RFC 6068), when the company
        publishes an e-mail address."""
        if self.contact_url is None or not self.contact_url.startswith("mailto:"):
            return None
        # RFC 6068: line breaks as %0D%0A, spaces as %20 (never '+'), nothing left raw.
        body = self.body.replace("\r\n", "\n").replace("\n", "\r\n")
        return (
            f"{self.contact_url}?subject={quote(self.subject, safe='')}&body={quote(body, safe='')}"
        )


def weak_criteria(rating: Rating) -> list[str]:
    """The criteria of ``rating`` that scored below full, in the methodology's order."""
    return [c.id for c in rating.criteria if (c.counted_level or c.level) in WEAK_LEVELS]


def compose(rating: Rating, methodology: Methodology, page_url: str) -> Letter:
    """The letter to the company behind ``rating``; ``page_url`` is the service's page."""
    by_id = {c.id: c for c in methodology.criteria}
    asks = []
    for entry in rating.criteria:
        counted = entry.counted_level or entry.level
        if counted not in WEAK_LEVELS:
            continue
        criterion = by_id[entry.id]
        asks.append(
            Ask(
                entry.id,
                criterion.name,
                methodology.level_label(counted),
                criterion.ask or f"Meet the full level: {criterion.levels.full}",
            )
        )
    contact = rating.details.get("contact") or None
    recipient = str(contact["label"]) if contact else f"{rating.company} privacy team"
    subject = f"Please improve {rating.name}'s privacy and transparency commitments"
    if rating.grade is None:
        standing = "its review is still in progress"
    else:
        standing = f"it is graded {rating.grade} ({rating.score} of 100)"
    lines = [
        f"Dear {recipient},",
        "",
        f"I use {rating.name}. Candor, an independent rating of video-calling services, "
        f"reviewed {rating.company}'s public commitments on {rating.reviewed_on.isoformat()} "
        f"under its methodology version {methodology.version}, and {standing}.",
        "",
    ]
    if asks:
        lines.append(
            f"On {len(asks)} of its criteria, {rating.name} falls short of what the "
            "methodology counts as full. I ask you to:"
        )
        lines.append("")
        for ask in asks:
            lines.append(f"- {ask.name} (now: {ask.level_label}): {ask.request}")
    else:
        lines.append(
            f"{rating.name} meets the full level on every criterion assessed. Thank you; "
            "please keep these commitments current."
        )
    lines += [
        "",
        f"The evidence for each criterion is at {page_url}",
        "",
        "Thank you for considering this.",
        "",
        "[your name]",
    ]
    return Letter(
        company=rating.company,
        service=rating.name,
        recipient=recipient,
        contact_url=str(contact["url"]) if contact else None,
        subject=subject,
        body="\n".join(lines),
        asks=tuple(asks),
    )
