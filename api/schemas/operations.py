"""Operations: liveness (``/healthz``), readiness (``/readyz``) and the problem
document of every error (RFC 9457)."""

from __future__ import annotations

from typing import Literal

from api.schemas.common import OutModel


class ProblemOut(OutModel):
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


class Liveness(OutModel):
    status: Literal["ok"]


class Health(OutModel):
    status: Literal["ok", "unavailable"]
    database: bool
    dataset_loaded: bool
    dataset_version: str | None
    services: int
    detail: str | None = None
