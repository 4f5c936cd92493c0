"""Synthetic, valid service files for load tests and benchmarks (``candor fixtures synth``)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

_LEVELS = ["full", "partial", "none", "no_disclosure"]
_WEIGHTS = [4, 3, 2, 1]
# Criteria that record the end of the latest report period (methodology report_freshness).
_REPORT_CRITERIA = frozenset({"transparency_report", "moderation_transparency"})


def synthetic_service(index: int, criteria: list[str], rng: random.Random) -> dict[str, object]:
    slug = f"synth-{index:05d}"
    base = f"synth{index:05d}"
    return {
        "slug": slug,
        "name": f"Synthetic Service {index}",
        "company": f"Synthetic Company {index % 997}",
        "homepage": f"https://www.{base}.example/",
        "status": "active",
        "reviewed_on": "2026-11-01",
        "summary": f"Synthetic service number {index}, generated for load tests.",
        "domains": [
            f"{base}.example",
            f"{base}-meet.example",
            f"{base}.example.net",
            f"call.{base}.example.org",
            f"{base}.test",
        ],
        "meeting_patterns": [
            {"path": "/j/{d}"},
            {"path": "/room/{w}"},
            {"host": f"{base}-meet.example", "path": "/{a3}-{a4}-{a3}"},
        ],
        "examined": [
            {
                "url": f"https://www.{base}.example/privacy",
                "title": "Synthetic privacy policy",
                "retrieved_on": "2026-11-01",
            }
        ],
        "criteria": {cid: _criterion(cid, base, rng) for cid in criteria},
    }


def _criterion(cid: str, base: str, rng: random.Random) -> dict[str, object]:
    level = rng.choices(_LEVELS, _WEIGHTS)[0]
    entry: dict[str, object] = {
        "level": level,
        "evidence": f"Synthetic evidence for {cid}, generated for load tests.",
        "sources": [
            {
                "url": f"https://www.{base}.example/{cid}",
                "kind": "official",
                "section": f"Section on {cid}",
                "retrieved_on": "2026-11-01",
            }
        ],
    }
    if cid in _REPORT_CRITERIA and level in ("full", "partial"):
        entry["latest_period_end"] = "2026-06-30"
    return entry


def write_synthetic(count: int, outdir: Path, methodology: Path, seed: int = 7) -> None:
    """Write ``count`` services and a copy of the methodology: a complete fixtures dir."""
    rng = random.Random(seed)
    spec = yaml.safe_load(methodology.read_text(encoding="utf-8"))
    criteria = [c["id"] for c in spec["criteria"]]
    services = outdir / "services"
    services.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(methodology, outdir / "methodology.yaml")
    for index in range(count):
        data = synthetic_service(index, criteria, rng)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        (services / f"{data['slug']}.yaml").write_text(text, encoding="utf-8")
