from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ratings.dataset import dataset_from_fixtures
from ratings.fixtures import read_fixtures
from ratings.hostprefix import InvalidPrefix, PrefixIndex, host_digest, parse_prefix
from tests.conftest import FIXTURES


def test_digest_is_sha256_of_the_normal_form() -> None:
    assert host_digest("zoom.us") == hashlib.sha256(b"zoom.us").hexdigest()
    assert host_digest("zoom.us").startswith("caf3a")


@pytest.mark.parametrize("raw", ["caf3a", "CAF3A", "CaF3a", "00000", "fffff"])
def test_prefixes_of_either_case_are_accepted_and_lowered(raw: str) -> None:
    assert parse_prefix(raw) == raw.lower()


@pytest.mark.parametrize("raw", ["", "caf3", "caf3a7", "caf3g", " caf3", "caf3a\n", "٣٣٣٣٣"])
def test_anything_else_is_refused(raw: str) -> None:
    with pytest.raises(InvalidPrefix):
        parse_prefix(raw)


def test_index_groups_domains_by_prefix_sorted_by_digest() -> None:
    index = PrefixIndex({"a": ["one.example", "two.example"], "b": ["three.example"]})
    assert len(index) == 3
    for slug, name in (("a", "one.example"), ("a", "two.example"), ("b", "three.example")):
        found = index.lookup(host_digest(name)[:5])
        assert [(d.sha256, d.slug) for d in found if d.sha256 == host_digest(name)] == [
            (host_digest(name), slug)
        ]
    assert index.lookup("zzzzz") == ()


def test_colliding_prefixes_share_one_answer() -> None:
    # Among these 2,000 names some share a 5-digit prefix: the index keeps them all
    # under it, ordered by digest.
    names = [f"host{n}.example" for n in range(2000)]
    by_prefix: dict[str, list[str]] = {}
    for name in names:
        by_prefix.setdefault(host_digest(name)[:5], []).append(name)
    shared = [group for group in by_prefix.values() if len(group) > 1]
    assert shared
    index = PrefixIndex({"s": names})
    assert len(index) == len(names)
    for group in shared:
        found = index.lookup(host_digest(group[0])[:5])
        assert [d.sha256 for d in found] == sorted(host_digest(n) for n in group)


@given(st.lists(st.from_regex(r"[a-z0-9]{1,10}\.[a-z]{2,5}", fullmatch=True), max_size=30))
def test_lookup_returns_exactly_the_domains_with_that_prefix(names: list[str]) -> None:
    index = PrefixIndex({"s": names})
    for name in names:
        prefix = host_digest(name)[:5]
        found = {d.sha256 for d in index.lookup(prefix)}
        assert found == {host_digest(n) for n in names if host_digest(n).startswith(prefix)}


def test_the_real_dataset_indexes_every_domain() -> None:
    dataset = dataset_from_fixtures(read_fixtures(FIXTURES))
    index = PrefixIndex({slug: rating.domains for slug, rating in dataset.ratings.items()})
    domains = {d: r.slug for r in dataset.ratings.values() for d in r.domains}
    assert len(index) == len(domains)
    for domain, slug in domains.items():
        digest = host_digest(domain)
        assert [d.slug for d in index.lookup(digest[:5]) if d.sha256 == digest] == [slug]
