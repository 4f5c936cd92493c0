"""The bundle signing key: keys as openssl writes them, signatures the public key checks,
and every wrong key file refused with its path and reason."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
)

from ratings.signing import SigningKeyError, load_signing_key, public_key_base64, sign, verify


def openssl_key(path: Path) -> Path:
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(path)],
        check=True,
        capture_output=True,
    )
    return path


def test_an_openssl_key_signs_and_its_public_key_verifies(tmp_path: Path) -> None:
    key = load_signing_key(openssl_key(tmp_path / "key.pem"))
    public = public_key_base64(key)
    assert len(base64.b64decode(public)) == 32
    # openssl's own idea of the public key agrees with ours.
    der = subprocess.run(
        ["openssl", "pkey", "-in", str(tmp_path / "key.pem"), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    assert der[-32:] == base64.b64decode(public)
    data = b'{"format":2,"services":[]}'
    signature = sign(key, data)
    assert len(base64.b64decode(signature)) == 64
    assert verify(public, data, signature)
    assert not verify(public, data + b" ", signature)
    assert not verify(public, data, base64.b64encode(b"\0" * 64).decode())
    other = public_key_base64(load_signing_key(openssl_key(tmp_path / "other.pem")))
    assert not verify(other, data, signature)
    assert not verify(public, data, "not base64!")


def test_wrong_key_files_are_refused_with_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    with pytest.raises(SigningKeyError, match=r"missing\.pem: cannot read"):
        load_signing_key(missing)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    with pytest.raises(SigningKeyError, match=r"junk\.pem: not an unencrypted PEM"):
        load_signing_key(junk)
    ec = tmp_path / "ec.pem"
    ec.write_bytes(
        generate_private_key(SECP256R1()).private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    with pytest.raises(SigningKeyError, match=r"ec\.pem: not an Ed25519 key"):
        load_signing_key(ec)
    key = load_signing_key(openssl_key(tmp_path / "key.pem"))
    locked = tmp_path / "locked.pem"
    locked.write_bytes(
        key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(b"pw"))
    )
    with pytest.raises(SigningKeyError, match=r"locked\.pem: not an unencrypted PEM"):
        load_signing_key(locked)
    huge = tmp_path / "huge.pem"
    huge.write_bytes(b"x" * 100_000)
    with pytest.raises(SigningKeyError, match="larger than"):
        load_signing_key(huge)
