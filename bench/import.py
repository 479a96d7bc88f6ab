"""How fast a Slack workspace export imports: a generated export of about 1M messages (the
sample community, block after block of eight weeks, written as Slack writes its exports:
a ZIP of channel folders of day files, threads, reactions, joins) imported into SQLite by
the same code as ``innercircle import slack``.

    .venv/bin/python bench/import.py [--messages 1000000] [--scale 24] [--runs 1] [--read-only]

The export is generated once into ``out/bench/`` and reused (``--fresh`` makes it again).
Prints figures; pass/fail is for tests, not benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import tempfile
import time
import zipfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.__main__ import tune_gc
from bot.commands.import_export import import_slack
from bot.config import Settings
from bot.events import MemberJoin, Message, Reaction
from bot.imports.report import ImportReport
from bot.imports.slack_export import SlackExport
from bot.imports.source import ExportFiles
from bot.sample import generate

TEAM = "T0BENCH"
END = datetime(2026, 11, 16, tzinfo=UTC)
WEEKS = 8
EMOJI = {"✅": "white_check_mark", "👍": "+1::skin-tone-3", "🙏": "pray"}


def channel_id(name: str) -> str:
    return "C" + name.upper().replace("-", "")


class ExportWriter:
    """Writes blocks of sample events into a ZIP laid out like a Slack export."""

    def __init__(self, path: Path) -> None:
        self.archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: set[str] = set()
        self.written: set[str] = set()
        self.counter = 0
        self.messages = 0

    def user(self, uid: str, name: str | None, staff: bool) -> str:
        slack_id = f"U{uid.upper()}"
        if slack_id not in self.users:
            self.users[slack_id] = {
                "id": slack_id, "team_id": TEAM, "name": name or uid, "deleted": False,
                "real_name": name or uid, "is_admin": staff, "is_owner": False,
                "is_bot": False, "profile": {"real_name": name or uid,
                                             "display_name": name or uid}}
        return slack_id

    def block(self, events: list[Any]) -> None:
        days: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        by_id: dict[str, dict[str, Any]] = {}
        by_ts: dict[str, dict[str, Any]] = {}
        root_of: dict[str, str] = {}  # sample id -> the Slack ts of its thread's root
        for event in events:
            if isinstance(event, Message):
                self.counter += 1
                ts = f"{int(event.ts.timestamp())}.{self.counter % 1_000_000:06d}"
                target = event.thread or event.reply_to  # Slack has threads, not replies
                message: dict[str, Any] = {
                    "type": "message", "text": event.text, "ts": ts, "team": TEAM,
                    "user": self.user(event.author, event.author_name,
                                      "Staff" in event.author_roles)}
                if target is not None and target != event.id and target in by_id:
                    root_ts = root_of[target]
                    message["thread_ts"] = root_ts
                    by_ts[root_ts]["_has_replies"] = True
                    root_of[event.id] = root_ts
                else:
                    root_of[event.id] = ts
                by_id[event.id] = by_ts[ts] = message
                self.channels.add(event.channel)
                day = event.ts.strftime("%Y-%m-%d")
                days[(event.channel, day)].append(message)
                self.messages += 1
            elif isinstance(event, Reaction) and event.message in by_id:
                reactions = by_id[event.message].setdefault("reactions", [])
                reactions.append({"name": EMOJI.get(event.emoji, "eyes"),
                                  "users": [self.user(event.user, None, False)], "count": 1})
            elif isinstance(event, MemberJoin):
                uid = self.user(event.user, event.user_name, False)
                self.counter += 1
                ts = f"{int(event.ts.timestamp())}.{self.counter % 1_000_000:06d}"
                days[("general", event.ts.strftime("%Y-%m-%d"))].append(
                    {"type": "message", "subtype": "channel_join", "user": uid, "ts": ts,
                     "text": f"<@{uid}> has joined the channel"})
        for message in by_id.values():
            if message.pop("_has_replies", False):
                message["thread_ts"] = message["ts"]
        for (channel, day), messages in days.items():
            name = f"{channel}/{day}.json"
            if name in self.written:
                raise RuntimeError(f"{name} written twice: blocks overlap")
            self.written.add(name)
            self.archive.writestr(name, json.dumps(messages, ensure_ascii=False))

    def close(self) -> None:
        self.archive.writestr("users.json", json.dumps(list(self.users.values())))
        self.archive.writestr("channels.json", json.dumps([
            {"id": channel_id(c), "name": c, "is_general": c == "general", "created": 0}
            for c in sorted(self.channels | {"general"})]))
        for name in ("groups.json", "dms.json", "mpims.json"):
            self.archive.writestr(name, "[]")
        self.archive.close()


def make_export(path: Path, messages: int, scale: int) -> int:
    """Generate sample blocks, newest last, until ``messages`` are written."""
    writer = ExportWriter(path.with_suffix(".partial"))
    index = 0
    while writer.messages < messages:
        index += 1
        print(f"  block {index}: {writer.messages:,} messages so far", flush=True)
        end = END - timedelta(weeks=WEEKS * (40 - index))
        writer.block(generate(seed=100 + index, weeks=WEEKS, end=end, scale=scale,
                              id_prefix=f"b{index}-"))
    writer.close()
    path.with_suffix(".partial").rename(path)
    return writer.messages


def children_cpu() -> float:
    """CPU seconds of this process's ended children (the export's reader process)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


async def run_import(export: Path, db: Path) -> tuple[float, float, float, Any]:
    started, cpu, worker = time.perf_counter(), time.process_time(), children_cpu()
    report = await import_slack(export, Settings(), str(db), None, community=None,
                                channels=None, progress=False)
    return (time.perf_counter() - started, time.process_time() - cpu,
            children_cpu() - worker, report)


async def read_only(export: Path, parallel: bool) -> tuple[float, float, float, int]:
    """The export read into events, without the engine: what the import adds to it."""
    started, cpu, worker = time.perf_counter(), time.process_time(), children_cpu()
    report = ImportReport()
    with ExportFiles(export) as files:
        async for events in SlackExport(files, report, parallel=parallel).chunks():
            report.saw(events)
    return (time.perf_counter() - started, time.process_time() - cpu,
            children_cpu() - worker, report.read)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--scale", type=int, default=24)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="generate the export again")
    parser.add_argument("--read-only", action="store_true",
                        help="also time reading the export alone (here, then in a second "
                             "process), without the engine")
    args = parser.parse_args()
    export = Path("out/bench") / f"slack-export-{args.messages}-s{args.scale}.zip"
    export.parent.mkdir(parents=True, exist_ok=True)
    if args.fresh or not export.exists():
        print(f"generating {export} …", flush=True)
        started = time.perf_counter()
        count = make_export(export, args.messages, args.scale)
        print(f"  {count:,} messages in {time.perf_counter() - started:.0f} s")
    size_mb = export.stat().st_size / 1e6
    with zipfile.ZipFile(export) as archive:
        files = len(archive.namelist())
        raw_mb = sum(i.file_size for i in archive.infolist()) / 1e6
    print(f"export: {size_mb:,.0f} MB zipped, {raw_mb:,.0f} MB of JSON, {files:,} files")
    print(f"load average at the start: {load_average()}")
    if args.read_only:
        for parallel in (False, True):
            wall, cpu, worker, count = asyncio.run(read_only(export, parallel))
            where = "in a second process" if parallel else "in this process"
            print(f"reading alone, {where}: {count:,} messages in {wall:.1f} s "
                  f"({cpu:.1f} CPU-s here, {worker:.1f} CPU-s in the reader process)",
                  flush=True)
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as folder:
            wall, cpu, worker, report = asyncio.run(
                run_import(export, Path(folder) / "import.sqlite"))
        s = report.stats
        print(f"run {run}: {s.messages:,} messages imported in {wall:.1f} s = "
              f"{s.messages / wall:,.0f} messages/s ({cpu:.1f} CPU-s in this process + "
              f"{worker:.1f} CPU-s in the reader process; {s.questions:,} "
              f"questions, {s.answers:,} answers, {s.acks:,} acknowledgements, "
              f"{len(report.members):,} members; {len(report.bad)} bad records)", flush=True)
        print(f"load average after run {run}: {load_average()}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process): {peak_mb:,.0f} MB")


if __name__ == "__main__":
    tune_gc()  # as the innercircle command does
    main()
