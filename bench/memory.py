"""Memory of a bot process over simulated weeks of live traffic, on top of 1M stored messages.

    .venv/bin/python bench/memory.py [--weeks 8] [--db out/bench/reports.sqlite]

A copy of the database ``bench/reports.py`` builds gets a new week of the sample
community's live traffic at a time, through the engine's live path (``submit``), while the
runtime answers ``/circle health``, ``helpers 30`` and ``unanswered`` as members would.
After each week the process's resident memory (RSS) is printed: it should stay flat, since
every in-memory structure (recent messages, linking windows, caches) is capped.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from commands import BenchPlatform  # bench/commands.py (this folder is on the path)

from bot.__main__ import tune_gc
from bot.app import build_runtime
from bot.config import Settings
from bot.features import Invoker
from bot.sample import generate
from bot.scope import Scope
from bot.store import Store

START = datetime(2026, 11, 16, tzinfo=UTC)  # where bench/reports.py's history ends
SCOPE = Scope("demo", "big")
COMMANDS = (("health", {}), ("helpers", {"period": "30"}), ("unanswered", {}))


def rss_mb() -> float:
    """Resident memory of this process now (not the peak)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def main(weeks: int, source: Path) -> None:
    if not source.exists():
        raise SystemExit(f"{source} is missing: build it with bench/reports.py first")
    path = source.with_name("memory.sqlite")
    leftovers = [path.with_name(path.name + end) for end in ("-wal", "-shm")]
    for leftover in leftovers:  # an interrupted run's log would be replayed on the copy
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, path)
    now = [START.timestamp()]
    store = await Store.open(str(path))
    settings = Settings()
    runtime = build_runtime(settings, store, clock=lambda: now[0])
    await runtime.engine.start()
    platform, invoker = BenchPlatform(), Invoker("bench-user", "Bench", False)
    figures: list[float] = []
    print(f"week  messages  RSS (MB)  remembered: messages answers threads windows  "
          f"[start: {rss_mb():.0f} MB]")
    try:
        for week in range(weeks):
            end = START + timedelta(weeks=week + 1)
            events = generate(seed=500 + week, weeks=1, end=end, scale=24, community="big",
                              id_prefix=f"live{week}-")
            for day in range(7):
                day_end = (end - timedelta(days=6 - day)).timestamp()
                todays = [e for e in events if now[0] <= e.ts.timestamp() < day_end]
                for event in todays:
                    await runtime.engine.submit(event)
                await runtime.engine.flush()
                now[0] = day_end
                for name, args in COMMANDS:
                    await runtime.run_command(platform, SCOPE, invoker, name, dict(args))
            count = sum(1 for e in events if e.type == "message")
            del events, todays
            gc.collect()
            figures.append(rss_mb())
            memory = await runtime.engine.community(SCOPE)
            print(f"{week + 1:>4}  {count:>8,}  {figures[-1]:8.0f}  {len(memory.recent):>20,} "
                  f"{len(memory.answers):>7,} {len(memory.threaded):>7,} "
                  f"{len(memory.windows):>7,}", flush=True)
    finally:
        await runtime.engine.stop()
        await store.close()
        for done in (path, *leftovers):
            done.unlink(missing_ok=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RSS after week 1: {figures[0]:.0f} MB, after week {weeks}: {figures[-1]:.0f} MB "
          f"(last/first {figures[-1] / figures[0]:.2f}); peak {peak:.0f} MB")


if __name__ == "__main__":
    tune_gc()  # as the innercircle command does
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--db", type=Path, default=Path("out/bench/reports.sqlite"))
    args = parser.parse_args()
    asyncio.run(main(args.weeks, args.db))
