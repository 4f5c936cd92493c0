"""The extension's matcher, run by Node on a bundle written by the API."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from benchmarks.procs import ROOT

SCRIPT = ROOT / "benchmarks" / "extension_matcher.mjs"
VECTORS = ROOT / "tests" / "vectors" / "urls.json"


def node_available() -> bool:
    return shutil.which("node") is not None and (ROOT / "extension/src/lib/matcher.js").is_file()


def run(bundle: Path, runs: int = 3) -> dict[str, Any]:
    """The script's figures, each the median over ``runs`` separate Node processes."""
    results = []
    for _ in range(runs):
        done = subprocess.run(
            ["node", str(SCRIPT), str(bundle), str(VECTORS)],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        results.append(json.loads(done.stdout))
    merged: dict[str, Any] = dict(results[0])
    for key, value in results[0].items():
        if isinstance(value, float):
            values = sorted(result[key] for result in results)
            merged[key] = values[len(values) // 2]
    return merged
