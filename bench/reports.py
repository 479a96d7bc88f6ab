"""Latency of the health and helpers reports over 1M stored messages, for a week and a
month, beside the same reports over 3M (the store keeps rollups: no report rescans history,
so the figures should not grow with it).

    .venv/bin/python bench/reports.py [--messages 1000000] [--db out/bench/reports.sqlite]
        [--times 3]

The 1M database is built once through the real pipeline (several minutes) and reused after.
The larger one (``reports-3x.sqlite`` beside it) is the same history with ``--times - 1``
earlier copies of it before it (ids prefixed, times shifted back by the history's length):
the reported weeks are the same, the tables ``--times`` as large. Both are measured in the
same run, alternately, and the ratio printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import reports
from bot.__main__ import tune_gc
from bot.config import CommunitySettings
from bot.engine import Engine
from bot.events import Message
from bot.period import Period
from bot.scope import Scope
from bot.store import Store
from bot.week_cache import week_cache

BLOCK_WEEKS = 8
SCALE = 24
RUNS = 7


async def build(store: Store, target: int, end: datetime) -> int:
    """Ingest 8-week sample blocks, oldest first, until ``target`` messages are stored."""
    from bot.sample import generate

    engine = Engine(store, CommunitySettings(), batch_size=5000)
    blocks, stored = [], 0
    # Measure one block to know how many are needed, then lay them end to end.
    probe = generate(seed=1, weeks=BLOCK_WEEKS, end=end, scale=SCALE, community="big",
                     id_prefix="b0-")
    per_block = sum(1 for e in probe if isinstance(e, Message))
    count = max(1, -(-target // per_block))
    del probe
    for index in range(count):
        block_end = end - timedelta(weeks=BLOCK_WEEKS * (count - 1 - index))
        events = generate(seed=index + 1, weeks=BLOCK_WEEKS, end=block_end, scale=SCALE,
                          community="big", id_prefix=f"b{index}-")
        started = time.perf_counter()
        for start in range(0, len(events), 10_000):
            stats = await engine.ingest(events[start:start + 10_000])
            stored += stats.messages
        blocks.append(time.perf_counter() - started)
        print(f"  block {index + 1}/{count}: {stored:,} messages stored", flush=True)
    return stored


MODES = {
    "fresh": "a fresh process, as `innercircle report` (no day kept: the period read at once)",
    "fill": "a running bot's first read of these days (read, split by day and kept)",
    "cached": "a running bot once the days are kept (today's part read each time)",
}


async def timed(make, store: Store, mode: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median wall-clock and CPU milliseconds (CPU: every thread of this process, so the
    database driver's work counts; steadier than wall-clock on a shared machine), in one of
    the ``MODES``."""
    walls, cpus = [], []
    cache = week_cache(store)
    cache.keep_days = mode != "fresh"
    for _ in range(RUNS):
        if mode != "cached":
            cache.clear()
        started, cpu = time.perf_counter(), time.process_time()
        await make()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def grow(source: Path, times: int) -> Path:
    """``source`` with ``times - 1`` earlier copies of its history (made once, then reused)."""
    target = source.with_name(f"{source.stem}-{times}x.sqlite")
    if target.exists():
        return target
    print(f"building {target} ({times}x the history) …", flush=True)
    partial = target.with_suffix(".partial")
    shutil.copyfile(source, partial)
    conn = sqlite3.connect(partial)
    first, last = conn.execute("SELECT min(ts), max(ts) FROM messages").fetchone()
    span = (int((last - first) // 86400) + 7) * 86400  # whole days: the daily rollup shifts too
    for k in range(1, times):
        off, prefix = span * k, f"h{k}-"
        conn.execute(
            "INSERT INTO messages SELECT platform, community, ?1 || id, channel, "
            "?1 || thread, ?1 || reply_to, ?1 || parent, author, ts - ?2, author_is_staff, "
            "is_question, not_question, deleted, first_peer_answer_ts - ?2, "
            "first_staff_answer_ts - ?2 FROM messages WHERE id NOT LIKE 'h%'", (prefix, off))
        conn.execute(
            "INSERT INTO answers (platform, community, question_id, answer_id, answerer, asker, "
            "question_ts, ts, via, answerer_is_staff, active, acknowledged) "
            "SELECT platform, community, ?1 || question_id, ?1 || answer_id, answerer, asker, "
            "question_ts - ?2, ts - ?2, via, answerer_is_staff, active, acknowledged "
            "FROM answers WHERE answer_id NOT LIKE 'h%'", (prefix, off))
        conn.execute(
            "INSERT INTO acks SELECT platform, community, ?1 || source, ?1 || question_id, "
            "helper, user_id, ts - ?2 FROM acks WHERE source NOT LIKE 'h%'", (prefix, off))
        conn.execute(
            "INSERT INTO activity_days SELECT platform, community, user_id, day - ?1, messages "
            "FROM activity_days WHERE day >= ?2", (off // 86400, int(first // 86400)))
        conn.commit()
    conn.close()
    partial.rename(target)
    return target


async def count_messages(store: Store) -> int:
    async with store.engine.connect() as conn:
        from sqlalchemy import func, select

        from bot.store.schema import messages

        return int((await conn.execute(select(func.count()).select_from(messages))).scalar_one())


async def main(target: int, path: Path, times: int) -> None:
    end = datetime(2026, 11, 16, tzinfo=UTC)
    fresh = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        store = await Store.open(str(path))
        print(f"building {path} with about {target:,} messages …")
        await build(store, target, end)
        await store.close()
    paths = [path] + ([grow(path, times)] if times > 1 else [])
    stores = [await Store.open(str(p)) for p in paths]
    try:
        scope = Scope("demo", "big")
        settings = CommunitySettings()
        totals = [await count_messages(store) for store in stores]
        print("stored messages: " + " / ".join(f"{t:,}" for t in totals)
              + f"; medians of {RUNS} runs, wall-clock (CPU)")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; the period ends "
              "6 hours before the history, as \"now\" does")
        for mode, meaning in MODES.items():
            print(f"  {mode}: {meaning}")
        end -= timedelta(hours=6)  # a period ending at a time of day, as "now" does
        for store in stores:  # and it is today: its facts are read each time
            week_cache(store).today = end.timestamp
        for label, days in (("week", 7), ("month", 30)):
            period = Period(end - timedelta(days=days), end)
            for name, report in (("health", reports.health), ("helpers", reports.helpers)):
                for mode in MODES:
                    figures = []
                    for store in stores:
                        figures.append(await timed(
                            lambda s=store, p=period, r=report: r(s, scope, p, settings),
                            store, mode))
                    shown = " / ".join(f"{wall:6.1f} ms (CPU {cpu:5.1f})"
                                       for wall, cpu in figures)
                    ratio = (f"  {times}x/1x = {figures[-1][0] / figures[0][0]:.2f} "
                             f"(CPU {figures[-1][1] / figures[0][1]:.2f})" if times > 1 else "")
                    print(f"{label:>5} {name:<8} {mode:<6} {shown}{ratio}",
                          flush=True)
    finally:
        for store in stores:
            await store.close()


if __name__ == "__main__":
    tune_gc()  # as the innercircle command does
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("out/bench/reports.sqlite"))
    parser.add_argument("--times", type=int, default=3,
                        help="also measure a database this many times as large (1: not)")
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.db, args.times))
