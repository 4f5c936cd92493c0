"""Configuration, read once from the environment."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

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
    # The private lookup's answers change only with the ratings of the few domains under
    # a prefix, and keep their ETag otherwise: cached longer, like a static file.
    prefix_max_age: int = 3600
    public_url: str = ""
    # Host header values answered (exact names, or "*.example.org" for its subdomains);
    # empty: derived (see allowed_hosts_from).
    allowed_hosts: tuple[str, ...] = ()
    # Shared rate-limit buckets (api/sharedlimits.py); empty: per process.
    redis_url: str = ""
    redis_prefix: str = "candor:"
    # CANDOR_BUNDLE_SIGNING_KEY: a PKCS#8 PEM Ed25519 private key; without it the bundle
    # is served unsigned and /v1/bundle.sig answers 404.
    bundle_signing_key: Path | None = None
    # Submissions of the /suggest form a client may make an hour (per replica), and all
    # clients together: the table never grows faster than that.
    suggestions_per_hour: int = 5
    suggestions_per_hour_total: int = 500
    # CANDOR_METHODOLOGY_DOC: the Markdown file /methodology shows; None: the repository's
    # docs/methodology.md.
    methodology_doc: Path | None = None
    # PROMETHEUS_MULTIPROC_DIR: where worker processes keep their metrics (api/metrics.py);
    # set by `candor serve --workers N` (api/listening.py).
    metrics_multiprocess_dir: Path | None = None

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
            prefix_max_age=int(env.get("CANDOR_PREFIX_MAX_AGE", "3600")),
            public_url=env.get("CANDOR_PUBLIC_URL", "").rstrip("/"),
            allowed_hosts=allowed_hosts_from(
                env.get("CANDOR_ALLOWED_HOSTS", ""), env.get("CANDOR_PUBLIC_URL", "")
            ),
            redis_url=env.get("CANDOR_REDIS_URL", ""),
            redis_prefix=env.get("CANDOR_REDIS_PREFIX", "candor:"),
            bundle_signing_key=(
                Path(env["CANDOR_BUNDLE_SIGNING_KEY"])
                if env.get("CANDOR_BUNDLE_SIGNING_KEY")
                else None
            ),
            suggestions_per_hour=int(env.get("CANDOR_SUGGESTIONS_PER_HOUR", "5")),
            suggestions_per_hour_total=int(env.get("CANDOR_SUGGESTIONS_PER_HOUR_TOTAL", "500")),
            methodology_doc=(
                Path(env["CANDOR_METHODOLOGY_DOC"]) if env.get("CANDOR_METHODOLOGY_DOC") else None
            ),
            metrics_multiprocess_dir=(
                Path(env["PROMETHEUS_MULTIPROC_DIR"])
                if env.get("PROMETHEUS_MULTIPROC_DIR")
                else None
            ),
        )


# Loopback names: a health check from the same machine or container (the Dockerfile's
# HEALTHCHECK asks 127.0.0.1) is always answered.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def allowed_hosts_from(raw: str, public_url: str) -> tuple[str, ...]:
    """``CANDOR_ALLOWED_HOSTS`` (comma-separated), else the host of ``CANDOR_PUBLIC_URL``
    and the loopback names, else ``*`` (any host: with no public URL every link is
    relative and no answer depends on the Host header, so an unknown host harms nothing)."""
    hosts = [part.strip().lower() for part in raw.split(",") if part.strip()]
    if not hosts and public_url:
        host = urlsplit(public_url).hostname
        hosts = [host, *LOOPBACK_HOSTS] if host else []
    return tuple(hosts) or ("*",)
