"""Throughput of the whole pipeline (signals, linker, engine, store) into SQLite, beside a
raw SQLite bulk insert of the same message rows in the same run; peak memory.

    .venv/bin/python bench/pipeline.py [--scale 4] [--weeks 8]

Prints figures; pass/fail is for tests, not benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

from bot.__main__ import tune_gc
from bot.config import CommunitySettings
from bot.engine import Engine
from bot.events import Message
from bot.sample import generate
from bot.store import Store

CHUNK = 5000


async def pipeline(events: list, path: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (both threads of this process) to ingest ``events``."""
    store = await Store.open(str(path))
    try:
        engine = Engine(store, CommunitySettings(), batch_size=2000)
        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(events), CHUNK):
            await engine.ingest(events[start:start + CHUNK])
        return time.perf_counter() - started, time.process_time() - cpu
    finally:
        await store.close()


def raw_insert(messages: list[Message], path: Path) -> float:
    """The same rows, straight into an indexed table with sqlite3.executemany."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE messages (platform TEXT, community TEXT, id TEXT, channel TEXT, "
                 "thread TEXT, reply_to TEXT, author TEXT, ts REAL, is_question INTEGER, "
                 "PRIMARY KEY (platform, community, id))")
    conn.execute("CREATE INDEX ix_ts ON messages (platform, community, ts)")
    rows = [(m.platform, m.community, m.id, m.channel, m.thread, m.reply_to, m.author,
             m.ts.timestamp(), 0) for m in messages]
    started = time.perf_counter()
    for start in range(0, len(rows), CHUNK):
        with conn:
            conn.executemany("INSERT OR IGNORE INTO messages VALUES (?,?,?,?,?,?,?,?,?)",
                             rows[start:start + CHUNK])
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=4, help="sample community size factor")
    parser.add_argument("--weeks", type=int, default=8)
    args = parser.parse_args()
    events = generate(seed=11, weeks=args.weeks, scale=args.scale)
    messages = [e for e in events if isinstance(e, Message)]
    with tempfile.TemporaryDirectory() as folder:
        elapsed, cpu = asyncio.run(pipeline(events, Path(folder) / "pipeline.sqlite"))
        raw = raw_insert(messages, Path(folder) / "raw.sqlite")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"events: {len(events):,} ({len(messages):,} messages)")
    print(f"pipeline (signals + linker + engine + SQLite): {len(messages) / elapsed:,.0f} "
          f"messages/s ({elapsed:.2f} s)")
    print(f"  the same per CPU-second (steadier on a shared machine): "
          f"{len(messages) / cpu:,.0f} messages/s")
    print(f"raw sqlite3 bulk insert of the same rows:      {len(messages) / raw:,.0f} "
          f"messages/s ({raw:.2f} s)")
    print(f"peak memory (max RSS of this process):         {peak_mb:,.0f} MB")


if __name__ == "__main__":
    tune_gc()  # as the innercircle command does
    main()
