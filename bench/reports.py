"""Latency of the health and helpers reports over 1M stored messages, for a week and a
month (the store keeps rollups: no report rescans history).

    .venv/bin/python bench/reports.py [--messages 1000000] [--db out/bench/reports.sqlite]

The database is built once through the real pipeline (several minutes) and reused after.
"""

from __future__ import annotations

import argparse
import asyncio
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


async def timed(make) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await make()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


async def main(target: int, path: Path) -> None:
    end = datetime(2026, 11, 16, tzinfo=UTC)
    fresh = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    store = await Store.open(str(path))
    try:
        if fresh:
            print(f"building {path} with about {target:,} messages …")
            await build(store, target, end)
        scope = Scope("demo", "big")
        async with store.engine.connect() as conn:
            from sqlalchemy import func, select

            from bot.store.schema import messages

            total = (await conn.execute(select(func.count()).select_from(messages))).scalar()
        settings = CommunitySettings()
        print(f"stored messages: {total:,}")
        for label, days in (("week", 7), ("month", 30)):
            period = Period(end - timedelta(days=days), end)
            health_ms = await timed(lambda p=period: reports.health(store, scope, p, settings))
            helpers_ms = await timed(lambda p=period: reports.helpers(store, scope, p, settings))
            print(f"{label:>5}: health {health_ms:6.1f} ms   helpers {helpers_ms:6.1f} ms "
                  f"(median of {RUNS})")
    finally:
        await store.close()


if __name__ == "__main__":
    tune_gc()  # as the innercircle command does
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("out/bench/reports.sqlite"))
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.db))
