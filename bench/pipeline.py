"""Throughput of the whole pipeline (signals, linker, engine, store) into SQLite and, with
``--db postgresql://…``, into PostgreSQL in the same run; beside a raw SQLite bulk insert of
the same message rows; peak memory.

    .venv/bin/python bench/pipeline.py [--scale 6] [--weeks 8] [--blocks 1]
        [--db postgresql://postgres@127.0.0.1:5432/postgres]

``--blocks N`` ingests N sample communities' worth of history one after the other (each
``--weeks`` long, the oldest first) and prints the rate of the first and of the last block:
the per-message cost as the tables grow (``--scale 24 --blocks 11`` stores about 1M
messages). With ``--db`` a fresh database is made on that server and dropped at the end.

Prints figures; pass/fail is for tests, not benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.__main__ import tune_gc
from bot.config import CommunitySettings
from bot.engine import Engine
from bot.events import Event, Message
from bot.sample import generate
from bot.store import Store

CHUNK = 5000
END = datetime(2026, 11, 16, tzinfo=UTC)


def block(index: int, count: int, args: argparse.Namespace) -> list[Event]:
    """The ``index``-th of ``count`` consecutive sample blocks (the same in every run)."""
    end = END - timedelta(weeks=args.weeks * (count - 1 - index))
    return generate(seed=11 + index, weeks=args.weeks, end=end, scale=args.scale,
                    id_prefix=f"b{index}-")


async def pipeline(url: str, args: argparse.Namespace) -> list[tuple[int, float, float]]:
    """Per block: messages stored, wall-clock and CPU seconds (both threads of this process)."""
    store = await Store.open(url)
    figures = []
    try:
        engine = Engine(store, CommunitySettings(), batch_size=2000)
        for index in range(args.blocks):
            events = block(index, args.blocks, args)
            messages = 0
            started, cpu = time.perf_counter(), time.process_time()
            for start in range(0, len(events), CHUNK):
                messages += (await engine.ingest(events[start:start + CHUNK])).messages
            figures.append((messages, time.perf_counter() - started,
                            time.process_time() - cpu))
            del events
    finally:
        await store.close()
    return figures


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


async def _pg_admin(url: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def report(label: str, figures: list[tuple[int, float, float]]) -> float:
    """Print one database's figures; its overall rate."""
    messages = sum(f[0] for f in figures)
    wall = sum(f[1] for f in figures)
    cpu = sum(f[2] for f in figures)
    rate = messages / wall
    print(f"{label}: {rate:,.0f} messages/s ({messages:,} messages, {wall:.2f} s; "
          f"{messages / cpu:,.0f} per CPU-second)")
    if len(figures) > 1:
        first, last = figures[0], figures[-1]
        print(f"  first block {first[0] / first[1]:,.0f} messages/s, last block "
              f"{last[0] / last[1]:,.0f} messages/s (last/first "
              f"{(last[0] / last[1]) / (first[0] / first[1]):.2f})")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=6, help="sample community size factor")
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--blocks", type=int, default=1)
    parser.add_argument("--db", help="a PostgreSQL server URL: measure it beside SQLite")
    args = parser.parse_args()
    first = block(0, args.blocks, args)
    messages = [e for e in first if isinstance(e, Message)]
    print(f"block 1 of {args.blocks}: {len(first):,} events ({len(messages):,} messages)")
    del first
    with tempfile.TemporaryDirectory() as folder:
        sqlite_figures = asyncio.run(pipeline(str(Path(folder) / "pipeline.sqlite"), args))
        raw = raw_insert(messages, Path(folder) / "raw.sqlite")
    pg_figures = None
    if args.db:
        server, name = args.db.rsplit("/", 1)[0], f"bench_pipeline_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg_admin(args.db, f'CREATE DATABASE "{name}"'))
        try:
            pg_figures = asyncio.run(pipeline(f"{server}/{name}", args))
        finally:
            asyncio.run(_pg_admin(args.db, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sqlite_rate = report("pipeline into SQLite (signals + linker + engine + store)",
                         sqlite_figures)
    raw_rate = len(messages) / raw
    print(f"raw sqlite3 bulk insert of block 1's rows: {raw_rate:,.0f} messages/s "
          f"({raw:.2f} s); pipeline/raw = 1/{raw_rate / sqlite_rate:.1f}")
    if pg_figures:
        pg_rate = report("pipeline into PostgreSQL", pg_figures)
        print(f"PostgreSQL/SQLite = {pg_rate / sqlite_rate:.2f}")
    print(f"peak memory (max RSS of this process): {peak_mb:,.0f} MB")


if __name__ == "__main__":
    tune_gc()  # as the innercircle command does
    main()
