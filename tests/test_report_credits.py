"""``innercircle report credits``: a member's credited answers, each explained (question and
excerpt while retained, answer, route, confidence, acknowledged), with DESIGN.md's naming
rules: askers who opted out are never named."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from bot import reports
from bot.__main__ import app
from bot.engine import Engine
from bot.period import Period
from bot.scope import Scope
from bot.store import Store
from tests.chat import START, Chat

runner = CliRunner()
SCOPE = Scope("other", "c1")
WEEK = ["--since", "2026-11-01", "--until", "2026-11-08"]


def conversation(start: datetime = START) -> tuple[Chat, dict[str, str]]:
    chat = Chat(start=start)
    ids = {
        "q1": chat.msg("ann", "How do I reset my password?", author_name="Ann"),
        "q2": chat.msg("cat", "Where is the export button for boards?", author_name="Cat",
                       channel="help"),
    }
    ids["a1"] = chat.msg("bob", "Settings → Security → Reset, then check your mail",
                         reply_to=ids["q1"], author_name="Bob")
    chat.react("ann", ids["a1"])
    ids["a2"] = chat.msg("bob", "top right of the board, the ⋯ menu → Export", channel="help",
                         thread=ids["q2"], author_name="Bob")
    chat.msg("zed", "lol nice weather today", author_name="Zed")
    return chat, ids


def test_report_credits_lists_each_answer_with_its_route_and_confidence(tmp_path: Path
                                                                         ) -> None:
    # two days ago: the question excerpts are still retained
    chat, ids = conversation(datetime.now(UTC) - timedelta(days=2))
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e.to_json()) + "\n" for e in chat.take()))
    db = str(tmp_path / "db.sqlite")
    assert runner.invoke(app, ["replay", str(events), "--db", db]).exit_code == 0
    result = runner.invoke(app, ["report", "credits", "--member", "Bob", "--db", db,
                                 "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["member"] == "bob" and report["period"]["label"].endswith("(UTC)")
    listed = report["credits"]
    assert [(x["question"], x["answer"], x["route"]) for x in listed] == [
        (ids["q1"], ids["a1"], "reply"), (ids["q2"], ids["a2"], "thread")]
    assert [x["acknowledged"] for x in listed] == [True, False]
    assert all(0 < x["confidence"] <= 1 for x in listed)
    assert listed[0]["excerpt"] == "How do I reset my password?"
    assert listed[0]["asker"] == "ann" and listed[0]["asker_name"] == "Ann"
    table = runner.invoke(app, ["report", "credits", "--member", "bob", "--db", db])
    assert table.exit_code == 0 and "reply" in table.stdout and "thread" in table.stdout
    zed = runner.invoke(app, ["report", "credits", "--member", "zed", "--db", db, "--json"])
    old = runner.invoke(app, ["report", "credits", "--member", "bob", *WEEK, "--db", db,
                              "--json"])
    assert json.loads(old.stdout)["credits"] == []  # another period
    assert json.loads(zed.stdout)["credits"] == []  # small talk earns nothing


def test_report_credits_says_what_is_missing(tmp_path: Path) -> None:
    chat, _ = conversation()
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e.to_json()) + "\n" for e in chat.take()))
    db = str(tmp_path / "db.sqlite")
    runner.invoke(app, ["replay", str(events), "--db", db])
    missing = runner.invoke(app, ["report", "credits", "--db", db])
    assert missing.exit_code == 2 and "--member" in missing.stderr
    unknown = runner.invoke(app, ["report", "credits", "--member", "nobody", "--db", db])
    assert unknown.exit_code == 2 and "no member 'nobody'" in unknown.stderr
    assert "Traceback" not in unknown.output


async def test_askers_who_opted_out_are_never_named(store: Store) -> None:
    chat, ids = conversation()
    await Engine(store).ingest(chat.take())
    await store.opt_out(SCOPE, "ann", START.timestamp() + 3600)
    period = Period(START - timedelta(days=1), START + timedelta(days=1))
    listed = await reports.credits(store, SCOPE, "bob", period, staff_view=True, excerpts=True)
    assert len(listed) == 2
    first = next(x for x in listed if x.answer_id == ids["a1"])
    assert first.asker is None and first.asker_name is None
    assert "ann" not in json.dumps([x.to_json() for x in listed]).lower()
    hidden = await reports.credits(store, SCOPE, "bob", period, staff_view=False,
                                   excerpts=False)
    assert all(x.excerpt is None for x in hidden)
