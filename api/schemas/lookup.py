"""Looking hosts up: ``/v1/lookup`` (one URL or a batch) and the private lookup by hash
prefix, ``/v1/hosts/prefix/{prefix}``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import OutModel, PatternOut
from api.schemas.services import RatingSummary


class LookupResult(OutModel):
    url: str
    host: str | None
    service: RatingSummary | None
    meeting: bool
    error: str | None = Field(
        default=None, description="Why this URL could not be looked up (batch only)"
    )


class LookupBatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    urls: list[str] = Field(min_length=1, max_length=100)


class LookupBatchResponse(OutModel):
    results: list[LookupResult]


class HostPrefixEntry(OutModel):
    sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 (lowercase hex) of one rated domain, as the API normalises "
        "host names: lowercase A-labels, no trailing dot",
    )
    service: RatingSummary = Field(description="The service that domain belongs to")
    meeting_patterns: list[PatternOut] = Field(
        description="The service's meeting-link templates (docs/fixture-format.md)"
    )


class HostPrefixResult(OutModel):
    prefix: str = Field(pattern=r"^[0-9a-f]{5}$", examples=["caf3a"])
    entries: list[HostPrefixEntry] = Field(
        description="Every rated domain whose SHA-256 starts with the prefix, by digest; "
        "usually none or one"
    )
