"""``innercircle demo``: a sample community through the real pipeline, and what a community
manager would read about it."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.progress import Progress
from rich.text import Text

from bot import reports
from bot.app import build_runtime
from bot.config import Settings
from bot.engine import Engine, IngestStats
from bot.period import last_complete_week
from bot.render import text
from bot.render.chart import weekly_trend_png
from bot.render.terminal import plain
from bot.sample import generate
from bot.store import Store
from bot.weekly.digest import build_digest

CHUNK = 2000
DEMO_LINK_TTL_S = 24 * 3600


async def run_demo(settings: Settings, out: Path, seed: int, weeks: int, console: Console,
                   now: datetime | None = None) -> None:
    """Generate, replay and report. Everything lands in ``out`` (a fresh database each run)."""
    out.mkdir(parents=True, exist_ok=True)
    database = out / "demo.sqlite"
    for stale in out.glob("demo.sqlite*"):
        stale.unlink()
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    console.rule("[bold]Innercircle demo")
    events = generate(seed=seed, weeks=weeks, end=now)
    events_file = out / "events.jsonl"
    with events_file.open("w", encoding="utf-8") as handle:
        for event in events:
            handle.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
    console.print(f"Generated a sample community: {len(events):,} events over {weeks} weeks "
                  f"(seed {seed}) → {events_file}")

    store = await Store.open(str(database))
    try:
        engine = Engine(store, settings.community, batch_size=settings.engine.batch_size)
        stats = IngestStats()
        started = time.perf_counter()
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Replaying through the pipeline", total=len(events))
            for start in range(0, len(events), CHUNK):
                part = events[start:start + CHUNK]
                stats.add(await engine.ingest(part))
                progress.advance(task, len(part))
        elapsed = time.perf_counter() - started
        console.print(f"Replayed {stats.messages:,} messages in {elapsed:.1f} s: "
                      f"{stats.questions:,} questions, {stats.answers:,} answers, "
                      f"{stats.acks:,} acknowledgements → {database}\n")
        await _print_reports(store, engine, settings, now, out, console)
        await _dashboard_link(store, settings, database, console)
    finally:
        await store.close()


async def _dashboard_link(store: Store, settings: Settings, database: Path, console: Console
                          ) -> None:
    """The last thing shown: how to see the demo in the web dashboard."""
    from bot.dashboard.server import link

    scope = (await store.communities())[0]
    url = link(await store.dashboard_key(), settings.dashboard, scope, DEMO_LINK_TTL_S)
    console.print("\nSee it in the web dashboard: serve it with")
    console.print(f"  innercircle dashboard serve --db {database}", soft_wrap=True,
                  markup=False, highlight=False)
    console.print("then open this link (valid 24 hours):")
    console.print(url, soft_wrap=True, markup=False, highlight=False)


async def _print_reports(store: Store, engine: Engine, settings: Settings, now: datetime,
                         out: Path, console: Console) -> None:
    """One story: every section is about the same week, the last complete calendar week in
    the community's timezone, as the weekly post and the digest are."""
    scope = (await store.communities())[0]
    community = settings.community.with_overrides(await store.settings_overrides(scope))
    zone = community.timezone
    week = last_complete_week(now, zone)
    console.print(f"[bold]Everything below is about the last complete week, "
                  f"{week.label(zone)}, Monday to Sunday.[/bold]\n")
    health = await reports.health(store, scope, week, community)
    before = await reports.health(store, scope, week.previous(), community)
    console.print(text.health_table(health, before, week, zone))
    console.print(text.HEALTH_NOTES, highlight=False)

    ranked = await reports.helpers(store, scope, week, community)
    console.print(text.helpers_table(ranked, week, zone, limit=10))

    open_questions = await reports.unanswered(store, scope, week, now.timestamp())
    console.print(text.unanswered_table(open_questions, week, zone, limit=8))
    late = health.unanswered - len(open_questions)
    if late > 0:
        console.print(f"({late} of the week's {health.unanswered} unanswered questions got "
                      f"an answer later than {community.answer_window_hours:g} hours: they "
                      "count as unanswered but are no longer open.)")

    weeks = await reports.chart_weeks(store, scope, week, zone)
    series = await reports.weekly_series(store, scope, weeks, community)
    chart = out / "weekly-trend.png"
    chart.write_bytes(await asyncio.to_thread(weekly_trend_png, series,
                                              "Sample community: weekly trend", zone))
    console.print(f"\nWeekly trend chart (questions, share answered, first response): {chart}")

    runtime = build_runtime(settings, store, engine, clock=now.timestamp)
    digest = await build_digest(runtime, scope, now.timestamp())
    console.print(Panel(Text(plain(digest.plain_text(marked=True))),
                        title="Moderator digest (sent by DM)", expand=False))
    console.print(next_steps(out))


def next_steps(out: Path) -> str:
    """The commands to try next, as they work from this folder."""
    db = out / "demo.sqlite"
    on_path = shutil.which("innercircle") is not None
    activate = "" if on_path else ("  source .venv/bin/activate              "
                                   "# once per terminal: puts innercircle on the PATH\n")
    return ("\n[bold]Next, try:[/bold]\n" + activate
            + f"  innercircle report health --db {db} --period last-week\n"
            f"  innercircle report helpers --db {db} --period 30d\n"
            f"  innercircle report unanswered --db {db} --period last-week\n"
            f"  innercircle communities --db {db}\n"
            "  innercircle check                      # before running the bot (README)")
