"""Attack 5 and the fixture part of 6: hostile fixture files, as a pull request could
bring them, through the real ``candor fixtures check``. Each must give a clear error line
(file and reason, nothing unprintable), exit 1, never hang, and never read a device."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import edit_service
from tests.process import CANDOR


def check(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CANDOR, "fixtures", "check", str(directory), "--vectors", ""],
        capture_output=True,
        text=True,
        timeout=60,  # a FIFO opened for reading would block here forever
    )


def _replace_with_link(target: str) -> Callable[[Path], None]:
    def apply(directory: Path) -> None:
        path = directory / "services" / "synth-00001.yaml"
        path.unlink()
        path.symlink_to(target)

    return apply


def _fifo(directory: Path) -> None:
    path = directory / "services" / "synth-00001.yaml"
    path.unlink()
    os.mkfifo(path)


def _yml(directory: Path) -> None:
    path = directory / "services" / "synth-00001.yaml"
    path.rename(path.with_suffix(".yml"))


def _duplicate_key(directory: Path) -> None:
    path = directory / "services" / "synth-00001.yaml"
    path.write_text(path.read_text().replace("name: ", "name: Real\nname: ", 1))


def _edit(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def attack(directory: Path) -> None:
        edit_service(directory, "synth-00001", change)

    return attack


def _nested(data: dict[str, object]) -> None:
    data["domains"] = [*data["domains"], "meet.synth00000.example"]  # type: ignore[misc]


ATTACKS: dict[str, tuple[Callable[[Path], None], str]] = {
    "symlink to /dev/zero": (_replace_with_link("/dev/zero"), "symbolic link"),
    "symlink to /etc/passwd": (_replace_with_link("/etc/passwd"), "symbolic link"),
    "symlink outside": (_replace_with_link("../outside.yaml"), "symbolic link"),
    "FIFO": (_fifo, "not a regular file"),
    ".yml": (_yml, ".yaml, not .yml"),
    "duplicate key": (_duplicate_key, "duplicate key 'name'"),
    "whole TLD": (_edit(lambda d: d.update(domains=["com"])), "at least two labels"),
    "public suffix": (_edit(lambda d: d.update(domains=["github.io"])), "public suffix"),
    "nested domain": (_edit(_nested), "lies under 'synth00000.example'"),
    "markup name": (_edit(lambda d: d.update(name="<img src=x>")), "markup, control or bidi"),
    "bidi name": (_edit(lambda d: d.update(name="\u202eevil")), "markup, control or bidi"),
    "forged ok line": (
        _edit(lambda d: d["criteria"].update({"x\nok: 78 services": {"level": "full"}})),
        "x\\nok: 78 services",
    ),
    "ANSI key": (
        _edit(lambda d: d["criteria"].update({"\x1b[2J\x1b[32mok": {"level": "full"}})),
        "\\x1b[2J",
    ),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_hostile_fixture_files_give_a_clear_error(
    make_fixtures: Callable[..., Path], name: str
) -> None:
    directory = make_fixtures(2)
    (directory / "outside.yaml").write_text(yaml.safe_dump({"slug": "outside"}))
    attack, expected = ATTACKS[name]
    attack(directory)
    result = check(directory)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""  # no "ok:" line, forged or real
    lines = result.stderr.splitlines()
    assert any(expected in line for line in lines), result.stderr
    assert all(line.isprintable() for line in lines), result.stderr
    assert lines[-1].endswith("error(s): nothing was written")
