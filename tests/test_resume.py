"""Resuming is the same as never stopping: a replay cut short and run again, writes retried
during an outage, two writers of the same events, two processes setting the schema up at once
— each gives exactly the facts of one clean run (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.engine import Engine
from bot.events import Event
from bot.sample import generate
from bot.scope import Scope
from bot.store import Store, schema
from tests.conftest import PG_ADMIN_URL, _pg_admin

END = datetime(2026, 11, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def sample() -> list[Event]:
    return generate(seed=11, weeks=2, end=END)


def as_community(events: list[Event], community: str) -> list[Event]:
    return [dataclasses.replace(e, community=community) for e in events]


async def fingerprint(store: Store, community: str) -> dict[str, Any]:
    """Every stored fact of ``community`` that a figure is made of."""
    scope = Scope("demo", community)  # the sample community's platform
    out: dict[str, Any] = {}
    async with store.engine.connect() as conn:
        for table, columns in (
                (schema.messages, ("id", "is_question", "deleted", "parent",
                                   "first_peer_answer_ts", "first_staff_answer_ts")),
                (schema.answers, ("question_id", "answer_id", "active", "acknowledged")),
                (schema.acks, ("source", "question_id", "helper")),
                (schema.activity_days, ("user_id", "day", "messages")),
                (schema.members, ("user_id", "joined_at", "left_at", "first_seen_at"))):
            rows = await conn.execute(select(*(table.c[c] for c in columns))
                                      .where(schema.in_scope(table, scope)))
            out[table.name] = sorted(tuple(r) for r in rows)
        out["activity_total"] = (await conn.execute(
            select(func.sum(schema.activity_days.c.messages))
            .where(schema.in_scope(schema.activity_days, scope)))).scalar()
    return out


def same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a["messages"] and a["answers"] and a["acks"]
    for key in a:
        assert a[key] == b[key], key


async def test_a_replay_cut_short_and_run_again_gives_one_clean_run(
        store: Store, sample: list[Event]) -> None:
    await Engine(store).ingest(as_community(sample, "clean"))
    events = as_community(sample, "resumed")
    for cut in range(97, len(events), 97):  # a restart every 97 events
        await Engine(store).ingest(events[:cut])  # the process dies here
    again = await Engine(store).ingest(events)  # the re-run, in a new process
    assert again.acks == 0 or again.acks < len(events)
    same(await fingerprint(store, "clean"), await fingerprint(store, "resumed"))


async def test_two_writers_of_the_same_events_give_the_facts_of_one(
        store: Store, sample: list[Event], tmp_path: Path) -> None:
    await Engine(store).ingest(as_community(sample, "clean"))
    url = str(store.engine.url) if store.dialect == "postgresql" else store.engine.url.database
    assert url
    other = await Store.open(url.replace("+asyncpg", ""))
    try:
        events = as_community(sample, "twice")
        await asyncio.gather(Engine(store, batch_size=100).ingest(events),
                             Engine(other, batch_size=100).ingest(events))
    finally:
        await other.close()
    same(await fingerprint(store, "clean"), await fingerprint(store, "twice"))


async def test_writes_retried_during_an_outage_give_one_clean_run(
        store: Store, sample: list[Event], monkeypatch: pytest.MonkeyPatch) -> None:
    await Engine(store).ingest(as_community(sample, "clean"))
    real_write = Store.write
    calls = {"n": 0}

    async def flaky(self: Store, batch: Any) -> int:
        calls["n"] += 1
        if calls["n"] % 4 == 0:  # every fourth write finds the database away
            raise ConnectionError("database went away")
        return await real_write(self, batch)

    monkeypatch.setattr(Store, "write", flaky)
    engine = Engine(store, retry_delays=(0, 0), batch_size=50, flush_interval=0.01)
    await engine.start()
    for event in as_community(sample, "live"):
        await engine.submit(event)
    await engine.stop(budget_s=600)  # the shutdown's time limit is not what is tested here
    assert calls["n"] > 8
    same(await fingerprint(store, "clean"), await fingerprint(store, "live"))


async def test_stopping_during_an_outage_keeps_every_event(
        store: Store, sample: list[Event], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async def down(self: Store, batch: Any) -> int:
        raise ConnectionError("database went away")

    monkeypatch.setattr(Store, "write", down)
    kept = tmp_path / "undelivered.jsonl"
    engine = Engine(store, undelivered=kept, flush_interval=0.01, batch_size=40)
    await engine.start()
    events = as_community(sample, "stopped")[:300]
    for event in events[:120]:
        await engine.submit(event)
    await asyncio.sleep(0.3)  # the writer now waits between retries (1 s, 5 s, 30 s)
    for event in events[120:]:
        await engine.submit(event)
    started = asyncio.get_running_loop().time()
    with caplog.at_level(logging.INFO, logger="bot.delivery"):
        await engine.stop()
    assert asyncio.get_running_loop().time() - started < 10
    lines = kept.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(events)  # none lost, none twice
    assert f"stopped: 0 queued events written, {len(events)} kept in {kept}" in caplog.text


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_processes_starting_together_set_the_schema_up_once(
        kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if kind == "sqlite":
        url = str(tmp_path / "fresh.sqlite")
    else:
        request.getfixturevalue("pg_database")  # skips when PostgreSQL is away
        name = f"innercircle_race_{uuid.uuid4().hex[:8]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    try:
        stores = await asyncio.gather(*(Store.open(url) for _ in range(4)))
        assert len({s.secret for s in stores}) == 1  # one key, made once
        for opened in stores:
            await opened.close()
    finally:
        if kind == "postgres":
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
