"""Throughput of the whole pipeline (signals, linker, engine, store) into SQLite and, with
``--db postgresql://…``, into PostgreSQL in the same run; beside a raw SQLite bulk insert of
the same message rows; peak memory.

    .venv/bin/python bench/pipeline.py [--scale 6] [--weeks 8] [--blocks 1]
        [--db postgresql://postgres@127.0.0.1:5432/postgres] [--against REV [--rounds 3]]

``--blocks N`` ingests N sample communities' worth of history one after the other (each
``--weeks`` long, the oldest first) and prints the rate of the first and of the last block:
the per-message cost as the tables grow (``--scale 24 --blocks 11`` stores about 1M
messages). With ``--db`` a fresh database is made on that server and dropped at the end.

``--against REV`` runs the SQLite pipeline of this checkout and of git revision ``REV``
(checked out in a temporary worktree; this same script, only the ``bot`` package differs)
alternately, each in a fresh process, and prints both rates, their ratio (wall-clock and
CPU) and whether the two stored exactly the same facts (every row of every table ingest
writes, compared in full).

Prints figures; pass/fail is for tests, not benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

# the tree whose ``bot`` package runs: this checkout, or another revision's (--against)
sys.path.insert(
    0, os.environ.get("INNERCIRCLE_BENCH_TREE") or str(Path(__file__).resolve().parents[1])
)

from bot.__main__ import tune_gc
from bot.config import CommunitySettings
from bot.engine import Engine
from bot.events import Event, Message
from bot.sample import generate
from bot.store import Store

CHUNK = 5000
END = datetime(2026, 11, 16, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[1]
#: the tables ingest writes: compared in full by ``--against``
FACT_TABLES = ("messages", "answers", "acks", "activity_days", "members", "excerpts",
               "channel_cursors", "channels", "corrections")


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


def facts_digest(path: Path) -> str:
    """A digest of every row of the tables ingest writes (sorted, all columns)."""
    conn = sqlite3.connect(path)
    digest = hashlib.sha256()
    try:
        for table in FACT_TABLES:
            rows = sorted(conn.execute(f"SELECT * FROM {table}"), key=repr)
            digest.update(f"{table}:{len(rows)}\n".encode())
            for row in rows:
                digest.update(repr(row).encode())
    finally:
        conn.close()
    return digest.hexdigest()


def once(args: argparse.Namespace) -> None:
    """One SQLite run (for ``--against``): its figures and facts digest as JSON."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pipeline.sqlite"
        figures = asyncio.run(pipeline(str(path), args))
        print(json.dumps({"messages": sum(f[0] for f in figures),
                          "wall": sum(f[1] for f in figures), "cpu": sum(f[2] for f in figures),
                          "digest": facts_digest(path)}))


def against(args: argparse.Namespace) -> None:
    """Alternate runs of this checkout and ``args.against``, one of each per round."""
    options = ["--once", "--scale", str(args.scale), "--weeks", str(args.weeks),
               "--blocks", str(args.blocks)]
    runs: dict[str, list[dict[str, float | str]]] = {"this checkout": [], args.against: []}
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(tree),
                        args.against], check=True)
        try:
            for _ in range(args.rounds):
                for label, root in (("this checkout", REPO), (args.against, tree)):
                    env = {**os.environ, "INNERCIRCLE_BENCH_TREE": str(root)}
                    out = subprocess.run([sys.executable, __file__, *options], env=env,
                                         check=True, capture_output=True, text=True)
                    runs[label].append(json.loads(out.stdout.strip().splitlines()[-1]))
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                           check=False)
    print(f"{args.rounds} alternating rounds, SQLite, --scale {args.scale}, load average "
          f"{os.getloadavg()[0]:.1f} at the end; median of each (messages/s wall-clock, "
          "per CPU-second):")
    medians = {}
    for label, found in runs.items():
        wall = sorted(float(r["messages"]) / float(r["wall"]) for r in found)
        cpu = sorted(float(r["messages"]) / float(r["cpu"]) for r in found)
        medians[label] = (wall[len(wall) // 2], cpu[len(cpu) // 2])
        print(f"  {label}: {medians[label][0]:,.0f} messages/s ({medians[label][1]:,.0f} per "
              f"CPU-second); runs: {', '.join(f'{w:,.0f}' for w in wall)}")
    ours, theirs = medians["this checkout"], medians[args.against]
    print(f"  this checkout / {args.against}: wall-clock {ours[0] / theirs[0]:.2f}, "
          f"CPU {ours[1] / theirs[1]:.2f}")
    digests = {str(r["digest"]) for found in runs.values() for r in found}
    print("  stored facts: " + ("identical in every run" if len(digests) == 1 else
                                f"DIFFERENT ({len(digests)} distinct digests)"))


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
    parser.add_argument("--against", metavar="REV",
                        help="compare with this git revision (SQLite, alternating runs)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --against")
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--postgresql-only", action="store_true",
                        help="with --db: measure PostgreSQL alone (no SQLite run, no raw insert)")
    args = parser.parse_args()
    if args.once:
        once(args)
        return
    if args.against:
        against(args)
        return
    first = block(0, args.blocks, args)
    messages = [e for e in first if isinstance(e, Message)]
    print(f"block 1 of {args.blocks}: {len(first):,} events ({len(messages):,} messages)")
    del first
    sqlite_figures: list[tuple[int, float, float]] = []
    raw = 0.0
    if not (args.postgresql_only and args.db):
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
    sqlite_rate = 0.0
    if sqlite_figures:
        sqlite_rate = report("pipeline into SQLite (signals + linker + engine + store)",
                             sqlite_figures)
        raw_rate = len(messages) / raw
        print(f"raw sqlite3 bulk insert of block 1's rows: {raw_rate:,.0f} messages/s "
              f"({raw:.2f} s); pipeline/raw = 1/{raw_rate / sqlite_rate:.1f}")
    if pg_figures:
        pg_rate = report("pipeline into PostgreSQL", pg_figures)
        if sqlite_rate:
            print(f"PostgreSQL/SQLite = {pg_rate / sqlite_rate:.2f}")
    print(f"peak memory (max RSS of this process): {peak_mb:,.0f} MB")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    tune_gc()  # as the innercircle command does
    main()
