"""Embeddable SVG grade badges (stub; being written)."""

from __future__ import annotations

from starlette.routing import Route


def badge_routes() -> list[Route]:
    return []
