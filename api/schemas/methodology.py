"""The published methodology, ``/v1/methodology``."""

from __future__ import annotations

from ratings.methodology import Methodology


class MethodologyOut(Methodology):
    """The published methodology, as served, with the dataset it grades."""

    dataset_version: str
