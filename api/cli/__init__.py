"""``candor``, the command line: one module per group of commands, and ``parser``, which
puts them together (``candor = "api.cli:main"`` in pyproject.toml)."""

from __future__ import annotations

from api.cli.parser import main

__all__ = ["main"]
