"""Configuration, read once from the environment."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from ratings.db import database_url


def _networks(raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip()
    )


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=database_url)
    fixtures_dir: Path = Path("fixtures")
    rate_limit_per_minute: int = 120
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    poll_seconds: float = 5.0
    cache_max_age: int = 300
    public_url: str = ""
    # Submissions of the /suggest form a client may make an hour (per replica), and all
    # clients together: the table never grows faster than that.
    suggestions_per_hour: int = 5
    suggestions_per_hour_total: int = 500

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            database_url=database_url(),
            fixtures_dir=Path(env.get("CANDOR_FIXTURES_DIR", "fixtures")),
            rate_limit_per_minute=int(env.get("CANDOR_RATE_LIMIT_PER_MINUTE", "120")),
            trusted_proxies=_networks(env.get("CANDOR_TRUSTED_PROXIES", "")),
            poll_seconds=float(env.get("CANDOR_POLL_SECONDS", "5")),
            cache_max_age=int(env.get("CANDOR_CACHE_MAX_AGE", "300")),
            public_url=env.get("CANDOR_PUBLIC_URL", "").rstrip("/"),
            suggestions_per_hour=int(env.get("CANDOR_SUGGESTIONS_PER_HOUR", "5")),
            suggestions_per_hour_total=int(env.get("CANDOR_SUGGESTIONS_PER_HOUR_TOTAL", "500")),
        )
