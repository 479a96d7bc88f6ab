"""How events are handed to the engine never changes what is stored: the same events in one
call with large batches (batch N written while N+1 is computed), in small batches and
chunks, or one by one through the live path, store exactly the same facts, every column of
every table ingest writes. Pins the engine's and the store's fast paths to the plain one."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.engine import Engine
from bot.events import (
    Event,
    MarkAnswer,
    Message,
    MessageDelete,
    MessageEdit,
    NotQuestion,
    UnmarkAnswer,
)
from bot.sample import generate
from bot.store import Store

END = datetime(2026, 11, 30, tzinfo=UTC)
TABLES = ("messages", "answers", "acks", "activity_days", "members", "excerpts",
          "channel_cursors", "channels", "corrections")


def events() -> list[Event]:
    """A week of the sample community, with edits, deletes and corrections among them."""
    sample = generate(seed=11, weeks=1, end=END)
    messages = [e for e in sample if isinstance(e, Message)]
    out: list[Event] = []
    for index, event in enumerate(sample):
        out.append(event)
        if not isinstance(event, Message) or index % 23 or index < 50:
            continue
        earlier = messages[messages.index(event) - 3]
        at = event.ts + timedelta(seconds=1)
        common: dict[str, Any] = {"community": event.community, "platform": event.platform,
                                  "ts": at}
        kind = (index // 23) % 5
        if kind == 0:
            out.append(MessageEdit(**common, id=earlier.id, channel=earlier.channel,
                                   text="how do I rotate the webhook secret?"))
        elif kind == 1:
            out.append(MessageDelete(**common, id=earlier.id, channel=earlier.channel))
        elif kind == 2:
            out.append(MarkAnswer(**common, answer=event.id, user=earlier.author))
        elif kind == 3:
            out.append(UnmarkAnswer(**common, answer=event.id, user=earlier.author,
                                    by_staff=True))
        else:
            out.append(NotQuestion(**common, message=earlier.id, user="u0009", by_staff=True))
    return out


def stored(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}"), key=repr) for t in TABLES}
    finally:
        conn.close()


async def ingest(path: Path, stream: list[Event], *, batch_size: int, chunk: int,
                 live: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    store = await Store.open(str(path))
    try:
        engine = Engine(store, batch_size=batch_size, flush_interval=0.01)
        if live:
            await engine.start()
            for event in stream:
                await engine.submit(event)
            await engine.stop(budget_s=600)  # not the shutdown's time limit: all written
        else:
            for start in range(0, len(stream), chunk):
                await engine.ingest(stream[start:start + chunk])
    finally:
        await store.close()
    return stored(path)


async def test_batching_and_the_live_path_store_the_same_facts(tmp_path: Path) -> None:
    stream = events()
    assert {type(e) for e in stream} >= {MessageEdit, MessageDelete, MarkAnswer,
                                         UnmarkAnswer, NotQuestion}
    one_call = await ingest(tmp_path / "a.sqlite", stream, batch_size=2000, chunk=len(stream))
    assert one_call["messages"] and one_call["answers"] and one_call["acks"]
    assert one_call["corrections"] and one_call["excerpts"]
    small = await ingest(tmp_path / "b.sqlite", stream, batch_size=7, chunk=50)
    live = await ingest(tmp_path / "c.sqlite", stream, batch_size=500, chunk=0, live=True)
    for table in TABLES:
        assert small[table] == one_call[table], table
        assert live[table] == one_call[table], table
