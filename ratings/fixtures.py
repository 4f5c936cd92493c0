"""Reading and checking the curated fixture files.

``read_fixtures`` either returns a complete, consistent ``FixtureSet`` or raises
``FixtureErrors`` listing every problem with its file, line and field, so that a
maintainer fixes them all in one pass and a bad file never reaches the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ratings.matching import InvalidInput, InvalidPattern, MeetingPattern, normalise_host
from ratings.methodology import Level, Methodology

SLUG = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
MAX_FILE_BYTES = 256 * 1024


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
        raise ValueError("must be an absolute http(s) URL")
    problem = _host_problem(parts.hostname)
    if problem is not None:
        raise ValueError(f"URL host is invalid: {problem}")
    return value


@lru_cache(maxsize=4096)
def _host_problem(host: str) -> str | None:
    """Why ``host`` is invalid, or None. Cached: a file's sources share a few hosts."""
    try:
        normalise_host(host)
    except InvalidInput as exc:
        return str(exc)
    return None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class MeetingPatternSpec(_Strict):
    path: str
    host: str | None = None
    query: tuple[str, ...] = ()

    def compile(self) -> MeetingPattern:
        return MeetingPattern.compile(self.path, self.host, self.query)

    @field_validator("query")
    @classmethod
    def _query_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", name):
                raise ValueError(f"invalid query parameter name {name!r}")
        return value


class CriterionEntry(_Strict):
    level: Level
    evidence: str = Field(min_length=10, max_length=800)
    sources: tuple[str, ...] = Field(min_length=1, max_length=10)

    @field_validator("sources")
    @classmethod
    def _sources(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_http_url(url) for url in value)


class ServiceFile(_Strict):
    """One ``fixtures/services/<slug>.yaml``."""

    slug: str = Field(pattern=SLUG)
    name: str = Field(min_length=1, max_length=80)
    company: str = Field(min_length=1, max_length=120)
    homepage: str
    status: Literal["active", "discontinued"] = "active"
    discontinued_on: dt.date | None = None
    reviewed_on: dt.date
    summary: str = Field(min_length=10, max_length=400)
    domains: tuple[str, ...] = Field(min_length=1, max_length=50)
    meeting_patterns: tuple[MeetingPatternSpec, ...] = Field(default=(), max_length=50)
    criteria: dict[str, CriterionEntry]

    @field_validator("homepage")
    @classmethod
    def _homepage(cls, value: str) -> str:
        return _check_http_url(value)

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for domain in value:
            try:
                canonical = normalise_host(domain)
            except InvalidInput as exc:
                raise ValueError(f"{domain!r}: {exc}") from None
            if canonical != domain:
                raise ValueError(f"{domain!r} must be written as {canonical!r}")
        if len(set(value)) != len(value):
            raise ValueError("a domain is listed twice")
        return value

    @field_validator("meeting_patterns")
    @classmethod
    def _patterns(cls, value: tuple[MeetingPatternSpec, ...]) -> tuple[MeetingPatternSpec, ...]:
        for spec in value:
            try:
                spec.compile()
            except (InvalidPattern, InvalidInput) as exc:
                raise ValueError(f"pattern {spec.path!r}: {exc}") from None
        return value

    def levels(self) -> dict[str, Level]:
        return {criterion: entry.level for criterion, entry in self.criteria.items()}

    def canonical(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


@dataclass(frozen=True)
class FixtureProblem:
    file: str
    line: int | None
    field: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f"{self.field}: " if self.field else ""
        return f"{where}: {self.severity}: {what}{self.message}"


class FixtureErrors(Exception):
    def __init__(self, problems: list[FixtureProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the fixtures")
        self.problems = problems


@dataclass(frozen=True)
class FixtureSet:
    directory: Path
    methodology: Methodology
    services: dict[str, ServiceFile]
    warnings: list[FixtureProblem] = field(default_factory=list)

    @cached_property
    def version(self) -> str:
        """A digest of everything that can change an answer: same files, same version.

        Cached: it digests every service, and a load asks for it more than once."""
        digest = hashlib.sha256()
        digest.update(_canonical_json(self.methodology.model_dump(mode="json")))
        for slug in sorted(self.services):
            digest.update(_canonical_json(self.services[slug].canonical()))
        return digest.hexdigest()[:16]


def _canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def service_digest(service: ServiceFile) -> str:
    return hashlib.sha256(_canonical_json(service.canonical())).hexdigest()[:16]


# YAML with line numbers -------------------------------------------------------------------


# libyaml's parser when PyYAML was built with it (the wheels are): parsing is most of the
# time of reading the fixtures, and the C parser is about six times faster at it, with the
# same nodes and line marks. The constructor and resolver stay PyYAML's own (safe) ones.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[valid-type,misc]
    """Safe YAML that leaves timestamps as text: pydantic then reports an impossible date
    (2026-02-30) as a field error with its line, instead of a bare ValueError."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


Lines = dict[tuple[str | int, ...], int]

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"


def _load_yaml(text: str) -> tuple[Any, Lines]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: Lines = {}
        return _Builder(loader, lines).build(node, ()), lines
    finally:
        loader.dispose()


class _Builder:
    """Builds the document and its line map in one walk over the nodes.

    Strings, lists and mappings (nearly every node of a fixture file) are built here
    directly; anything else (numbers, booleans, null, merge keys, other tags) goes to the
    safe constructor. One pass, because PyYAML's generic constructor plus a second walk
    for the lines took more time than parsing. Each node is built once, so aliases share
    their value (as with PyYAML) and cannot multiply the work.
    """

    def __init__(self, loader: yaml.SafeLoader, lines: Lines) -> None:
        self.loader = loader
        self.lines = lines
        self.built: dict[int, Any] = {}

    def build(self, node: yaml.Node, path: tuple[str | int, ...]) -> Any:
        # setdefault: a mapping key's line, recorded first, is the better place to point at.
        self.lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in self.built:
            return self.built[id(node)]
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
            return node.value
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            items: list[Any] = []
            self.built[id(node)] = items
            items.extend(self.build(item, (*path, index)) for index, item in enumerate(node.value))
            return items
        if (
            isinstance(node, yaml.MappingNode)
            and node.tag == _MAP
            and not any(key.tag == _MERGE for key, _ in node.value)
        ):
            mapping: dict[Any, Any] = {}
            self.built[id(node)] = mapping
            for key_node, value_node in node.value:
                key = self.key(key_node)
                child = (*path, str(key_node.value))
                self.lines[child] = key_node.start_mark.line + 1
                mapping[key] = self.build(value_node, child)
            return mapping
        value = self.loader.construct_object(node, deep=True)
        self.built[id(node)] = value
        return value

    def key(self, node: yaml.Node) -> Any:
        key = (
            node.value
            if isinstance(node, yaml.ScalarNode) and node.tag == _STR
            else self.loader.construct_object(node, deep=True)
        )
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable mapping key", node.start_mark
            ) from None
        return key


def _line_for(lines: Lines, loc: tuple[str | int, ...]) -> int | None:
    for end in range(len(loc), -1, -1):
        line = lines.get(tuple(str(p) if isinstance(p, str) else p for p in loc[:end]))
        if line is not None:
            return line
    return None


def _validation_problems(file: str, exc: ValidationError, lines: Lines) -> Iterator[FixtureProblem]:
    for error in exc.errors():
        loc = tuple(error["loc"])
        yield FixtureProblem(
            file, _line_for(lines, loc), ".".join(str(p) for p in loc), error["msg"]
        )


def _read_document(path: Path, display: str) -> tuple[Any, Lines]:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise FixtureErrors([FixtureProblem(display, None, "", "file is larger than 256 KiB")])
    try:
        return _load_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise FixtureErrors([FixtureProblem(display, None, "", "not UTF-8 text")]) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise FixtureErrors(
            [FixtureProblem(display, line, "", f"YAML syntax: {exc.problem}")]
        ) from None


def load_methodology(directory: Path) -> Methodology:
    path = directory / "methodology.yaml"
    display = str(path)
    if not path.is_file():
        raise FixtureErrors([FixtureProblem(display, None, "", "file not found")])
    data, lines = _read_document(path, display)
    try:
        return Methodology.model_validate(data)
    except ValidationError as exc:
        raise FixtureErrors(list(_validation_problems(display, exc, lines))) from None


def read_fixtures(directory: Path | str, *, today: dt.date | None = None) -> FixtureSet:
    """Read, validate and cross-check every fixture file under ``directory``."""
    directory = Path(directory)
    today = today or dt.datetime.now(dt.UTC).date()
    methodology = load_methodology(directory)
    problems: list[FixtureProblem] = []
    warnings: list[FixtureProblem] = []
    services: dict[str, ServiceFile] = {}
    located: dict[str, tuple[str, Lines]] = {}

    service_dir = directory / "services"
    paths = sorted(service_dir.glob("*.yaml")) if service_dir.is_dir() else []
    if not paths:
        problems.append(FixtureProblem(str(service_dir), None, "", "no service files found"))
    for path in paths:
        display = str(path)
        try:
            data, lines = _read_document(path, display)
        except FixtureErrors as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(data, dict):
            problems.append(FixtureProblem(display, 1, "", "expected a mapping of fields"))
            continue
        try:
            service = ServiceFile.model_validate(data)
        except ValidationError as exc:
            problems.extend(_validation_problems(display, exc, lines))
            continue
        file_problems = list(_check_service(display, lines, service, path, methodology, today))
        problems.extend(p for p in file_problems if p.severity == "error")
        warnings.extend(p for p in file_problems if p.severity == "warning")
        if service.slug in services:
            problems.append(FixtureProblem(display, lines.get(("slug",)), "slug", "slug taken"))
            continue
        services[service.slug] = service
        located[service.slug] = (display, lines)

    problems.extend(_check_domains(services, located))
    if problems:
        raise FixtureErrors(problems)
    return FixtureSet(directory, methodology, services, warnings)


def _check_service(
    display: str,
    lines: Lines,
    service: ServiceFile,
    path: Path,
    methodology: Methodology,
    today: dt.date,
) -> Iterator[FixtureProblem]:
    def problem(
        loc: tuple[str | int, ...], message: str, severity: str = "error"
    ) -> FixtureProblem:
        return FixtureProblem(
            display,
            _line_for(lines, loc),
            ".".join(map(str, loc)),
            message,
            severity,  # type: ignore[arg-type]
        )

    if path.stem != service.slug:
        yield problem(("slug",), f"slug {service.slug!r} must equal the file name {path.stem!r}")
    expected = set(methodology.criterion_ids)
    for missing in sorted(expected - set(service.criteria)):
        yield problem(("criteria",), f"criterion {missing!r} is missing")
    for unknown in sorted(set(service.criteria) - expected):
        yield problem(("criteria", unknown), f"unknown criterion {unknown!r}")
    if service.reviewed_on > today:
        yield problem(("reviewed_on",), f"review date {service.reviewed_on} is in the future")
    elif (today - service.reviewed_on).days > methodology.grading.stale_after_days:
        yield problem(
            ("reviewed_on",),
            f"last reviewed {service.reviewed_on}, more than 12 months ago: served as stale",
            "warning",
        )
    if service.status == "discontinued" and service.discontinued_on is None:
        yield problem(("discontinued_on",), "a discontinued service needs discontinued_on")
    if service.status == "active" and service.discontinued_on is not None:
        yield problem(("discontinued_on",), "an active service has no discontinued_on")
    if service.discontinued_on is not None and service.discontinued_on > today:
        yield problem(("discontinued_on",), "discontinued_on is in the future")
    for index, spec in enumerate(service.meeting_patterns):
        if spec.host is not None:
            bare = spec.host.removeprefix("*.")
            if not any(bare == d or bare.endswith("." + d) for d in service.domains):
                yield problem(
                    ("meeting_patterns", index, "host"),
                    f"host {spec.host!r} lies outside the service's domains",
                )


def _check_domains(
    services: dict[str, ServiceFile],
    located: dict[str, tuple[str, Lines]],
) -> Iterable[FixtureProblem]:
    owner: dict[str, str] = {}
    for slug, service in sorted(services.items()):
        display, lines = located[slug]
        for index, domain in enumerate(service.domains):
            if domain in owner:
                yield FixtureProblem(
                    display,
                    _line_for(lines, ("domains", index)),
                    f"domains.{index}",
                    f"{domain!r} already belongs to {owner[domain]!r}",
                )
            else:
                owner[domain] = slug
