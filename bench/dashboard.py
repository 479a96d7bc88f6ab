"""Page latency of the web dashboard over about 1M stored messages: every page, loaded over
HTTP from a freshly started server (the first load after start is counted), many times.

    .venv/bin/python bench/dashboard.py [--db out/bench/reports.sqlite] [--loads 100]
    .venv/bin/python bench/dashboard.py --db postgresql://postgres@127.0.0.1:5432/ic_bench

The database is the one bench/reports.py builds (built here through the real pipeline when
it is missing or empty: several minutes). The server runs in a process of its own, with its
clock set to the end of the stored history, and is timed from the client: request sent to
the whole page received; the server's CPU time per request beside it. The server process
runs as ``innercircle dashboard serve`` does: its garbage collector tuned (``tune_gc``;
untuned, its full collections made the slowest loads). Its clock starts 6 hours before the
end of the history and runs, so that every period has partial days at its ends; its warm-up
(``dashboard serve`` starts it at start) is timed and awaited before the first load, and
runs again every minute meanwhile. Long tables (advocates, unanswered) show their first
page, as a page opened from the menu does.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, CookieJar

from bot import reports
from bot.__main__ import tune_gc
from bot.config import CommunitySettings, Settings
from bot.dashboard import server
from bot.period import Period
from bot.scope import Scope
from bot.store import Store
from bot.week_cache import week_cache

END = datetime(2026, 11, 16, tzinfo=UTC)  # where bench/reports.py ends its history
SCOPE = Scope("demo", "big")
HERE = Path(__file__).parent


def _bench_reports() -> object:
    spec = importlib.util.spec_from_file_location("bench_reports", HERE / "reports.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def prepare(db: str, target: int) -> str | None:
    """Build the history if needed; the top peer advocate of the month (for the member
    page)."""
    if "://" not in db:
        Path(db).parent.mkdir(parents=True, exist_ok=True)
    store = await Store.open(db)
    try:
        if SCOPE not in await store.communities():
            print(f"building {db} with about {target:,} messages …", flush=True)
            await _bench_reports().build(store, target, END)  # type: ignore[attr-defined]
        month = Period(END - timedelta(days=30), END)
        ranked = await reports.helpers(store, SCOPE, month, CommunitySettings())
        peers = [e.advocate.user for e in ranked if not e.advocate.is_staff]
        return peers[0] if peers else None
    finally:
        await store.close()


async def serve(db: str, port: int) -> None:
    """The server process: the real application with its clock at ``END``."""
    from aiohttp import web

    from bot.dashboard.app import make_app

    tune_gc()  # as the innercircle command does
    store = await Store.open(db)
    # The clock starts 6 hours before the end of the history and runs: every period has a
    # partial day at each end, read from the database on each load as in live use.
    started, start = time.monotonic(), END.timestamp() - 6 * 3600

    def clock() -> float:
        return start + time.monotonic() - started

    week_cache(store).today = clock  # its today is read live, its past days kept
    app = await make_app(store, Settings(), clock=clock)

    @web.middleware
    async def cpu_time(request: web.Request, handler: Any) -> web.StreamResponse:
        """The server process's CPU time for the request (loads are sequential), so that
        the figures mean something on a busy machine too."""
        started = time.process_time()
        response = await handler(request)
        response.headers["Server-Timing"] = f"cpu;dur={(time.process_time() - started) * 1000:.1f}"
        return response

    app.middlewares.append(cpu_time)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    # as ``innercircle dashboard serve`` does: the weekly trends computed once at start
    # (awaited here, and timed, before the first load)
    wall, cpu = time.perf_counter(), time.process_time()
    await server.warm(store, Settings(), now=clock())
    print(f"ready {(time.perf_counter() - wall) * 1000:.0f} "
          f"{(time.process_time() - cpu) * 1000:.0f}", flush=True)
    # and, as it does, again every minute in the background while pages are loaded
    await asyncio.sleep(server.REWARM_S)
    await server.keep_warm(store, Settings(), clock=clock)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def measure(db: str, port: int, member: str | None, loads: int, days: int
                  ) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    store = await Store.open(db)
    try:
        link = server.link(await store.dashboard_key(), Settings().dashboard, SCOPE, 3600,
                           now=END.timestamp(), base=f"http://127.0.0.1:{port}")
    finally:
        await store.close()
    base = f"http://127.0.0.1:{port}/c/{SCOPE.platform}/{SCOPE.community}/"
    pages = {"overview": "", "advocates": "advocates", "unanswered": "unanswered",
             "channels": "channels", "newcomers": "newcomers"}
    if member is not None:
        pages["member"] = f"member/{member}"
    samples: dict[str, list[float]] = {name: [] for name in pages}
    cpu_samples: dict[str, list[float]] = {name: [] for name in pages}
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        async with session.get(link, allow_redirects=False) as response:  # sets the cookie
            assert response.status == 303, response.status
        for _ in range(loads):
            for name, path in pages.items():
                started = time.perf_counter()
                async with session.get(f"{base}{path}?days={days}") as response:
                    await response.read()
                    assert response.status == 200, (name, response.status)
                    cpu = float(response.headers["Server-Timing"].split("dur=")[1])
                samples[name].append((time.perf_counter() - started) * 1000)
                cpu_samples[name].append(cpu)
    return samples, cpu_samples


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 99 // 100) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="out/bench/reports.sqlite")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--loads", type=int, default=100)
    parser.add_argument("--days", type=int, default=30, choices=(7, 30, 90))
    parser.add_argument("--serve-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_port:
        asyncio.run(serve(args.db, args.serve_port))
        return
    member = asyncio.run(prepare(args.db, args.messages))
    port = free_port()
    child = subprocess.Popen([sys.executable, __file__, "--db", args.db, "--serve-port",
                              str(port)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(HERE.parent)})
    try:
        assert child.stdout is not None
        ready, warm_wall, warm_cpu = child.stdout.readline().split()
        assert ready == "ready"
        samples, cpu = asyncio.run(measure(args.db, port, member, args.loads, args.days))
    finally:
        child.terminate()
        child.wait(10)
    kind = "PostgreSQL" if "://" in args.db else "SQLite"
    load = os.getloadavg()[0]
    print(f"{kind}, {args.days}-day period, {args.loads} loads a page from a fresh server "
          f"(ms; load average {load:.1f} on {os.cpu_count()} CPUs); the server's warm-up "
          f"before the first load: {warm_wall} ms ({warm_cpu} ms CPU):")
    print(f"{'':<11} {'wall clock':^31}   {'server CPU':^23}")
    print(f"{'page':<11} {'first':>7} {'p50':>7} {'p99':>7} {'max':>7}   "
          f"{'first':>7} {'p50':>7} {'p99':>7}")
    for name, values in samples.items():
        used = cpu[name]
        print(f"{name:<11} {values[0]:7.1f} {statistics.median(values):7.1f} "
              f"{p99(values):7.1f} {max(values):7.1f}   {used[0]:7.1f} "
              f"{statistics.median(used):7.1f} {p99(used):7.1f}")


if __name__ == "__main__":
    main()
