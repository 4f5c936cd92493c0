"""The /suggest form: what readers send lands in the suggestion table, limited in size and
rate, refused from other sites, never rendered unescaped, and `candor suggestions list`
shows it to maintainers without letting it drive their terminal."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
from pathlib import Path

import httpx
from starlette.applications import Starlette
from tortoise.context import TortoiseContext

from ratings.models import Suggestion
from ratings.suggestions import for_terminal, list_suggestions
from tests.api.conftest import AppFactory, client_for
from tests.conftest import ROOT
from tests.process import CANDOR

FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
HOSTILE = "<script>alert(1)</script> \x1b[31mred\x1b[0m and an <img src=x onerror=alert(2)>"


async def test_a_report_lands_in_the_table_and_the_reader_is_thanked(
    client: httpx.AsyncClient,
) -> None:
    sent = await client.post(
        "/suggest",
        data={
            "service": "zoom",
            "criterion": "e2ee_calls",
            "message": "Zoom's help centre now says E2EE is on by default.",
            "reply_to": "reader@example.org",
        },
        headers={"Accept": "text/html", "Sec-Fetch-Site": "same-origin"},
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/suggest?sent=1&service=zoom"
    [row] = await Suggestion.all().values()
    assert (row["service"], row["criterion"], row["reply_to"]) == (
        "zoom",
        "e2ee_calls",
        "reader@example.org",
    )
    assert row["message"] == "Zoom's help centre now says E2EE is on by default."
    assert row["dataset_version"] == (await client.get("/readyz")).json()["dataset_version"]
    thanks = await client.get(sent.headers["location"])
    assert "Thank you" in thanks.text and 'href="/services/zoom"' in thanks.text
    assert thanks.headers["cache-control"] == "no-store"


async def test_an_unrated_host_can_be_suggested(client: httpx.AsyncClient) -> None:
    page = await client.get("/suggest", params={"host": "Meet.Example.ORG"})
    assert "Suggest meet.example.org for a rating" in page.text
    assert 'name="host" type="text" value="meet.example.org"' in page.text
    sent = await client.post(
        "/suggest",
        data={"host": "Meet.Example.ORG", "message": "A video-calling service used by schools."},
    )
    assert sent.status_code == 303
    assert await Suggestion.filter(host="meet.example.org").count() == 1


async def test_bad_input_comes_back_escaped_with_the_form_or_as_a_problem(
    client: httpx.AsyncClient,
) -> None:
    # Too short, with markup: the form comes back (422), the text escaped, nothing stored.
    again = await client.post(
        "/suggest", data={"service": "zoom", "message": "<b>short"}, headers=FORM
    )
    assert again.status_code == 422
    assert "&lt;b&gt;short" in again.text and "<b>short" not in again.text
    assert 'role="alert"' in again.text
    # Markup in a long enough message is stored as it is typed, and shown nowhere public.
    await client.post("/suggest", data={"message": HOSTILE.replace("\x1b", "")}, headers=FORM)
    # Control characters are refused (they could drive a maintainer's terminal).
    control = await client.post("/suggest", data={"message": HOSTILE}, headers=FORM)
    assert control.status_code == 422 and "<script>alert(1)" not in control.text
    assert "&lt;script&gt;" in control.text
    # A client that does not ask for HTML gets RFC 9457 problems.
    for data, status in (
        ({"service": "no-such-service", "message": "something is wrong here"}, 422),
        ({"service": "zoom", "criterion": "nope", "message": "something is wrong"}, 422),
        ({"criterion": "e2ee_calls", "message": "something is wrong here"}, 422),
        ({"host": "127.0.0.1", "message": "something is wrong here"}, 422),
        ({"message": "x" * 2001}, 422),
    ):
        answer = await client.post("/suggest", data=data)
        assert answer.status_code == status, (data, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    assert await Suggestion.all().count() == 1
    # Nothing sent ever shows on a public page.
    for path in ("/", "/services/zoom", "/changes"):
        assert "alert(1)" not in (await client.get(path)).text


async def test_size_type_and_origin_are_checked(client: httpx.AsyncClient) -> None:
    big = await client.post(
        "/suggest",
        content=b"message=" + b"a" * 9000,
        headers={"Content-Type": FORM["Content-Type"]},
    )
    assert big.status_code == 413
    as_json = await client.post("/suggest", json={"message": "something is wrong here"})
    assert as_json.status_code == 415
    cross = await client.post(
        "/suggest",
        data={"message": "something is wrong here"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    other_origin = await client.post(
        "/suggest",
        data={"message": "something is wrong here"},
        headers={"Origin": "https://attacker.example"},
    )
    assert other_origin.status_code == 403
    # Under the pages' no-referrer policy a browser's own form post says Origin: null.
    own = await client.post(
        "/suggest",
        data={"message": "something is wrong here"},
        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )
    assert own.status_code == 303
    assert await Suggestion.all().count() == 1


async def test_submissions_are_rate_limited_per_client_and_in_total(
    make_app: AppFactory,
) -> None:
    app: Starlette = await make_app(suggestions_per_hour=3, suggestions_per_hour_total=5)
    data = {"message": "a suggestion that is long enough"}
    async with client_for(app, ("198.51.100.1", 1)) as one:
        codes = [(await one.post("/suggest", data=data)).status_code for _ in range(4)]
        assert codes == [303, 303, 303, 429]
        limited = await one.post("/suggest", data=data)
        assert int(limited.headers["retry-after"]) > 0
    async with client_for(app, ("198.51.100.2", 1)) as two:
        codes = [(await two.post("/suggest", data=data)).status_code for _ in range(3)]
        assert codes == [303, 303, 429]  # the ceiling for everyone: 5 an hour
    assert await Suggestion.all().count() == 5


async def test_listed_suggestions_have_control_characters_neutralised(
    db: TortoiseContext,
) -> None:
    await Suggestion.create(
        created_at=dt.datetime.now(dt.UTC),
        service="zoom",
        criterion="e2ee_calls",
        message="first line\nsecond \x1b]0;owned\x07 line \u202eevil",
        reply_to=None,
    )
    rows = await list_suggestions()
    assert len(rows) == 1
    shown = for_terminal(rows[0].message)
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert "\\u001b" in shown and "\\u202e" in shown and "first line\nsecond" in shown


def test_candor_suggestions_list_runs_against_a_database(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/s.sqlite3"
    env = {"CANDOR_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    empty = subprocess.run(
        [CANDOR, "suggestions", "list"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert empty.returncode == 0, empty.stderr
    assert empty.stdout.strip() == "no suggestions"
    connection = sqlite3.connect(f"{tmp_path}/s.sqlite3")
    connection.execute(
        "INSERT INTO suggestion (created_at, service, criterion, host, message, reply_to) "
        "VALUES ('2026-11-30 10:00:00+00:00', 'zoom', 'e2ee_calls', NULL, ?, ?)",
        ("It is on by default now \x1b[2J", "r@example.org"),
    )
    connection.commit()
    connection.close()
    listed = subprocess.run(
        [CANDOR, "suggestions", "list"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    assert "zoom / e2ee_calls" in listed.stdout and "reply to: r@example.org" in listed.stdout
    assert "\x1b" not in listed.stdout and "\\u001b[2J" in listed.stdout
    as_json = subprocess.run(
        [CANDOR, "suggestions", "list", "--json"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert '"criterion": "e2ee_calls"' in as_json.stdout
    bad = subprocess.run(
        [CANDOR, "suggestions", "list", "--since", "soon"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--since" in bad.stderr
