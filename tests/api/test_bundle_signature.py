"""GET /v1/bundle.sig: the Ed25519 signature over the exact plain bytes of /v1/bundle, and
``candor bundle public-key`` for the key the extension pins."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from api.app import create_app
from api.settings import Settings
from ratings.signing import SigningKeyError, load_signing_key, public_key_base64, verify
from tests.api.conftest import AppFactory, client_for
from tests.process import CANDOR
from tests.ratings.test_signing import openssl_key


async def test_the_signature_covers_the_exact_plain_bundle(
    make_app: AppFactory, tmp_path: Path
) -> None:
    key_file = openssl_key(tmp_path / "key.pem")
    public = public_key_base64(load_signing_key(key_file))
    app = await make_app(bundle_signing_key=key_file)
    async with client_for(app) as client:
        plain = await client.get("/v1/bundle", headers={"Accept-Encoding": "identity"})
        packed = await client.get("/v1/bundle", headers={"Accept-Encoding": "gzip"})
        signature = await client.get("/v1/bundle.sig")
        assert signature.status_code == 200
        assert signature.headers["content-type"].startswith("text/plain")
        assert signature.headers["etag"]
        assert verify(public, plain.content, signature.text)
        assert verify(public, packed.content, signature.text)  # httpx decoded the gzip
        tampered = bytearray(plain.content)
        middle = tampered.index(b'"score":', len(tampered) // 2)
        tampered[middle + 8] ^= 1  # one digit of one score
        assert not verify(public, bytes(tampered), signature.text)
        again = await client.get(
            "/v1/bundle.sig", headers={"If-None-Match": signature.headers["etag"]}
        )
        assert again.status_code == 304


async def test_without_a_key_the_signature_is_a_404_problem(app: object) -> None:
    async with client_for(app) as client:  # type: ignore[arg-type]
        answer = await client.get("/v1/bundle.sig")
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"
        assert "CANDOR_BUNDLE_SIGNING_KEY" in answer.json()["detail"]
        assert (await client.get("/v1/bundle")).status_code == 200


def test_a_bad_key_stops_the_app_at_creation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("junk")
    with pytest.raises(SigningKeyError, match=r"bad\.pem"):
        create_app(
            Settings(database_url="unused://", bundle_signing_key=bad), manage_database=False
        )


def test_the_cli_prints_the_public_key_and_refuses_bad_keys(tmp_path: Path) -> None:
    key_file = openssl_key(tmp_path / "key.pem")

    def run(key: str | None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "CANDOR_BUNDLE_SIGNING_KEY"}
        if key is not None:
            env["CANDOR_BUNDLE_SIGNING_KEY"] = key
        return subprocess.run(
            [CANDOR, "bundle", "public-key"], env=env, capture_output=True, text=True, timeout=60
        )

    ok = run(str(key_file))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == public_key_base64(load_signing_key(key_file))
    unset = run(None)
    assert unset.returncode == 2 and "CANDOR_BUNDLE_SIGNING_KEY is not set" in unset.stderr
    missing = run(str(tmp_path / "nope.pem"))
    assert missing.returncode == 1 and "nope.pem: cannot read" in missing.stderr
    assert missing.stdout == ""


def test_settings_read_the_key_path_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANDOR_BUNDLE_SIGNING_KEY", "/keys/bundle.pem")
    assert Settings.from_env().bundle_signing_key == Path("/keys/bundle.pem")
    monkeypatch.delenv("CANDOR_BUNDLE_SIGNING_KEY")
    assert Settings.from_env().bundle_signing_key is None
