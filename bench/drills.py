"""Fault drills, many trials each; prints trials, lost, doubled and the slowest shutdown.

    .venv/bin/python bench/drills.py [--trials 30] [--jobs 3] [--db sqlite|postgresql://…]

Trials of one drill run ``--jobs`` at a time (most of a trial is waiting: a process
starting, a random moment to kill it, the 5 s a stop gives the writer), so 30 trials take
minutes, not an hour. Each drill prints its wall and CPU time (this process and its
children) and the load average, beside its figures.

- kill -9: `innercircle replay` of a sample community killed at a random moment, then run
  again to the end; its facts are compared with one clean replay.
- SIGTERM during an outage: live events submitted while every write fails; the engine is
  stopped mid-retry; every event must be in the undelivered file exactly once.
- shutdown time: `innercircle run` against the local fake Slack, stopped with SIGTERM; the
  time to exit and the exit code.
- concurrent writers: two `innercircle replay` processes of the same file into one database
  at once, compared with one clean replay.

"lost" counts facts (messages, answers, acknowledgements, activity) a clean run has and the
drill's run does not; "doubled" counts the ones it has in excess.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import resource
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "platforms" / "slack"))

from sqlalchemy import select  # noqa: E402

from bot.engine import Engine  # noqa: E402
from bot.sample import generate  # noqa: E402
from bot.scope import Scope  # noqa: E402
from bot.store import Store, schema  # noqa: E402

PYTHON = sys.executable
DRILLS = ("kill9", "sigterm", "concurrent", "shutdown")
OPENING = asyncio.Lock()
START_TIMEOUT_S = 120  # a loaded machine can take a minute to start the bot
CREATED: list[str] = []  # PostgreSQL databases made by the drills, dropped at the end


async def drop_created(admin: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin)
    try:
        for name in CREATED:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def new_database(kind: str, folder: Path) -> str:
    """A fresh, empty database: a SQLite file, or a new database on the PostgreSQL server."""
    if kind == "sqlite":
        return str(folder / f"{uuid.uuid4().hex[:8]}.sqlite")
    import asyncpg

    name = f"innercircle_drill_{uuid.uuid4().hex[:8]}"

    conn = await asyncpg.connect(kind)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    CREATED.append(name)
    return f"{kind.rsplit('/', 1)[0]}/{name}"


async def open_store(url: str, kind: type[Store] = Store) -> Store:
    """Open a store; one at a time in this process (Alembic's migration context is a
    process-global, and trials run side by side)."""
    async with OPENING:
        return await kind.open(url)


async def facts(url: str, scope: Scope) -> Counter[tuple[Any, ...]]:
    """Every fact a figure is made of, as a multiset (activity counted per message)."""
    store = await open_store(url)
    out: Counter[tuple[Any, ...]] = Counter()
    try:
        async with store.engine.connect() as conn:
            for table, columns in ((schema.messages, ("id",)),
                                   (schema.answers, ("question_id", "answer_id", "active",
                                                     "acknowledged")),
                                   (schema.acks, ("source",))):
                rows = await conn.execute(select(*(table.c[c] for c in columns))
                                          .where(schema.in_scope(table, scope)))
                out.update((table.name, *row) for row in rows)
            t = schema.activity_days
            for user, day, n in await conn.execute(
                    select(t.c.user_id, t.c.day, t.c.messages).where(schema.in_scope(t, scope))):
                out[("activity", user, day)] += n
    finally:
        await store.close()
    return out


def compare(clean: Counter[tuple[Any, ...]], other: Counter[tuple[Any, ...]]) -> tuple[int, int]:
    """(lost, doubled) of ``other`` against ``clean``."""
    lost = sum((clean - other).values())
    doubled = sum((other - clean).values())
    return lost, doubled


async def run_trials(trials: int, jobs: int, trial: Callable[[int], Awaitable[None]]) -> None:
    """``trial(0)`` … ``trial(trials - 1)``, at most ``jobs`` at a time."""
    limit = asyncio.Semaphore(max(1, jobs))

    async def one(index: int) -> None:
        async with limit:
            await trial(index)

    await asyncio.gather(*(one(index) for index in range(trials)))


def cpu_s() -> float:
    """CPU seconds of this process and of its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def replay(url: str, path: Path) -> Any:
    return asyncio.create_subprocess_exec(
        PYTHON, "-m", "bot", "replay", str(path), "--db", url, "--json",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, cwd=ROOT)


async def finished(process: Any, failures: list[str]) -> None:
    """Wait for a replay that should complete; a failure is counted with its last line."""
    _, err = await process.communicate()
    if process.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines() or ["(no output)"]
        failures.append(f"exit {process.returncode}: {lines[-1][:200]}")


async def drill_kill9(kind: str, folder: Path, path: Path, scope: Scope, clean: Counter[Any],
                      trials: int, jobs: int) -> dict[str, Any]:
    lost = doubled = 0
    failures: list[str] = []

    async def trial(index: int) -> None:
        nonlocal lost, doubled
        url = await new_database(kind, folder)
        process = await replay(url, path)
        # start-up, then somewhere in ingest
        await asyncio.sleep(random.Random(index).uniform(1.5, 5.0))
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # it may have just finished
                process.send_signal(signal.SIGKILL)
        await process.communicate()
        await finished(await replay(url, path), failures)
        found = compare(clean, await facts(url, scope))
        lost, doubled = lost + found[0], doubled + found[1]

    await run_trials(trials, jobs, trial)
    return {"drill": "kill -9 mid-replay, then replay again", "trials": trials, "lost": lost,
            "doubled": doubled, "failed_reruns": failures}


async def drill_concurrent(kind: str, folder: Path, path: Path, scope: Scope,
                           clean: Counter[Any], trials: int, jobs: int) -> dict[str, Any]:
    lost = doubled = 0
    failures: list[str] = []

    async def trial(index: int) -> None:
        nonlocal lost, doubled
        url = await new_database(kind, folder)
        first, second = await replay(url, path), await replay(url, path)
        await asyncio.gather(finished(first, failures), finished(second, failures))
        found = compare(clean, await facts(url, scope))
        lost, doubled = lost + found[0], doubled + found[1]

    await run_trials(trials, jobs, trial)
    return {"drill": "two replay processes at once (fresh database)", "trials": trials,
            "lost": lost, "doubled": doubled, "failed_runs": failures}


async def drill_sigterm_outage(kind: str, folder: Path, events: list[Any],
                               trials: int, jobs: int) -> dict[str, Any]:
    lost = doubled = 0
    slowest = 0.0

    class Down(Store):
        async def write(self, batch: Any) -> int:
            raise ConnectionError("the database is away")

    async def one(trial: int) -> None:
        nonlocal lost, doubled, slowest
        rng = random.Random(trial)
        url = await new_database(kind, folder)
        store = await open_store(url, Down)
        kept = folder / f"undelivered-{trial}.jsonl"
        engine = Engine(store, undelivered=kept, flush_interval=0.05, batch_size=100)
        await engine.start()
        count = rng.randint(100, 1500)
        for event in events[:count]:
            await engine.submit(event)
            if rng.random() < 0.01:
                await asyncio.sleep(rng.uniform(0, 0.5))
        started = time.monotonic()
        await engine.stop()
        slowest = max(slowest, time.monotonic() - started)
        await store.close()
        lines = Counter(kept.read_text(encoding="utf-8").splitlines()) if kept.exists() \
            else Counter()
        submitted = Counter(json.dumps(e.to_json(), ensure_ascii=False) for e in events[:count])
        found = compare(submitted, lines)
        lost, doubled = lost + found[0], doubled + found[1]

    await run_trials(trials, jobs, one)
    return {"drill": "SIGTERM (engine stop) during a database outage", "trials": trials,
            "lost": lost, "doubled": doubled, "slowest_stop_s": round(slowest, 2)}


async def drill_shutdown(folder: Path, trials: int, jobs: int) -> dict[str, Any]:
    from fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack

    slowest = 0.0
    bad_exits = failed_starts = 0

    async def one(trial: int) -> None:
        nonlocal slowest, bad_exits, failed_starts
        fake = FakeSlack()
        await fake.start()
        config = folder / f"run-{trial}.toml"
        config.write_text(f'[slack]\nbot_token = "{BOT_TOKEN}"\napp_token = "{APP_TOKEN}"\n'
                          f'signing_secret = "s"\nmode = "socket"\napi_url = "{fake.api_url}"\n',
                          encoding="utf-8")
        process = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "bot", "run", "--config", str(config), "--db",
            str(folder / f"run-{trial}.sqlite"), stderr=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL, cwd=ROOT, env={**os.environ, "INNERCIRCLE_DB": ""})
        assert process.stderr is not None
        seen = b""
        try:
            async with asyncio.timeout(START_TIMEOUT_S):
                while b"connected to workspace" not in seen:
                    line = await process.stderr.readline()
                    if not line:
                        break
                    seen += line
        except TimeoutError:
            failed_starts += 1
            process.kill()
            await process.communicate()
            await fake.stop()
            return
        await asyncio.sleep(random.Random(trial).uniform(0, 2))
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, rest = await process.communicate()
        slowest = max(slowest, time.monotonic() - started)
        if process.returncode != 0 or b"Traceback" in seen + rest:
            bad_exits += 1
        await fake.stop()

    await run_trials(trials, jobs, one)
    return {"drill": "innercircle run stopped by SIGTERM (fake Slack)", "trials": trials,
            "bad_exits": bad_exits, "slowest_shutdown_s": round(slowest, 2),
            "not_started_in_time": failed_starts}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--db", default="sqlite",
                        help="sqlite, or a PostgreSQL admin URL (databases are created)")
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--jobs", type=int, default=3, help="trials run at once")
    parser.add_argument("--only", nargs="*", choices=DRILLS, default=list(DRILLS),
                        help="the drills to run (default: all)")
    args = parser.parse_args()
    # the outage drill's engines log every failed write and what they kept: thousands of
    # lines that say nothing the figures do not
    logging.getLogger("bot").setLevel(logging.CRITICAL)
    random.seed(1)
    folder = Path(tempfile.mkdtemp(prefix="innercircle-drills-"))
    events = generate(seed=3, weeks=args.weeks, end=datetime(2026, 11, 30, tzinfo=UTC))
    scope = Scope(events[0].platform, events[0].community)
    path = folder / "events.jsonl"
    path.write_text("".join(json.dumps(e.to_json()) + "\n" for e in events), encoding="utf-8")
    clean_url = await new_database(args.db, folder)
    failures: list[str] = []
    await finished(await replay(clean_url, path), failures)
    assert not failures, failures
    clean = await facts(clean_url, scope)
    print(f"database: {args.db}; sample: {len(events):,} events, {sum(clean.values()):,} facts; "
          f"{args.trials} trials, {args.jobs} at a time", flush=True)
    drills = {
        "kill9": lambda: drill_kill9(args.db, folder, path, scope, clean, args.trials,
                                     args.jobs),
        "sigterm": lambda: drill_sigterm_outage(args.db, folder, events, args.trials,
                                                args.jobs),
        "concurrent": lambda: drill_concurrent(args.db, folder, path, scope, clean,
                                               args.trials, args.jobs),
        "shutdown": lambda: drill_shutdown(folder, args.trials, args.jobs),
    }
    for name in args.only:
        wall, cpu = time.monotonic(), cpu_s()
        result = await drills[name]()
        result["wall_s"] = round(time.monotonic() - wall, 1)
        result["cpu_s"] = round(cpu_s() - cpu, 1)
        result["load_avg"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(result), flush=True)
    if args.db != "sqlite":
        await drop_created(args.db)


if __name__ == "__main__":
    asyncio.run(main())
