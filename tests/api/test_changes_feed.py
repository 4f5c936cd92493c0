"""The change feed: /v1/changes and the Atom feeds.

The feeds must validate as Atom 1.0 (RFC 4287: ids, dates and links, checked here one by
one, and by feedparser), and a fixture change loaded with ``candor fixtures load`` must
reach /v1/changes and the feeds of a running ``candor serve`` within one poll, on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import feedparser
import httpx
import pytest
import yaml

from tests.conftest import BACKENDS, FIXTURES, copy_real_fixtures, edit_service, set_level
from tests.faults.dbstate import load
from tests.process import postgres_database, serving

A = "{http://www.w3.org/2005/Atom}"
POLL_SECONDS = 2.0
# One poll, plus the time to rebuild the changed services and answer.
ONE_POLL = POLL_SECONDS + 3.0


def rfc3339(text: str) -> dt.datetime:
    # RFC 3339 date-time: a full date, a time, and Z or an offset (Atom section 3.3).
    assert len(text) >= 20 and text[10] == "T" and (text.endswith("Z") or text[-6] in "+-"), text
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.tzinfo is not None
    return moment


def check_atom(body: bytes, base: str) -> ET.Element:
    """Every MUST of RFC 4287 that a feed of ours can break, then feedparser's verdict."""
    root = ET.fromstring(body)
    assert root.tag == f"{A}feed"

    def one(parent: ET.Element, name: str) -> ET.Element:
        found = parent.findall(f"{A}{name}")
        assert len(found) == 1, (name, len(found))
        return found[0]

    assert (one(root, "id").text or "").startswith("urn:uuid:")
    assert one(root, "title").text
    rfc3339(one(root, "updated").text or "")
    assert one(one(root, "author"), "name").text
    links = {link.get("rel"): link for link in root.findall(f"{A}link")}
    assert links["self"].get("href", "").startswith(base)
    assert links["self"].get("type") == "application/atom+xml"
    assert links["alternate"].get("href", "").startswith(base)
    ids = []
    for entry in root.findall(f"{A}entry"):
        ids.append(one(entry, "id").text or "")
        assert ids[-1].startswith("urn:uuid:")
        assert one(entry, "title").text
        updated = rfc3339(one(entry, "updated").text or "")
        assert updated <= rfc3339(one(root, "updated").text or "")
        alternate = [x for x in entry.findall(f"{A}link") if x.get("rel") == "alternate"]
        assert len(alternate) == 1 and alternate[0].get("href", "").startswith(base)
        assert one(entry, "summary").text
    assert len(ids) == len(set(ids)), "entry ids must be unique"
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [e.id for e in parsed.entries] == ids
    return root


def entry_ids(root: ET.Element) -> list[str]:
    return [e.findtext(f"{A}id") or "" for e in root.findall(f"{A}entry")]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path}/candor.sqlite3"
    else:
        with postgres_database() as url:
            yield url


def _changes(base: str, **params: Any) -> dict[str, Any]:
    answer = httpx.get(f"{base}/v1/changes", params=params, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_load_reaches_the_changes_and_the_feeds_within_one_poll(
    database_url: str, tmp_path: Path
) -> None:
    changed = copy_real_fixtures(tmp_path / "changed")
    old_level = yaml.safe_load((FIXTURES / "services" / "zoom.yaml").read_text())["criteria"][
        "e2ee_calls"
    ]["level"]
    new_level = "full" if old_level != "full" else "partial"
    edit_service(changed, "zoom", lambda d: set_level(d["criteria"]["e2ee_calls"], new_level))

    env = {"CANDOR_POLL_SECONDS": str(POLL_SECONDS)}
    with serving(database_url, tmp_path, extra_env=env) as (base, _):
        first = _changes(base, per_page=100)
        assert first["total"] == len(list((FIXTURES / "services").glob("*.yaml")))
        assert {item["cause"] for item in first["items"]} == {"added"}
        feed_before = httpx.get(f"{base}/changes.atom", timeout=5)
        root_before = check_atom(feed_before.content, base)
        zoom_before = check_atom(httpx.get(f"{base}/services/zoom/changes.atom").content, base)
        version = first["dataset_version"]

        result = load(database_url, changed)
        assert result.returncode == 0, result.stderr
        loaded = time.monotonic()
        seen = None
        while time.monotonic() - loaded < ONE_POLL:
            answer = _changes(base, since=version)
            if answer["total"]:
                seen = answer
                break
            time.sleep(0.1)
        assert seen is not None, f"the load was not in /v1/changes within {ONE_POLL} s"
        elapsed = time.monotonic() - loaded
        print(f"new changes served {elapsed:.2f} s after the load (poll every {POLL_SECONDS} s)")

        criterion = [i for i in seen["items"] if i["kind"] == "criterion"]
        assert [(i["slug"], i["criterion"]) for i in criterion] == [("zoom", "e2ee_calls")]
        item = criterion[0]
        assert (item["before"]["level"], item["after"]["level"]) == (old_level, new_level)
        assert item["cause"] == "evidence" and "new evidence" in item["reason"]
        assert item["criterion_name"] == "End-to-end encryption of calls"
        assert item["methodology"] == {"before": 2, "after": 2}
        assert item["links"]["html"] == "/services/zoom"
        assert seen["dataset_version"] != version
        grade = [i for i in seen["items"] if i["kind"] == "grade"]
        assert [i["slug"] for i in grade] == ["zoom"]  # the score moved with the level
        assert grade[0]["before"]["score"] != grade[0]["after"]["score"]
        # Newest first, and the whole history is still there.
        everything = _changes(base, per_page=100)
        assert everything["total"] == first["total"] + len(seen["items"])
        assert everything["items"][0]["id"] in {i["id"] for i in seen["items"]}

        root = check_atom(httpx.get(f"{base}/changes.atom").content, base)
        ids = entry_ids(root)
        new_ids = [i["id"] for i in seen["items"]]
        assert ids[: len(new_ids)] == new_ids  # the same ids as the JSON, newest first
        # Stable ids: the entries of before are still there, under the same ids.
        assert ids[len(new_ids) :] == entry_ids(root_before)[: len(ids) - len(new_ids)]
        zoom = check_atom(httpx.get(f"{base}/services/zoom/changes.atom").content, base)
        assert entry_ids(zoom) == [*new_ids, *entry_ids(zoom_before)]
        titles = [e.findtext(f"{A}title") for e in zoom.findall(f"{A}entry")]
        assert any("End-to-end encryption of calls" in (t or "") for t in titles)

        # since= a date and a bad value.
        today = dt.datetime.now(dt.UTC).date().isoformat()
        assert _changes(base, since=today)["total"] == everything["total"]
        bad = httpx.get(f"{base}/v1/changes", params={"since": "last week"})
        assert bad.status_code == 400
        assert bad.headers["content-type"] == "application/problem+json"
        unknown = httpx.get(f"{base}/v1/changes", params={"since": "0" * 16})
        assert unknown.status_code == 400 and "not a dataset version" in unknown.json()["detail"]


async def test_the_feed_is_cacheable_and_linked_from_the_pages(
    client: httpx.AsyncClient,
) -> None:
    feed = await client.get("/changes.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"] == "application/atom+xml; charset=utf-8"
    check_atom(feed.content, "http://testserver")
    again = await client.get("/changes.atom", headers={"If-None-Match": feed.headers["etag"]})
    assert again.status_code == 304
    missing = await client.get("/services/no-such/changes.atom")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    for path, feeds in (
        ("/", ["/changes.atom"]),
        ("/changes", ["/changes.atom"]),
        ("/services/zoom", ["/services/zoom/changes.atom", "/changes.atom"]),
    ):
        page = await client.get(path)
        root = page.text
        for href in feeds:
            assert (
                '<link rel="alternate" type="application/atom+xml" title="' in root
                and f'href="{href}"' in root
            ), (path, href)
        # Every alternate link leads to a feed that parses.
        for href in feeds:
            body = (await client.get(href)).content
            assert feedparser.parse(body).version == "atom10"


async def test_changes_json_pages_and_filters(client: httpx.AsyncClient) -> None:
    first = (await client.get("/v1/changes", params={"per_page": 10})).json()
    assert first["per_page"] == 10 and len(first["items"]) == 10
    assert first["next"] and first["prev"] is None
    second = (await client.get(first["next"])).json()
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])
    stamps = [i["changed_at"] for i in first["items"] + second["items"]]
    assert stamps == sorted(stamps, reverse=True)
    zoom = (await client.get("/v1/changes", params={"service": "zoom"})).json()
    assert {i["slug"] for i in zoom["items"]} == {"zoom"} and zoom["total"] == 1
    assert zoom["feed"] == "/services/zoom/changes.atom"
    for bad in ({"per_page": "0"}, {"page": "x"}, {"since": "x" * 65}, {"service": ""}):
        answer = await client.get("/v1/changes", params=bad)
        assert answer.status_code == 400, bad
    page = await client.get("/changes", params={"service": "zoom"})
    assert page.status_code == 200 and "Rating changes of Zoom" in page.text
    assert (await client.get("/changes", params={"page": "0"})).status_code == 400
