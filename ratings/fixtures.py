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
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol
from urllib.parse import urlsplit

import yaml
from publicsuffixlist import PublicSuffixList
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from ratings.matching import InvalidInput, InvalidPattern, MeetingPattern, normalise_host
from ratings.methodology import Level, Methodology
from ratings.scoring import Assessment, assess, report_is_stale
from ratings.sources import refused_domain, url_language
from ratings.text import Text, printable

SLUG = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
MAX_FILE_BYTES = 256 * 1024


def _check_http_url(value: str, *, https_only: bool = False) -> str:
    parts = urlsplit(value)
    schemes = ("https",) if https_only else ("http", "https")
    if parts.scheme not in schemes or not parts.hostname or " " in value:
        raise ValueError(
            "must be an absolute https URL" if https_only else "must be an absolute http(s) URL"
        )
    problem = _host_problem(parts.hostname)
    if problem is not None:
        raise ValueError(f"URL host is invalid: {problem}")
    return value


def _check_source_url(value: str) -> str:
    _check_http_url(value, https_only=True)
    refused = refused_domain(urlsplit(value).hostname or "")
    if refused is not None:
        raise ValueError(
            f"{refused} is a mirror, re-host, archive or content farm: cite the original page"
        )
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


SourceUrl = Annotated[str, AfterValidator(_check_source_url)]


class SourceRef(_Strict):
    """Where a fact was read: the page, whose page it is, where on it, and when."""

    url: SourceUrl
    kind: Literal["official", "independent"]
    section: Text = Field(min_length=3, max_length=200)
    retrieved_on: dt.date
    # Only for a page with no English version: the language it is written in.
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")


class ExaminedDocument(_Strict):
    url: SourceUrl
    title: Text = Field(min_length=3, max_length=200)
    retrieved_on: dt.date


class Contact(_Strict):
    url: str
    label: Text = Field(min_length=3, max_length=120)
    source: SourceRef

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value.startswith("mailto:"):
            address = value.removeprefix("mailto:")
            if not re.fullmatch(r"[^@\s<>\"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", address):
                raise ValueError("mailto: needs one plain e-mail address")
            return value
        return _check_http_url(value, https_only=True)


class ReviewNote(_Strict):
    criterion: str | None = None
    challenge: Text = Field(min_length=10, max_length=800)
    resolution: Text = Field(min_length=10, max_length=800)


class CompanyResponse(_Strict):
    date: dt.date
    summary: Text = Field(min_length=10, max_length=800)
    url: SourceUrl


class MeetingPatternSpec(_Strict):
    path: str
    host: str | None = None
    query: tuple[str, ...] = ()
    # Required for a catch-all at the root of a host: why that host serves only meetings.
    only_meetings: Text | None = Field(default=None, min_length=10, max_length=300)

    def compile(self) -> MeetingPattern:
        return MeetingPattern.compile(self.path, self.host, self.query)

    @property
    def root_catch_all(self) -> bool:
        """Does the pattern take any path at the root of its host?"""
        # Every segment a wildcard: "/*", "/**", "/{w}", "/*/**" take whatever a site
        # serves; "/*/j.php" or "/{d}" do not.
        segments = self.path.strip("/").split("/")
        return all(seg in ("*", "**") or re.fullmatch(r"\{[awx]\}", seg) for seg in segments)

    @field_validator("query")
    @classmethod
    def _query_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", name):
                raise ValueError(f"invalid query parameter name {name!r}")
        return value


class CriterionEntry(_Strict):
    level: Level
    evidence: Text | None = Field(default=None, min_length=20, max_length=800)
    sources: tuple[SourceRef, ...] = Field(default=(), max_length=10)
    latest_period_end: dt.date | None = None
    # The company publishes nothing on this; a full or partial level rests on
    # independent sources alone (the evidence says so).
    official_silent: bool = False


class ServiceFile(_Strict):
    """One ``fixtures/services/<slug>.yaml``."""

    slug: str = Field(pattern=SLUG)
    name: Text = Field(min_length=1, max_length=80)
    company: Text = Field(min_length=1, max_length=120)
    homepage: str
    status: Literal["active", "discontinued"] = "active"
    discontinued_on: dt.date | None = None
    reviewed_on: dt.date
    summary: Text = Field(min_length=10, max_length=400)
    domains: tuple[str, ...] = Field(min_length=1, max_length=50)
    # Services whose domains this one's may lie under ("meet.google.com" under a service
    # owning "google.com"): without this declaration a nested domain is an error, so that
    # no file quietly carves a piece out of another service's namespace.
    inside: tuple[Annotated[str, Field(pattern=SLUG)], ...] = Field(default=(), max_length=10)
    publishers: tuple[str, ...] = Field(default=(), max_length=30)
    meeting_patterns: tuple[MeetingPatternSpec, ...] = Field(default=(), max_length=50)
    examined: tuple[ExaminedDocument, ...] = Field(default=(), max_length=40)
    contact: Contact | None = None
    criteria: dict[str, CriterionEntry]
    review_notes: tuple[ReviewNote, ...] = Field(default=(), max_length=60)
    responses: tuple[CompanyResponse, ...] = Field(default=(), max_length=20)

    @field_validator("homepage")
    @classmethod
    def _homepage(cls, value: str) -> str:
        return _check_http_url(value, https_only=True)

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for domain in value:
            problem = domain_problem(domain)
            if problem is not None:
                raise ValueError(problem)
        if len(set(value)) != len(value):
            raise ValueError("a domain is listed twice")
        return value

    @field_validator("publishers")
    @classmethod
    def _publishers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            host, _, path = entry.partition("/")
            problem = _host_problem(host)
            if problem is not None or host != host.lower():
                raise ValueError(f"{entry!r}: not a host or host/path ({problem or 'uppercase'})")
            if path and not re.fullmatch(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*", path):
                raise ValueError(f"{entry!r}: the path must be plain segments")
            if not path and _public_suffixes().is_public(host):
                raise ValueError(f"{entry!r} is a public suffix")
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

    def periods(self) -> dict[str, dt.date | None]:
        return {criterion: entry.latest_period_end for criterion, entry in self.criteria.items()}

    def assess(self, methodology: Methodology) -> Assessment:
        return assess(
            self.levels(), methodology, periods=self.periods(), reviewed_on=self.reviewed_on
        )

    def is_official(self, url: str) -> bool:
        """Is ``url`` on the company's own sites (its domains or its publishers)?"""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        path = parts.path.rstrip("/").lower()
        for entry in (*self.domains, *self.publishers):
            base, _, prefix = entry.partition("/")
            if host != base and not host.endswith("." + base):
                continue
            if not prefix or path == "/" + prefix.lower() or path.startswith(f"/{prefix.lower()}/"):
                return True
        return False

    def canonical(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def domain_problem(domain: str) -> str | None:
    """Why ``domain`` cannot be a service's domain, or None. The extension's validator
    applies the same rules to the bundle (shared vectors: tests/vectors/rules.json)."""
    try:
        canonical = normalise_host(domain)
    except InvalidInput as exc:
        return f"{domain!r}: {exc}"
    if canonical != domain:
        return f"{domain!r} must be written as {canonical!r}"
    if "." not in domain:
        return f"{domain!r} must have at least two labels"
    if _public_suffixes().is_public(domain):
        return f"{domain!r} is a public suffix: it would rate every site under it"
    return None


@lru_cache(maxsize=1)
def _public_suffixes() -> PublicSuffixList:
    # The list ships inside the package: nothing is downloaded.
    return PublicSuffixList()


@dataclass(frozen=True)
class FixtureProblem:
    file: str
    line: int | None
    field: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        # Every part may carry text from a file (a key, a file name, a YAML error quoting
        # the input): all of it is escaped, so one problem is always one printed line.
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f"{self.field}: " if self.field else ""
        return printable(f"{where}: {self.severity}: {what}{self.message}")


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
                if key in mapping:
                    # YAML itself lets the last one win, silently: a reviewer would read
                    # the first and the loader would keep the second.
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
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


def _read_document(path: Path, display: str, root: Path | None = None) -> tuple[Any, Lines]:
    """Parse one fixture file: a regular file inside ``root``, at most MAX_FILE_BYTES.

    Git stores symbolic links, so a pull request can bring a link to /dev/zero, a FIFO or
    a file outside the fixtures; none of them is followed or opened."""

    def refuse(message: str) -> FixtureErrors:
        return FixtureErrors([FixtureProblem(display, None, "", message)])

    if path.is_symlink():
        raise refuse("is a symbolic link: fixture files must be regular files")
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        raise refuse(f"cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        raise refuse("is not a regular file")
    if root is not None and not path.resolve().is_relative_to(root.resolve()):
        raise refuse("lies outside the fixtures directory")
    with path.open("rb") as handle:
        # One byte more than the limit tells "too large" without reading a huge file.
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise refuse("file is larger than 256 KiB")
    try:
        return _load_yaml(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise refuse("not UTF-8 text") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
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
    entries = sorted(service_dir.iterdir()) if service_dir.is_dir() else []
    paths = [p for p in entries if p.suffix == ".yaml"]
    for other in entries:
        if other.suffix == ".yml":
            problems.append(
                FixtureProblem(str(other), None, "", "service files end in .yaml, not .yml")
            )
    if not paths:
        problems.append(FixtureProblem(str(service_dir), None, "", "no service files found"))
    for path in paths:
        display = str(path)
        try:
            data, lines = _read_document(path, display, directory)
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
    yield from _check_patterns(service, problem)
    yield from _check_documents(service, today, problem)
    for cid, entry in service.criteria.items():
        if cid in expected:
            yield from _check_criterion(service, cid, entry, methodology, today, problem)
    for index, note in enumerate(service.review_notes):
        if note.criterion is not None and note.criterion not in expected:
            yield problem(
                ("review_notes", index, "criterion"), f"unknown criterion {note.criterion!r}"
            )


class _Report(Protocol):
    def __call__(
        self, loc: tuple[str | int, ...], message: str, severity: str = "error"
    ) -> FixtureProblem: ...


def _check_patterns(service: ServiceFile, problem: _Report) -> Iterator[FixtureProblem]:
    for index, spec in enumerate(service.meeting_patterns):
        if spec.host is not None:
            bare = spec.host.removeprefix("*.")
            if not any(bare == d or bare.endswith("." + d) for d in service.domains):
                yield problem(
                    ("meeting_patterns", index, "host"),
                    f"host {spec.host!r} lies outside the service's domains",
                )
        # A meeting is a meeting link, never a whole domain's paths: "/pricing" on a
        # service whose rooms live at "/<room>" must not raise the joining notice.
        if spec.root_catch_all and (spec.host is None or spec.only_meetings is None):
            yield problem(
                ("meeting_patterns", index, "path"),
                f"{spec.path!r} takes every path at the root: allowed only with `host` naming "
                "a host that serves nothing but meetings, and `only_meetings` saying why",
            )
        elif spec.only_meetings is not None and not spec.root_catch_all:
            yield problem(
                ("meeting_patterns", index, "only_meetings"),
                "only_meetings is for root catch-all patterns only",
            )


def _check_documents(
    service: ServiceFile, today: dt.date, problem: _Report
) -> Iterator[FixtureProblem]:
    for index, document in enumerate(service.examined):
        loc: tuple[str | int, ...] = ("examined", index)
        if not service.is_official(document.url):
            yield problem(
                (*loc, "url"),
                "examined documents are the company's own: the URL must lie on the "
                "service's domains or publishers",
            )
        if document.retrieved_on > today:
            yield problem((*loc, "retrieved_on"), "retrieved_on is in the future")
    if service.contact is not None:
        yield from _check_source(
            service, ("contact", "source"), service.contact.source, today, problem
        )


def _check_criterion(
    service: ServiceFile,
    cid: str,
    entry: CriterionEntry,
    methodology: Methodology,
    today: dt.date,
    problem: _Report,
) -> Iterator[FixtureProblem]:
    loc: tuple[str | int, ...] = ("criteria", cid)
    if entry.level != "not_assessed":
        if entry.evidence is None:
            yield problem((*loc, "evidence"), f"a {entry.level} criterion needs evidence")
        if not entry.sources:
            yield problem((*loc, "sources"), f"a {entry.level} criterion needs a source")
    if entry.level == "no_disclosure" and not service.examined:
        yield problem(
            (*loc, "level"),
            "no_disclosure means the documents in `examined` say nothing: list them",
        )
    for index, source in enumerate(entry.sources):
        yield from _check_source(service, (*loc, "sources", index), source, today, problem)
    official = any(source.kind == "official" for source in entry.sources)
    if entry.level in ("full", "partial") and not official and not entry.official_silent:
        yield problem(
            (*loc, "sources"),
            f"{entry.level} needs an official source, or official_silent: true when the "
            "company publishes nothing on it",
        )
    if entry.official_silent and (official or entry.level not in ("full", "partial")):
        yield problem(
            (*loc, "official_silent"),
            "official_silent is for a full or partial level resting on independent sources only",
        )
    yield from _check_period(service, cid, entry, methodology, today, problem)


def _check_period(
    service: ServiceFile,
    cid: str,
    entry: CriterionEntry,
    methodology: Methodology,
    today: dt.date,
    problem: _Report,
) -> Iterator[FixtureProblem]:
    loc: tuple[str | int, ...] = ("criteria", cid, "latest_period_end")
    freshness = methodology.grading.report_freshness
    reports = cid in freshness.criteria and entry.level in ("full", "partial")
    period = entry.latest_period_end
    # Moderation is partial on notice and appeals alone, with no enforcement numbers and
    # so no report to date; every other report level rests on a report.
    optional = cid == "moderation_transparency" and entry.level == "partial"
    if reports and period is None and not optional:
        yield problem(
            ("criteria", cid),
            "latest_period_end is required: the last day covered by the latest report found",
        )
    elif not reports and period is not None:
        yield problem(
            loc,
            f"latest_period_end applies to {', '.join(freshness.criteria)} at full or partial only",
        )
    elif period is not None:
        if period > min(today, service.reviewed_on):
            yield problem(loc, f"{period} is after the review date")
        elif entry.level == "full" and report_is_stale(period, service.reviewed_on, methodology):
            yield problem(
                ("criteria", cid, "level"),
                f"the latest report ended {period}, more than {freshness.max_age_months} "
                f"months before the review: it counts at most {freshness.cap_level}",
            )


def _check_source(
    service: ServiceFile,
    loc: tuple[str | int, ...],
    source: SourceRef,
    today: dt.date,
    problem: _Report,
) -> Iterator[FixtureProblem]:
    on_company_site = service.is_official(source.url)
    if source.kind == "official" and not on_company_site:
        yield problem(
            (*loc, "kind"),
            "official sources lie on the service's domains or publishers; add the company's "
            "site to `publishers` or mark the source independent",
        )
    elif source.kind == "independent" and on_company_site:
        yield problem((*loc, "kind"), "a page on the company's own site is an official source")
    language = url_language(source.url)
    if language is not None and source.language != language:
        yield problem(
            (*loc, "url"),
            f"the URL asks for the {language!r} version: cite the English page, or say "
            f"`language: {language}` when there is none",
        )
    if source.retrieved_on > today:
        yield problem((*loc, "retrieved_on"), "retrieved_on is in the future")


def _check_domains(
    services: dict[str, ServiceFile],
    located: dict[str, tuple[str, Lines]],
) -> Iterable[FixtureProblem]:
    """One domain belongs to one service; a domain under another service's domain is
    allowed only when its file declares that service in ``inside``. The extension's
    validator (extension/src/lib/bundle.js) applies the same rule to the bundle."""
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
    for slug, service in sorted(services.items()):
        display, lines = located[slug]
        used: set[str] = set()
        for index, domain in enumerate(service.domains):
            for parent in _parents(domain):
                other = owner.get(parent)
                if other is None or other == slug:
                    continue
                used.add(other)
                if other not in service.inside:
                    yield FixtureProblem(
                        display,
                        _line_for(lines, ("domains", index)),
                        f"domains.{index}",
                        f"{domain!r} lies under {parent!r}, a domain of {other!r}: declare "
                        f"`inside: [{other}]` if this service really is a part of that site",
                    )
        for index, declared in enumerate(service.inside):
            if declared not in used:
                reason = (
                    "no such service"
                    if declared not in services
                    else "none of this service's domains lies under its domains"
                )
                yield FixtureProblem(
                    display,
                    _line_for(lines, ("inside", index)),
                    f"inside.{index}",
                    f"{declared!r}: {reason}",
                )


def _parents(domain: str) -> Iterator[str]:
    """Every proper parent of ``domain`` on label boundaries: a.b.c -> b.c, c."""
    labels = domain.split(".")
    for start in range(1, len(labels)):
        yield ".".join(labels[start:])
