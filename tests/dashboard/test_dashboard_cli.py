"""``innercircle dashboard link`` and ``report … --csv`` as a user runs them."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from bot.__main__ import app
from bot.dashboard import access
from bot.store import Store
from tests.dashboard.community import DISCORD, build, utc_now

runner = CliRunner()


def database(tmp_path: Path) -> str:
    path = str(tmp_path / "cli.sqlite")

    async def make() -> None:
        store = await Store.open(path)
        try:
            await build(store, utc_now(), demo=False)
        finally:
            await store.close()

    asyncio.run(make())
    return path


def test_link_prints_a_signed_url_last(tmp_path: Path) -> None:
    db = database(tmp_path)
    result = runner.invoke(app, ["dashboard", "link", "--db", db, "--ttl", "30m"])
    assert result.exit_code == 0, result.output
    url = result.stdout.strip().splitlines()[-1]
    assert url.startswith(f"http://127.0.0.1:8080/c/discord/{DISCORD.community}/?key=")

    async def key() -> bytes:
        store = await Store.open(db)
        try:
            return await store.dashboard_key()
        finally:
            await store.close()

    grant = access.verify(asyncio.run(key()), url.split("key=")[1], "link", 0)
    assert grant.scope == DISCORD
    assert 29 * 60 < grant.expires_at - utc_now().timestamp() <= 30 * 60


def test_link_refuses_a_bad_ttl_and_an_unknown_community(tmp_path: Path) -> None:
    db = database(tmp_path)
    result = runner.invoke(app, ["dashboard", "link", "--db", db, "--ttl", "soon"])
    assert result.exit_code == 2 and "not a duration" in result.output
    result = runner.invoke(app, ["dashboard", "link", "--db", db, "--community", "nope"])
    assert result.exit_code == 2 and "no community 'nope'" in result.output
    assert "Traceback" not in result.output


def test_report_csv_has_the_pages_tables_with_formulas_neutralised(tmp_path: Path) -> None:
    db = database(tmp_path)
    result = runner.invoke(app, ["report", "helpers", "--csv", "--db", db])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:3] == ["#", "Member", "Score"] and rows[0][-1] == "Staff"
    members = {row[1]: row for row in rows[1:]}
    assert "'=evil" in members and "=evil" not in members
    assert members["gone (left)"][-1] == "false" and members["mod"][-1] == "true"
    assert not any(name.startswith("anon-") for name in members)

    result = runner.invoke(app, ["report", "channels", "--csv", "--db", db])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["Channel", "Questions", "Answered", "Share answered",
                       "Answered by peers", "Median first response", "Unanswered"]
    assert {row[0]: int(row[1]) for row in rows[1:]} == {"#help": 6, "#general": 2}

    result = runner.invoke(app, ["report", "unanswered", "--csv", "--db", db,
                                 "--since", "2000-01-01"])
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) == 2 and rows[1][2] == "#help"
    assert rows[1][5].startswith(f"https://discord.com/channels/{DISCORD.community}/")


def test_report_newcomers_and_credits_as_json(tmp_path: Path) -> None:
    db = database(tmp_path)
    result = runner.invoke(app, ["report", "newcomers", "--json", "--db", db])
    assert result.exit_code == 0, result.output
    nina = next(r for r in json.loads(result.stdout) if r["Member"] == "nina")
    assert (nina["Questions"], nina["Answered"], nina["By a peer"]) == (1, 1, True)
    result = runner.invoke(app, ["report", "credits", "--member", "ada", "--csv", "--db", db])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [row[3] for row in rows[1:]] == ["reply", "reply"]
    result = runner.invoke(app, ["report", "health", "--json", "--csv", "--db", db])
    assert result.exit_code == 2 and "choose one" in result.output


def test_demo_ends_with_the_dashboard_link_for_its_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--weeks", "2", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[-1].startswith("http://127.0.0.1:8080/c/demo/demo/?key=")
    served = tmp_path / "demo" / "demo.sqlite"
    assert lines[-3].strip() == f"innercircle dashboard serve --db {served}"
