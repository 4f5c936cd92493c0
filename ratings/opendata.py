"""The open dataset: one row per service and criterion, as CSV and JSON, under CC BY 4.0,
and the Frictionless Data Package that describes both files for archiving a release.

The same function writes what ``GET /v1/dataset.csv`` and ``GET /v1/dataset.json`` serve
and what ``candor dataset export`` writes, and nothing in either depends on the request or
the moment: one dataset version gives the same bytes everywhere. Every grade can be rebuilt
from the CSV alone with the published methodology (level, latest report period and review
date are all there); the tests do exactly that.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ratings.dataset import Dataset, Rating

DATASET_FORMAT = 1
LICENSE_ID = "CC-BY-4.0"
LICENSE_NAME = "Creative Commons Attribution 4.0 International"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = "Candor privacy and transparency ratings of video-calling services"
CSV_NAME = "dataset.csv"
JSON_NAME = "dataset.json"
PACKAGE_NAME = "datapackage.json"
# Several URLs (or kinds) in one CSV cell are separated by one space: a fixture URL can
# hold no space (ratings/fixtures refuses it), so the split is unambiguous.
LIST_SEPARATOR = " "


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # a Table Schema type
    description: str
    required: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("slug", "string", "The service's identifier, as in /v1/services/{slug}"),
    Column("service", "string", "The service's name"),
    Column("company", "string", "The company that runs it"),
    Column("status", "string", "active or discontinued"),
    Column("criterion", "string", "The criterion's id in the methodology"),
    Column("criterion_name", "string", "The criterion's name"),
    Column("group", "string", "The criteria group it is scored in"),
    Column(
        "level",
        "string",
        "What the review found: full, partial, none, no_disclosure, not_assessed, not_applicable",
    ),
    Column(
        "counted_level",
        "string",
        "The level that was scored (lower than level when the latest report is too old)",
    ),
    Column(
        "latest_period_end",
        "date",
        "Last day covered by the latest report (report criteria only)",
        required=False,
    ),
    Column("evidence", "string", "What the sources show, in Candor's words", required=False),
    Column(
        "source_urls",
        "string",
        "The sources' URLs, separated by single spaces",
        required=False,
    ),
    Column(
        "source_kinds",
        "string",
        "Each source's kind (official or independent), in the same order, separated by "
        "single spaces",
        required=False,
    ),
    Column("reviewed_on", "date", "When every criterion of the service was last checked"),
    Column(
        "grade",
        "string",
        "The service's grade, empty while its review is in progress",
        required=False,
    ),
    Column(
        "score",
        "integer",
        "The service's score from 0 to 100, empty while in progress",
        required=False,
    ),
    Column("methodology_version", "integer", "The methodology version the grade follows"),
    Column("dataset_version", "string", "The dataset version these rows come from"),
    Column("license", "string", f"The data licence ({LICENSE_ID}, {LICENSE_URL})"),
)
FIELD_NAMES = tuple(column.name for column in COLUMNS)


def _ratings(dataset: Dataset) -> list[Rating]:
    return sorted(dataset.ratings.values(), key=lambda r: r.slug)


def rows(dataset: Dataset) -> Iterator[dict[str, Any]]:
    """Every row, services by slug, criteria in the methodology's order; JSON-ready values
    (sources as a list of {url, kind})."""
    methodology = dataset.methodology
    names = {c.id: c for c in methodology.criteria}
    for rating in _ratings(dataset):
        for entry in rating.criteria:
            criterion = names[entry.id]
            yield {
                "slug": rating.slug,
                "service": rating.name,
                "company": rating.company,
                "status": rating.status,
                "criterion": entry.id,
                "criterion_name": criterion.name,
                "group": criterion.group,
                "level": entry.level,
                "counted_level": entry.counted_level or entry.level,
                "latest_period_end": (
                    entry.latest_period_end.isoformat() if entry.latest_period_end else None
                ),
                "evidence": entry.evidence,
                "sources": [{"url": s.url, "kind": s.kind} for s in entry.sources],
                "reviewed_on": rating.reviewed_on.isoformat(),
                "grade": rating.grade,
                "score": rating.score,
                "methodology_version": rating.methodology_version,
                "dataset_version": dataset.version,
            }


def encode_csv(dataset: Dataset) -> Iterator[bytes]:
    """The CSV (RFC 4180: a header row, CRLF line ends, UTF-8), a service at a time."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELD_NAMES, lineterminator="\r\n")
    writer.writeheader()
    current: str | None = None
    for row in rows(dataset):
        if row["slug"] != current and buffer.tell():
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
        current = row["slug"]
        sources = row.pop("sources")
        writer.writerow(
            {
                **{k: ("" if v is None else v) for k, v in row.items()},
                "source_urls": LIST_SEPARATOR.join(s["url"] for s in sources),
                "source_kinds": LIST_SEPARATOR.join(s["kind"] for s in sources),
                "license": LICENSE_ID,
            }
        )
    yield buffer.getvalue().encode()


def _head(dataset: Dataset) -> dict[str, Any]:
    return {
        "format": DATASET_FORMAT,
        "title": ATTRIBUTION,
        "dataset_version": dataset.version,
        "methodology_version": dataset.methodology.version,
        "license": {"id": LICENSE_ID, "name": LICENSE_NAME, "url": LICENSE_URL},
        "attribution": (
            f"{ATTRIBUTION}, dataset {dataset.version}, licensed under {LICENSE_ID} ({LICENSE_URL})"
        ),
        "methodology": "GET /v1/methodology publishes the rules that turn these rows into grades",
        "columns": [c.name for c in COLUMNS if c.name not in ("source_urls", "source_kinds")]
        + ["sources"],
    }


def encode_json(dataset: Dataset, chunk: int = 200) -> Iterator[bytes]:
    """The JSON document, compact UTF-8, in pieces (the same bytes as encoding it whole)."""
    head = json.dumps(_head(dataset), ensure_ascii=False, separators=(",", ":")).encode()
    yield head[:-1] + b',"rows":['
    batch: list[bytes] = []
    first = True
    for row in rows(dataset):
        batch.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode())
        if len(batch) == chunk:
            yield (b"" if first else b",") + b",".join(batch)
            first, batch = False, []
    if batch:
        yield (b"" if first else b",") + b",".join(batch)
    yield b"]}"


def datapackage(dataset: Dataset, files: dict[str, bytes]) -> dict[str, Any]:
    """The Frictionless Data Package (v1) describing the written files."""
    fields = [
        {
            "name": c.name,
            "type": c.type,
            "description": c.description,
            **({"constraints": {"required": True}} if c.required else {}),
        }
        for c in COLUMNS
    ]
    licence = {"name": LICENSE_ID, "path": LICENSE_URL, "title": LICENSE_NAME}

    def resource(name: str, path: str, fmt: str, media: str, **extra: Any) -> dict[str, Any]:
        body = files[path]
        return {
            "name": name,
            "path": path,
            "profile": "tabular-data-resource" if fmt == "csv" else "data-resource",
            "format": fmt,
            "mediatype": media,
            "encoding": "utf-8",
            "bytes": len(body),
            "hash": f"sha256:{hashlib.sha256(body).hexdigest()}",
            "licenses": [licence],
            **extra,
        }

    return {
        "profile": "data-package",
        "name": "candor-ratings",
        "title": ATTRIBUTION,
        "description": (
            "One row per rated service and criterion: the level found, the evidence and its "
            "sources, the review date, and the service's grade and score under the published "
            "methodology. Each release is identified by its dataset version."
        ),
        "version": dataset.version,
        "keywords": ["privacy", "transparency", "video conferencing", "ratings"],
        "licenses": [licence],
        "resources": [
            resource(
                "ratings",
                CSV_NAME,
                "csv",
                "text/csv",
                dialect={"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                schema={"fields": fields, "primaryKey": ["slug", "criterion"]},
            ),
            resource("ratings-json", JSON_NAME, "json", "application/json"),
        ],
    }


def export(dataset: Dataset, directory: Path) -> dict[str, int]:
    """Write dataset.csv, dataset.json and datapackage.json into ``directory``; their sizes."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        CSV_NAME: b"".join(encode_csv(dataset)),
        JSON_NAME: b"".join(encode_json(dataset)),
    }
    package = json.dumps(datapackage(dataset, files), ensure_ascii=False, indent=2) + "\n"
    files[PACKAGE_NAME] = package.encode()
    for name, body in files.items():
        (directory / name).write_bytes(body)
    return {name: len(body) for name, body in files.items()}
