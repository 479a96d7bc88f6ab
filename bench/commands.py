"""Latency of the slash commands a member runs most, through the runtime (option checks,
settings, reports, rendering: everything but the platform's network), over 1M stored
messages: ``/circle health``, ``helpers 7|30|90`` and ``unanswered``.

    .venv/bin/python bench/commands.py [--calls 100] [--db out/bench/reports.sqlite]
        [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--pg-db NAME]

Each command gets a freshly started runtime: started as ``innercircle run`` starts it, with
its warm-up (``Runtime.warm``: what each community's first commands ask for, computed in the
background) timed apart and awaited before the first call; then ``--calls`` calls, the first
after start included; p50, p99 and the slowest call are printed, wall-clock and CPU. The
clock starts 6 hours before the end of the history and moves a minute a call, so every
period has a partial day at each end (read from the database each call, as in live use).
The SQLite database is the one ``bench/reports.py`` builds; with ``--pg`` it is copied once
into the PostgreSQL database ``--pg-db`` (``innercircle_bench_commands``) on that server
(kept for the next runs) and measured beside.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

from bot.__main__ import tune_gc
from bot.app import build_runtime
from bot.config import Settings
from bot.features import Invoker, Reply
from bot.scope import Scope
from bot.store import Store
from bot.store.schema import metadata

SCOPE = Scope("demo", "big")
NOW = 1_794_787_200.0  # 2026-11-16 00:00 UTC: where bench/reports.py's history ends
COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("health", {}),
    ("helpers", {"period": "7"}),
    ("helpers", {"period": "30"}),
    ("helpers", {"period": "90"}),
    ("unanswered", {}),
]


class BenchPlatform:
    """The neutral platform surface, without a network."""

    name = "demo"

    async def post(self, scope: Scope, channel: str, reply: Reply) -> str | None:
        return None

    async def send_dm(self, scope: Scope, user: str, reply: Reply) -> bool:
        return False

    async def grant_reward(self, scope: Scope, user: str, reward: str | None) -> str:
        return "no reward"

    def mention(self, user: str) -> str:
        return f"@{user}"

    def message_link(self, scope: Scope, channel: str, message_id: str) -> str | None:
        return f"https://chat.example/{channel}/{message_id}"


async def measure(url: str, name: str, args: dict[str, Any], calls: int
                  ) -> tuple[list[float], list[float], tuple[float, float]]:
    """Wall-clock and CPU milliseconds of each call, on a freshly started runtime (CPU: every
    thread of this process: steadier than wall-clock on a shared machine), and the warm-up's
    (wall, CPU)."""
    store = await Store.open(url)
    minutes = [0]
    runtime = build_runtime(Settings(), store,
                            clock=lambda: NOW - 6 * 3600 + 60 * minutes[0])
    platform = BenchPlatform()
    invoker = Invoker("bench-user", "Bench", False)
    samples, cpus = [], []
    try:
        started, cpu = time.perf_counter(), time.process_time()
        await runtime.warm()
        warm = ((time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000)
        for minutes[0] in range(calls):
            started, cpu = time.perf_counter(), time.process_time()
            reply = await runtime.run_command(platform, SCOPE, invoker, name, dict(args))
            samples.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            if reply.tone == "error":
                raise SystemExit(f"/circle {name} failed: {reply.plain_text()}")
    finally:
        await runtime.engine.stop()
        await store.close()
    return samples, cpus, warm


def line(samples: list[float], cpus: list[float]) -> str:
    p99 = statistics.quantiles(samples, n=100, method="inclusive")[98]
    cpu99 = statistics.quantiles(cpus, n=100, method="inclusive")[98]
    return (f"p50 {statistics.median(samples):6.1f}  p99 {p99:6.1f}  max {max(samples):6.1f}  "
            f"first {samples[0]:6.1f} ms  | CPU p50 {statistics.median(cpus):5.1f}  "
            f"p99 {cpu99:5.1f}  first {cpus[0]:6.1f} ms")


async def copy_to_postgresql(sqlite_path: Path, server: str, name: str) -> str:
    """The SQLite database's rows in a PostgreSQL database (copied once, then reused)."""
    import asyncpg

    admin = await asyncpg.connect(server.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = f"{server.rsplit('/', 1)[0]}/{name}"
    store = await Store.open(url)  # migrates
    await store.close()
    target = await asyncpg.connect(url)
    try:
        if exists and await target.fetchval("SELECT count(*) FROM messages"):
            return url
        source = sqlite3.connect(sqlite_path)
        for table in metadata.sorted_tables:
            if table.name in ("meta", "alembic_version"):
                continue
            columns = [c.name for c in table.columns]
            booleans = {i for i, c in enumerate(table.columns)
                        if c.type.python_type is bool}
            cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table.name}")
            while rows := cursor.fetchmany(50_000):
                records = [tuple(bool(v) if i in booleans and v is not None else v
                                 for i, v in enumerate(row)) for row in rows]
                await target.copy_records_to_table(table.name, records=records,
                                                   columns=columns)
            print(f"  copied {table.name}", flush=True)
        source.close()
        await target.execute("ANALYZE")
    finally:
        await target.close()
    return url


async def main(calls: int, path: Path, pg: str | None, pg_db: str, only: str | None
               ) -> None:
    if not path.exists():
        raise SystemExit(f"{path} is missing: build it with bench/reports.py first")
    targets = [("SQLite", str(path))]
    if pg:
        targets.append(("PostgreSQL", await copy_to_postgresql(path, pg, pg_db)))
    print(f"{calls} calls each, through the runtime, over {path.name} (about 1M messages); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for name, args in COMMANDS:
        label = f"/circle {name} {' '.join(args.values())}".strip()
        if only and only not in label:
            continue
        for database, url in targets:
            samples, cpus, (warm, warm_cpu) = await measure(url, name, args, calls)
            print(f"{label:<22} {database:<10} {line(samples, cpus)}  | warm-up {warm:6.0f} "
                  f"(CPU {warm_cpu:5.0f}) ms", flush=True)


if __name__ == "__main__":
    tune_gc()  # as the innercircle command does
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--db", type=Path, default=Path("out/bench/reports.sqlite"))
    parser.add_argument("--pg", help="a PostgreSQL server URL: measure it beside SQLite")
    parser.add_argument("--pg-db", default="innercircle_bench_commands",
                        help="the database on that server the SQLite rows are copied into")
    parser.add_argument("--only", help="only the commands whose label contains this")
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.db, args.pg, args.pg_db, args.only))
