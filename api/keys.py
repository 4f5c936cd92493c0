"""API keys: created once with their secret shown once, stored only as SHA-256 digests."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from ratings.models import ApiKey

KEY_PREFIX = "cnd_"


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_key(name: str, per_minute: int) -> tuple[str, ApiKey]:
    if per_minute < 1:
        raise ValueError("per_minute must be at least 1")
    token = secrets.token_urlsafe(32)
    secret = KEY_PREFIX + token
    key = await ApiKey.create(
        name=name,
        prefix=secret[:12],
        digest=digest_of(secret),
        per_minute=per_minute,
        created_at=dt.datetime.now(dt.UTC),
    )
    return secret, key


async def list_keys() -> list[ApiKey]:
    return await ApiKey.all().order_by("created_at")


async def revoke_key(prefix: str) -> bool:
    updated = await ApiKey.filter(prefix=prefix, revoked_at=None).update(
        revoked_at=dt.datetime.now(dt.UTC)
    )
    return bool(updated)


async def find_active_key(digest: str) -> ApiKey | None:
    """The active (unrevoked) key whose secret has this digest, or None."""
    return await ApiKey.filter(digest=digest, revoked_at=None).first()
