"""Privacy holds on disk: deleted text is overwritten in SQLite's file (secure_delete), expired
excerpts go whenever a command opens the database, and the undelivered-events file keeps no
text longer than the database would, nor a forgotten member's events."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from bot.__main__ import app
from bot.app import build_runtime
from bot.config import EngineSettings, Settings
from bot.engine import Engine
from bot.scope import Scope
from bot.store import Store
from bot.store.schema import excerpts
from bot.undelivered import scrub
from tests.chat import Chat

SECRET = "zebra-quartz-invoice-4711"


async def test_deleted_text_is_not_left_in_the_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    store = await Store.open(str(path))
    chat = Chat(start=datetime.now(UTC) - timedelta(hours=1))
    chat.msg("ann", f"Why does {SECRET} fail to sync?")
    await Engine(store).ingest(chat.take())
    async with store.engine.connect() as conn:
        assert SECRET in (await conn.execute(select(excerpts.c.text))).scalar_one()
    assert await store.purge_expired_excerpts(time.time() + 10**7) == 1
    await store.close()  # the last connection checkpoints the WAL into the file
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("db."))
    assert SECRET.encode() not in data


async def test_expired_excerpts_go_when_any_command_opens_the_database(tmp_path: Path) -> None:
    url = str(tmp_path / "db.sqlite")
    store = await Store.open(url)
    chat = Chat(start=datetime.now(UTC) - timedelta(days=30))  # past the 216 h retention
    chat.msg("ann", "How do I rotate the key?")
    await Engine(store).ingest(chat.take())  # (no clock: the excerpt is written)
    async with store.engine.connect() as conn:
        assert len((await conn.execute(select(excerpts.c.text))).all()) == 1
    await store.close()
    store = await Store.open(url)  # what report, replay, demo, run… open it with
    try:
        async with store.engine.connect() as conn:
            assert (await conn.execute(select(excerpts.c.text))).all() == []
    finally:
        await store.close()


def undelivered_lines(chat: Chat, path: Path) -> None:
    path.write_text("".join(json.dumps(e.to_json()) + "\n" for e in chat.take()),
                    encoding="utf-8")


def test_old_text_is_dropped_and_the_event_still_counts(tmp_path: Path) -> None:
    kept = tmp_path / "undelivered.jsonl"
    chat = Chat(start=datetime.now(UTC) - timedelta(days=20))
    q = chat.msg("ann", f"Where is {SECRET} documented?")
    chat.msg("bob", "In the admin guide", reply_to=q)
    chat.now = datetime.now(UTC) - timedelta(hours=1)
    chat.msg("carl", "Is the recent API stable?")
    undelivered_lines(chat, kept)
    dropped, removed = scrub(kept, now=time.time(), retention_s=216 * 3600)
    assert (dropped, removed) == (2, 0)
    text = kept.read_text(encoding="utf-8")
    assert SECRET not in text and "recent API" in text
    db = str(tmp_path / "db.sqlite")
    result = CliRunner().invoke(app, ["replay", str(kept), "--db", db, "--json"])
    summary = json.loads(result.stdout.splitlines()[0])
    assert summary["messages"] == 3 and summary["questions"] == 1  # only the recent one


async def test_forget_removes_the_members_events_from_the_file(tmp_path: Path) -> None:
    kept = tmp_path / "undelivered.jsonl"
    chat = Chat(start=datetime.now(UTC) - timedelta(hours=2))
    q = chat.msg("ann", "How do I export?")
    chat.msg("bob", "Use the export button", reply_to=q)
    chat.react("ann", "m2")
    undelivered_lines(chat, kept)
    store = await Store.open(str(tmp_path / "db.sqlite"))
    try:
        settings = Settings(engine=EngineSettings(undelivered_file=str(kept)))
        runtime = build_runtime(settings, store)
        await runtime.forget(Scope("other", "c1"), "ann")
    finally:
        await store.close()
    left = [json.loads(line) for line in kept.read_text(encoding="utf-8").splitlines()]
    assert [e.get("author") for e in left] == ["bob"]


def test_a_full_replay_of_the_undelivered_file_deletes_it(tmp_path: Path,
                                                          monkeypatch: object) -> None:
    kept = tmp_path / "data" / "undelivered-events.jsonl"
    kept.parent.mkdir()
    chat = Chat(start=datetime.now(UTC) - timedelta(hours=2))
    chat.msg("ann", "How do I export?")
    undelivered_lines(chat, kept)
    config = tmp_path / "config.toml"
    config.write_text(f'[engine]\nundelivered_file = "{kept}"\n', encoding="utf-8")
    other = tmp_path / "copy.jsonl"
    other.write_bytes(kept.read_bytes())
    db = str(tmp_path / "db.sqlite")
    runner = CliRunner()
    assert runner.invoke(app, ["replay", str(other), "--config", str(config),
                               "--db", db]).exit_code == 0
    assert other.exists()  # any other file is the user's own
    result = runner.invoke(app, ["replay", str(kept), "--config", str(config), "--db", db])
    assert result.exit_code == 0 and not kept.exists()
    assert "deleted" in result.stderr
