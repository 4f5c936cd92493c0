"""The code in README.md and docs/private-lookup.md, run as a reader would run it, against
a real ``candor serve``: the Python and JavaScript client snippets, and the private-lookup
clients, which must agree with the shared URL vectors and send nothing but prefixes."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.clients.recorder import Seen, recording_proxy
from tests.conftest import ROOT, VECTORS

README = ROOT / "README.md"
PRIVATE_LOOKUP = ROOT / "docs" / "private-lookup.md"
# The address the examples are written for; the tests swap in the real server's.
DOCUMENTED_BASE = "http://127.0.0.1:8000"
PREFIX_PATH = re.compile(r"/v1/hosts/prefix/[0-9a-f]{5}")
NODE = shutil.which("node")


def blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", path.read_text(), re.M | re.S)


def example(path: Path, language: str, marker: str) -> str:
    """The one ``language`` block of ``path`` that contains ``marker``."""
    found = [code for code in blocks(path, language) if marker in code]
    assert len(found) == 1, (path.name, language, marker, len(found))
    assert DOCUMENTED_BASE in found[0]
    return found[0]


def run(code: str, language: str, base: str, tmp_path: Path, *args: str) -> list[str]:
    if language == "python":
        script, command = tmp_path / "example.py", [sys.executable]
    else:
        assert NODE, "Node.js is needed for the JavaScript examples"
        script, command = tmp_path / "example.mjs", [NODE]
    script.write_text(code.replace(DOCUMENTED_BASE, base))
    result = subprocess.run(
        [*command, str(script), *args], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def digest(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def only_prefixes(seen: list[Seen], hosts: list[str]) -> set[str]:
    """Every request was a GET of a prefix, and no host, URL or cookie was in any of them;
    returns the prefixes asked for."""
    assert seen
    for request in seen:
        assert request.method == "GET" and PREFIX_PATH.fullmatch(request.target), request
        assert not request.body and "cookie" not in dict(request.headers), request
        everything = request.text().lower()
        for host in hosts:
            for label in host.split("."):
                if len(label) > 3:
                    assert label not in everything, (label, request)
    return {request.target.rsplit("/", 1)[1] for request in seen}


@pytest.mark.parametrize("language", ["python", "js"])
def test_readme_client_snippets(language: str, candor_server: str, tmp_path: Path) -> None:
    code = example(README, language, "/v1/lookup")
    lookup = httpx.get(
        f"{candor_server}/v1/lookup", params={"url": "https://us02web.zoom.us/j/123"}
    ).json()
    meet = httpx.get(f"{candor_server}/v1/ratings/meet.google.com").json()
    assert lookup["meeting"] and meet["grade"]
    expected = [
        f"{lookup['service']['name']} {lookup['service']['grade']} meeting",
        f"https://meet.google.com/abc-defg-hij {meet['grade']}",
    ]
    assert run(code, language, candor_server, tmp_path) == expected


@pytest.mark.parametrize("language", ["python", "js"])
def test_readme_private_lookup(language: str, candor_server: str, tmp_path: Path) -> None:
    code = example(README, language, "/v1/hosts/prefix/")
    with recording_proxy(candor_server) as (base, seen):
        output = run(code, language, base, tmp_path)
    assert output == ["us02web.zoom.us Zoom", "zoom.us.evil.com not rated"]
    asked = only_prefixes(seen, ["us02web.zoom.us", "zoom.us.evil.com"])
    names = ["us02web.zoom.us", "zoom.us", "zoom.us.evil.com", "us.evil.com", "evil.com"]
    assert asked == {digest(name)[:5] for name in names}


@pytest.mark.parametrize("language", ["python", "js"])
def test_complete_private_lookup_clients_send_only_prefixes(
    language: str, candor_server: str, tmp_path: Path
) -> None:
    code = example(PRIVATE_LOOKUP, language, "/v1/hosts/prefix/")
    with recording_proxy(candor_server) as (base, seen):
        output = run(code, language, base, tmp_path)
    assert output == [
        "https://us02web.zoom.us/j/123\tzoom\tmeeting",
        "https://zoom.us.evil.com/j/123\t-\tvisit",
    ]
    only_prefixes(seen, ["us02web.zoom.us", "zoom.us.evil.com"])


def _vector_urls() -> list[dict[str, object]]:
    cases = json.loads(VECTORS.read_text())["cases"]
    return [c for c in cases if not c.get("error") and c.get("kind", "url") == "url"]


@pytest.mark.parametrize("language", ["python", "js"])
def test_complete_private_lookup_clients_agree_with_the_vectors(
    language: str, candor_server: str, tmp_path: Path
) -> None:
    """On every valid URL of the shared vectors, the private lookup finds the service and
    the meeting flag the API's own matcher finds."""
    cases = _vector_urls()
    assert len(cases) > 300
    code = example(PRIVATE_LOOKUP, language, "/v1/hosts/prefix/")
    output = run(code, language, candor_server, tmp_path, *(str(c["input"]) for c in cases))
    got = [tuple(line.split("\t")) for line in output]
    expected = [
        (c["input"], c["service"] or "-", "meeting" if c["meeting"] else "visit") for c in cases
    ]
    wrong = [(g, e) for g, e in zip(got, expected, strict=True) if g != e]
    assert not wrong, wrong[:10]


def test_by_hand_table_is_right() -> None:
    rows = re.findall(
        r"^\| `([a-z0-9.]+)` \| `([0-9a-f]{64})` \| `([0-9a-f]{5})` \|$",
        PRIVATE_LOOKUP.read_text(),
        re.M,
    )
    assert len(rows) == 5
    for name, full, prefix in rows:
        assert digest(name) == full and full.startswith(prefix), name
