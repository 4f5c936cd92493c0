"""Host and URL matching: which rated service a host or URL belongs to, and whether
the URL is a meeting link.

The extension implements the very same rules in JavaScript; both run the shared vectors
in ``tests/vectors/urls.json``. Input is hostile by default: everything is bounded in
length before any work is done, and meeting templates compile to regular expressions
without nested quantifiers, so no input can make matching slow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote

from ada_url import URL as WhatwgURL

MAX_URL_LENGTH = 2048
MAX_HOST_LENGTH = 253
MAX_LABEL_LENGTH = 63


class InvalidInput(ValueError):
    """The input is not a valid host or http(s) URL. The message says why."""


# Characters both matchers refuse outright: control characters, whitespace and the
# backslash. Browsers silently strip or reinterpret them (``https://evil.com\@zoom.us``
# goes to evil.com), and refusing them is simpler than mimicking every quirk.
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_ASCII_LABEL = re.compile(r"^[a-z0-9_-]{1,63}$")
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")


def normalise_host(raw: str) -> str:
    """The canonical form of a host: lowercase A-labels, no trailing dot, no port.

    Raises ``InvalidInput`` for IP literals, ``localhost``, empty or over-long hosts and
    labels, and anything that is not a domain name.
    """
    if len(raw) > MAX_URL_LENGTH or _FORBIDDEN.search(raw):
        raise InvalidInput("host contains forbidden characters or is too long")
    if raw.startswith("["):
        raise InvalidInput("IP literals are not rated")
    host = _unescape(_without_port(raw)).removesuffix(".")
    if not host:
        raise InvalidInput("empty host")
    host = host.lower() if host.isascii() else _to_ascii(host)
    _check_labels(host)
    return host


def _without_port(host: str) -> str:
    if ":" in host:
        host, _, port = host.rpartition(":")
        _check_port(port)
    return host


def _unescape(host: str) -> str:
    """Percent-escapes decoded; what they decode to is held to the same rules."""
    if "%" not in host:
        return host
    try:
        host = unquote(host, errors="strict")
    except UnicodeDecodeError:
        raise InvalidInput("host has invalid percent-encoding") from None
    if _FORBIDDEN.search(host):
        raise InvalidInput("host contains forbidden characters")
    return host


def _check_labels(host: str) -> None:
    if len(host) > MAX_HOST_LENGTH:
        raise InvalidInput("host is longer than 253 characters")
    labels = host.split(".")
    for label in labels:
        if not _ASCII_LABEL.match(label):
            raise InvalidInput(f"invalid host label {label[:70]!r}")
    if _NUMERIC_LABEL.match(labels[-1]):
        # A numeric last label makes WHATWG parsers read the host as an IPv4 address.
        raise InvalidInput("IP addresses are not rated")
    if labels[-1] == "localhost":
        raise InvalidInput("localhost is not rated")


# Characters that would end or change the host inside ``http://<host>/``: a label with
# them cannot be handed to the URL parser, and none of them survives the label check.
_URL_DELIMITERS = re.compile(r"[/?#@:\[\]%]")


def _to_ascii(host: str) -> str:
    """IDNA to A-labels by the WHATWG URL standard's host parser (UTS #46 with its
    CheckBidi, CheckJoiners and Punycode rules), which is what browsers, and so the
    extension, apply to the same host: one algorithm on both sides, not two
    approximations of it."""
    if _URL_DELIMITERS.search(host):
        raise InvalidInput("host is not a valid domain name")
    try:
        ascii_host = WhatwgURL(f"http://{host}/").hostname
    except ValueError:
        raise InvalidInput("host is not a valid internationalised name") from None
    # Number-like hosts parse as IPv4, bracketed ones as IPv6: both are IP literals. An
    # empty result means the name mapped to nothing.
    if not ascii_host or ascii_host.startswith("["):
        raise InvalidInput("host is not a valid domain name")
    return ascii_host.lower()


def _check_port(port: str) -> None:
    if port and (not (port.isascii() and port.isdigit()) or len(port) > 5 or int(port) > 65535):
        raise InvalidInput("invalid port")


@dataclass(frozen=True, slots=True)
class ParsedURL:
    """The parts of an http(s) URL that matching looks at."""

    url: str
    host: str
    path: str
    query: tuple[tuple[str, str], ...]


def parse_url(raw: str) -> ParsedURL:
    """Split an absolute http(s) URL, normalising its host and path."""
    if len(raw) > MAX_URL_LENGTH:
        raise InvalidInput("URL is longer than 2048 characters")
    if _FORBIDDEN.search(raw):
        raise InvalidInput("URL contains whitespace, control characters or a backslash")
    scheme_match = _SCHEME.match(raw)
    if not scheme_match or scheme_match.group(1).lower() not in ("http", "https"):
        raise InvalidInput("not an absolute http(s) URL")
    rest = raw[scheme_match.end() :]
    if rest.startswith("/"):
        raise InvalidInput("URL has no host")
    rest = rest.split("#", 1)[0]
    end = len(rest)
    for stop in ("/", "?"):
        index = rest.find(stop)
        if index != -1:
            end = min(end, index)
    authority, tail = rest[:end], rest[end:]
    host = normalise_host(authority.rpartition("@")[2])
    path, _, query = tail.partition("?")
    return ParsedURL(
        url=raw,
        host=host,
        path=_normalise_path(path),
        query=tuple(parse_qsl(query, keep_blank_values=True)),
    )


def _normalise_path(path: str) -> str:
    """Resolve dot segments and percent-encode non-ASCII, as a browser's URL parser does."""
    if not path:
        return "/"
    if not path.isascii():
        path = quote(path, safe="/%!$&'()*+,;=:@-._~")
    output: list[str] = []
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        lowered = segment.lower()
        if lowered in (".", "%2e"):
            if last:
                output.append("")
        elif lowered in ("..", ".%2e", "%2e.", "%2e%2e"):
            if output:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/" + "/".join(output)


# Meeting templates --------------------------------------------------------------------

_CLASSES = {"d": "[0-9]", "a": "[a-z]", "w": "[a-z0-9_.~-]", "x": "[^/]"}
_PLACEHOLDER = re.compile(r"\{([dawx])(?:(\d{1,3})(?:-(\d{1,3}))?)?\}")
_LITERAL = re.compile(r"^[a-z0-9_.~!$&'()*+,;=:@%-]*$")


class InvalidPattern(ValueError):
    """A meeting template that does not follow the grammar in docs/fixture-format.md."""


@dataclass(frozen=True, slots=True)
class MeetingPattern:
    """A compiled meeting-link template of one service."""

    path: str
    host: str | None = None
    query: tuple[str, ...] = ()
    _segments: tuple[re.Pattern[str] | None, ...] = field(default=(), repr=False, compare=False)
    _rest: bool = field(default=False, repr=False, compare=False)

    @classmethod
    def compile(
        cls, path: str, host: str | None = None, query: Iterable[str] = ()
    ) -> MeetingPattern:
        if not path.startswith("/") or len(path) > 512:
            raise InvalidPattern("a path template starts with '/' and is at most 512 characters")
        parts = path.split("/")[1:]
        if parts and parts[-1] == "":
            parts.pop()
        rest = bool(parts) and parts[-1] == "**"
        if rest:
            parts.pop()
        compiled: list[re.Pattern[str] | None] = []
        for part in parts:
            if part == "*":
                compiled.append(None)
            else:
                compiled.append(re.compile(_segment_regex(part)))
        if host is not None:
            bare = host[2:] if host.startswith("*.") else host
            if normalise_host(bare) != bare:
                raise InvalidPattern(f"host {host!r} is not a lowercase A-label host")
        return cls(path, host, tuple(query), tuple(compiled), rest)

    def matches(self, url: ParsedURL) -> bool:
        if self.host is not None and not _host_matches(url.host, self.host):
            return False
        segments = url.path.lower().split("/")[1:]
        if segments and segments[-1] == "":
            segments.pop()
        wanted = len(self._segments)
        if len(segments) < wanted or (not self._rest and len(segments) != wanted):
            return False
        for regex, segment in zip(self._segments, segments, strict=False):
            if not segment or (regex is not None and not regex.fullmatch(segment)):
                return False
        if self.query:
            present = {name for name, value in url.query if value}
            if not all(name in present for name in self.query):
                return False
        return True


def _segment_regex(part: str) -> str:
    if part == "**" or not part:
        raise InvalidPattern("'**' may only end a template, and segments may not be empty")
    pieces: list[str] = []
    position = 0
    for placeholder in _PLACEHOLDER.finditer(part):
        pieces.append(_literal(part[position : placeholder.start()]))
        kind, low, high = placeholder.groups()
        if low is None:
            quantifier = "+"
        elif high is None:
            quantifier = f"{{{int(low)}}}"
        else:
            if int(high) < int(low):
                raise InvalidPattern(f"bad count in {placeholder.group(0)!r}")
            quantifier = f"{{{int(low)},{int(high)}}}"
        if quantifier != "+" and int(low) == 0:
            raise InvalidPattern(f"a count must be at least 1 in {placeholder.group(0)!r}")
        pieces.append(_CLASSES[kind] + quantifier)
        position = placeholder.end()
    pieces.append(_literal(part[position:]))
    return "".join(pieces)


def _literal(text: str) -> str:
    if not _LITERAL.match(text):
        raise InvalidPattern(f"invalid literal {text!r}: lowercase, no braces or '*'")
    return re.escape(text)


def _host_matches(host: str, rule: str) -> bool:
    if rule.startswith("*."):
        base = rule[2:]
        return host == base or host.endswith("." + base)
    return host == rule


# Domain index ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    """What a URL or host is: the rated service's slug (or None) and whether it is a meeting."""

    host: str
    service: str | None
    meeting: bool


class Matcher:
    """Maps hosts to services by their most specific listed domain.

    Built once per dataset version; a lookup walks the host's suffixes, so its cost
    depends on the number of labels, not on the number of services.
    """

    def __init__(
        self,
        domains: Mapping[str, Iterable[str]],
        patterns: Mapping[str, Sequence[MeetingPattern]],
    ) -> None:
        self._owner: dict[str, str] = {}
        for slug, names in domains.items():
            for name in names:
                self._owner[name] = slug
        self._patterns = {slug: tuple(items) for slug, items in patterns.items()}

    def service_for_host(self, host: str) -> str | None:
        """The slug owning ``host`` (already normalised), or None."""
        candidate = host
        while True:
            slug = self._owner.get(candidate)
            if slug is not None:
                return slug
            dot = candidate.find(".")
            if dot == -1:
                return None
            candidate = candidate[dot + 1 :]

    def match_host(self, raw: str) -> Match:
        host = normalise_host(raw)
        return Match(host, self.service_for_host(host), False)

    def match_url(self, raw: str) -> Match:
        url = parse_url(raw)
        slug = self.service_for_host(url.host)
        meeting = slug is not None and any(p.matches(url) for p in self._patterns.get(slug, ()))
        return Match(url.host, slug, meeting)
