"""Ed25519 signatures over the bundle, so the extension can tell our data from anyone's.

The key is a PKCS#8 PEM file, as ``openssl genpkey -algorithm ed25519`` writes it; its path
comes from ``CANDOR_BUNDLE_SIGNING_KEY``. The signature covers the exact uncompressed bundle
bytes the API serves, and travels as base64 (``GET /v1/bundle.sig``). The extension pins
the raw public key (``candor bundle public-key``) at build time.
"""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)

# A PEM key file is a few hundred bytes: refuse to read anything large by mistake.
MAX_KEY_FILE_BYTES = 16 * 1024


class SigningKeyError(ValueError):
    """The signing key file is missing, unreadable or not an Ed25519 private key."""


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """Read an unencrypted PKCS#8 PEM Ed25519 private key. Raises ``SigningKeyError``."""
    try:
        if path.stat().st_size > MAX_KEY_FILE_BYTES:
            raise SigningKeyError(f"{path}: larger than {MAX_KEY_FILE_BYTES} bytes, not a key")
        data = path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"{path}: cannot read the signing key ({exc.strerror})") from None
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"{path}: not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path}: not an Ed25519 key (openssl genpkey -algorithm ed25519)")
    return key


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    """The base64 signature of ``data``."""
    return base64.b64encode(key.sign(data)).decode("ascii")


def public_key_base64(key: Ed25519PrivateKey) -> str:
    """The raw 32-byte public key, base64: what the extension build pins."""
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def verify(public_key: str, data: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is ``public_key``'s (base64, raw) over ``data``."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True
