"""``innercircle import slack|discord``: an export into the database, with progress."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from bot.config import Settings
from bot.engine import Engine
from bot.imports.discord_export import DiscordExport
from bot.imports.report import ImportReport
from bot.imports.run import BATCH_SIZE, CACHE_KIB, ExportReader, chunk_size, ingest_export
from bot.imports.slack_export import SlackExport
from bot.imports.source import ExportFiles
from bot.store import Store

PLAIN_EVERY_S = 5.0
SHOWN_BAD = 50


def say(console: Console, text: str) -> None:
    """One line as it is: no markup, no highlighting, no wrapping."""
    console.print(text, highlight=False, markup=False, soft_wrap=True)


def printable(text: str) -> str:
    """Names from an export, safe for a terminal: control characters are shown escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


class PlainProgress:
    """Without a terminal: a line every few seconds (messages, rate, share, time left)."""

    def __init__(self, console: Console, every: float = PLAIN_EVERY_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console
        self.every = every
        self.clock = clock
        self.start = clock()
        self.last = self.start

    def __call__(self, done: int, total: int, messages: int) -> None:
        now = self.clock()
        if now - self.last < self.every:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        share = done / total if total else 1.0
        left = elapsed * (1 - share) / share if share > 0 else None
        eta = f", about {int(left) // 60}:{int(left) % 60:02d} left" if left is not None else ""
        say(self.console, f"imported {messages:,} messages ({messages / elapsed:,.0f}/s), "
                          f"{share:.0%} of the export{eta}")


class BarProgress:
    """On a terminal: a bar over the export's bytes, with messages, messages/s and ETA."""

    def __init__(self, console: Console, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.start = clock()
        self.bar = Progress(TextColumn("importing"), BarColumn(),
                            TextColumn("{task.fields[messages]:>10,} messages"),
                            TextColumn("{task.fields[rate]:>8,.0f} msg/s"),
                            TimeRemainingColumn(), console=console, transient=True)
        self.task = self.bar.add_task("import", total=None, messages=0, rate=0.0)

    def __enter__(self) -> BarProgress:
        self.bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.bar.stop()

    def __call__(self, done: int, total: int, messages: int) -> None:
        rate = messages / max(self.clock() - self.start, 1e-9)
        self.bar.update(self.task, completed=done, total=total or None, messages=messages,
                        rate=rate)


async def import_into(url: str, settings: Settings, open_reader: Callable[[ImportReport],
                      ExportReader], console: Console | None, *, progress: bool) -> ImportReport:
    """Open the reader (errors raise before the database is touched), then ingest."""
    report = ImportReport()
    reader = open_reader(report)
    store = await Store.open(url, sqlite_cache_kib=CACHE_KIB)
    try:
        batch = max(settings.engine.batch_size, BATCH_SIZE)
        # each ingest call one part: its batches but the last are written while computing
        engine = Engine(store, settings.community, batch_size=batch, part_size=chunk_size(batch),
                        clock=time.time)
        if not progress or console is None:
            await ingest_export(engine, reader, report)
        elif console.is_terminal:
            with BarProgress(console) as bar:
                await ingest_export(engine, reader, report, bar)
        else:
            await ingest_export(engine, reader, report, PlainProgress(console))
    finally:
        await store.close()
    return report


async def import_slack(path: Path, settings: Settings, url: str, console: Console | None, *,
                       community: str | None, channels: list[str] | None,
                       progress: bool = True) -> ImportReport:
    """Import a Slack workspace export (ZIP or folder)."""
    with ExportFiles(path) as files:
        return await import_into(
            url, settings, lambda report: SlackExport(files, report, community=community,
                                                      only=channels),
            console, progress=progress)


async def import_discord(paths: list[Path], settings: Settings, url: str,
                         console: Console | None, *, progress: bool = True) -> ImportReport:
    """Import DiscordChatExporter JSON files (files or folders of them)."""
    return await import_into(url, settings, lambda report: DiscordExport(paths, report),
                             console, progress=progress)


def print_summary(report: ImportReport, out: Console, errors: Console) -> None:
    """What was imported, what was skipped and why, and the bad records (on ``errors``)."""
    s = report.stats
    where = ", ".join(report.communities) or "no community"
    say(out, f"Imported {s.messages:,} messages ({s.questions:,} questions, {s.answers:,} "
              f"answers, {s.acks:,} acknowledgements) by {len(report.members):,} members in "
              f"{len(report.channels):,} channels ({printable(where)}).")
    skipped = report.as_json()["skipped"]
    if skipped:
        say(out, "Skipped: " + "; ".join(f"{count:,} {printable(reason)}"
                                          for reason, count in skipped.items()) + ".")
    for note in report.notes:
        say(out, f"Note: {printable(note)}.")
    for bad in report.bad[:SHOWN_BAD]:
        say(errors, printable(str(bad)))
    if len(report.bad) > SHOWN_BAD:
        say(errors, f"… and {len(report.bad) - SHOWN_BAD:,} more bad records")
    if report.bad:
        say(errors, f"{len(report.bad):,} bad records or files were not imported; the rest "
                     "was.")
