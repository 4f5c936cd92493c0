"""The private lookup's index: rated domains by the first hex digits of their SHA-256.

A client that must not tell Candor which host it is checking hashes the host and each of
its parent domains, asks for every candidate whose hash shares a short prefix, and
compares full hashes locally (the range-query scheme of Have I Been Pwned's password
API). The server sees only prefixes; a prefix of 20 bits is shared by a vast number of
possible host names. docs/private-lookup.md describes the scheme for clients.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PREFIX_LENGTH = 5
_PREFIX = re.compile(r"[0-9a-fA-F]{5}")


class InvalidPrefix(ValueError):
    """Not five hexadecimal digits."""


def host_digest(host: str) -> str:
    """The lowercase hex SHA-256 of a host name already in the API's normal form
    (``ratings.matching.normalise_host``: lowercase A-labels, no trailing dot)."""
    return hashlib.sha256(host.encode("ascii")).hexdigest()


def parse_prefix(raw: str) -> str:
    """The prefix as the index keys it (lowercase); either case is accepted."""
    if not _PREFIX.fullmatch(raw):
        raise InvalidPrefix(f"a prefix is {PREFIX_LENGTH} hexadecimal digits, e.g. caf3a")
    return raw.lower()


@dataclass(frozen=True, slots=True)
class HashedDomain:
    sha256: str
    slug: str


class PrefixIndex:
    """Every rated domain's digest, grouped by prefix. Built once per dataset; only the
    prefixes that hold a domain are stored, so its size follows the dataset, not the
    16**5 possible prefixes."""

    def __init__(self, domains: Mapping[str, Iterable[str]]) -> None:
        groups: defaultdict[str, list[HashedDomain]] = defaultdict(list)
        for slug, names in domains.items():
            for name in names:
                digest = host_digest(name)
                groups[digest[:PREFIX_LENGTH]].append(HashedDomain(digest, slug))
        # Sorted by digest: the answer for a prefix is the same bytes whatever the order
        # the services were loaded in.
        self._groups = {
            prefix: tuple(sorted(entries, key=lambda e: e.sha256))
            for prefix, entries in groups.items()
        }

    def lookup(self, prefix: str) -> tuple[HashedDomain, ...]:
        """The domains whose digest starts with ``prefix`` (from ``parse_prefix``)."""
        return self._groups.get(prefix, ())

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._groups.values())
