"""Configuration: the ``CANDOR_*`` environment variables (README.md, "Configuration").

This is the one module that reads the environment. It is read when a process starts
(``Settings.from_env()``), never when a module is imported, and a bad value stops the
start with the variable's name and what is wrong with it.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ratings.db import DEFAULT_DATABASE_URL

ENV_PREFIX = "CANDOR_"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """One or more ``CANDOR_*`` variables hold a value Candor cannot use."""


def _comma_separated(raw: Any) -> Any:
    # The README's format for lists ("10.0.0.0/8,192.168.0.0/16"), not the JSON that
    # pydantic-settings expects of a list by default (hence NoDecode on these fields).
    if isinstance(raw, str):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


class Settings(BaseSettings):
    """Each field ``name`` is the variable ``CANDOR_NAME``. Built in code (tests), the
    values given win over the environment."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, populate_by_name=True)

    database_url: str = DEFAULT_DATABASE_URL
    # Where `candor serve` finds the fixtures it loads into an empty database (its
    # --fixtures option, when given, wins).
    fixtures_dir: Path = Path("fixtures")
    rate_limit_per_minute: int = 120
    trusted_proxies: Annotated[tuple[Network, ...], NoDecode] = ()
    poll_seconds: float = 5.0
    cache_max_age: int = 300
    # The private lookup's answers change only with the ratings of the few domains under
    # a prefix, and keep their ETag otherwise: cached longer, like a static file.
    prefix_max_age: int = 3600
    public_url: str = ""
    # Host header values answered (exact names, or "*.example.org" for its subdomains);
    # empty: derived by from_env (see allowed_hosts_from).
    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = ()
    # Shared rate-limit buckets (api/sharedlimits.py); empty: per process.
    redis_url: str = ""
    redis_prefix: str = "candor:"
    # A PKCS#8 PEM Ed25519 private key; without it the bundle is served unsigned and
    # /v1/bundle.sig answers 404.
    bundle_signing_key: Path | None = None
    # Submissions of the /suggest form a client may make an hour (per replica), and all
    # clients together: the table never grows faster than that.
    suggestions_per_hour: int = 5
    suggestions_per_hour_total: int = 500
    # CANDOR_METHODOLOGY_DOC: the Markdown file /methodology shows; None: the repository's
    # docs/methodology.md.
    methodology_doc: Path | None = None
    # Where worker processes keep their metrics (api/metrics.py), in prometheus_client's
    # own variable, which the library also reads: `candor serve --workers N` sets it for
    # its workers (api/listening.py). Not CANDOR_-prefixed, hence the alias.
    metrics_multiprocess_dir: Path | None = Field(
        default=None, validation_alias=AliasChoices("PROMETHEUS_MULTIPROC_DIR")
    )
    # The guards of `candor serve` (api/serving.py); its options, when given, win.
    header_timeout: float = Field(default=10.0, gt=0)
    max_header_bytes: int = Field(default=32 * 1024, gt=0)
    # 0: the descriptor limit less a reserve (api/serving.py).
    max_connections: int = Field(default=0, ge=0)
    # Set (to anything): every `candor` command says on stderr how long it took.
    timing: bool = False

    @field_validator("database_url", "bundle_signing_key", "methodology_doc", mode="before")
    @classmethod
    def _default_when_empty(cls, value: Any, info: ValidationInfo) -> Any:
        # An empty variable (``NAME=``) means "not set": the field's default.
        assert info.field_name is not None
        return value or cls.model_fields[info.field_name].default

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        parts = _comma_separated(value)
        # strict=False: "10.0.0.1/8" means its network, as operators write it.
        return tuple(ipaddress.ip_network(part, strict=False) for part in parts)

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: Any) -> Any:
        return tuple(host.lower() for host in _comma_separated(value))

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("timing", mode="before")
    @classmethod
    def _set_when_not_empty(cls, value: Any) -> Any:
        return bool(value) if isinstance(value, str) else value

    @classmethod
    def from_env(cls) -> Settings:
        """The settings of this process, from its environment; raises SettingsError
        naming every bad variable."""
        try:
            settings = cls()
        except ValidationError as exc:
            raise SettingsError(_explain(exc)) from None
        hosts = allowed_hosts_from(settings.allowed_hosts, settings.public_url)
        return settings.model_copy(update={"allowed_hosts": hosts})


def _explain(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        name = ENV_PREFIX + str(problem["loc"][0]).upper() if problem["loc"] else "CANDOR_*"
        lines.append(f"{name}={problem['input']!r}: {problem['msg']}")
    return "; ".join(lines)


# Loopback names: a health check from the same machine or container (the Dockerfile's
# HEALTHCHECK asks 127.0.0.1) is always answered.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def allowed_hosts_from(configured: tuple[str, ...], public_url: str) -> tuple[str, ...]:
    """``CANDOR_ALLOWED_HOSTS``, else the host of ``CANDOR_PUBLIC_URL`` and the loopback
    names, else ``*`` (any host: with no public URL every link is relative and no answer
    depends on the Host header, so an unknown host harms nothing)."""
    hosts = list(configured)
    if not hosts and public_url:
        host = urlsplit(public_url).hostname
        hosts = [host, *LOOPBACK_HOSTS] if host else []
    return tuple(hosts) or ("*",)
