"""Import and live are one history on Slack: an export imported, then the bot's catch-up
over overlapping history, counts every message once and stores exactly what catch-up
alone stores from the same history."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fake_slack import TEAM, FakeSlack
from slack_helpers import ADMIN, ALICE, BOB, CAROL, DAVE, GENERAL, HELP, StartBot, msg, stamp
from sqlalchemy import select

from bot.config import CommunitySettings
from bot.engine import Engine
from bot.imports.report import ImportReport
from bot.imports.run import ingest_export
from bot.imports.slack_export import SlackExport
from bot.imports.source import ExportFiles
from bot.scope import Scope
from bot.store import Store
from bot.store.schema import messages
from tests.imports.export_writers import SlackExportWriter
from tests.imports.history_facts import stored_history

SCOPE = Scope("slack", TEAM)
NAMES = {GENERAL: "general", HELP: "help"}


def history(now: float) -> list[tuple[str, dict[str, Any]]]:
    """Two days of both channels, oldest first: threads, staff answers, a bot."""
    q1, q2, q3, q4 = (stamp(m, now) for m in (2880, 2000, 900, 300))
    return [
        (GENERAL, msg(ALICE, "How do I enable verbose logging for the sync worker?", q1)),
        (GENERAL, msg(BOB, "Start it with --log-level debug.", stamp(2870, now),
                      thread_ts=q1)),
        (HELP, msg(CAROL, "Can the CLI read its token from a file?", q2)),
        (HELP, msg(ADMIN, "Yes: put it in ~/.config/tool/token.", stamp(1990, now),
                   thread_ts=q2)),
        (GENERAL, msg("UDEPLOY", "Deploy finished", stamp(1500, now), bot_id="BDEPLOY",
                      subtype="bot_message")),
        (GENERAL, msg(DAVE, "good morning all", stamp(1000, now))),
        (HELP, msg(DAVE, "Is there a dark theme for the web console?", q3)),
        # -- the export ends here; what follows happened after it was made --
        (GENERAL, msg(CAROL, "And LOG_FORMAT=json if you ship the logs.", stamp(800, now),
                      thread_ts=q1)),
        (HELP, msg(ALICE, "Settings → Appearance → Dark.", stamp(700, now), thread_ts=q3)),
        (GENERAL, msg(BOB, "Why does the agent stop at night?", q4)),
        (GENERAL, msg(DAVE, "It sleeps with the laptop lid closed.", stamp(290, now),
                      thread_ts=q4)),
    ]


def export_of(fake: FakeSlack, said: list[tuple[str, dict[str, Any]]], folder: Path) -> Path:
    """What Slack's export of ``said`` holds: roots with replies carry their thread_ts."""
    w = SlackExportWriter(team=TEAM)
    w.users += [u for u in fake.users.values() if u["id"] != "UBOT"]
    for channel, name in NAMES.items():
        w.channel(channel, name, general=name == "general")
    roots = {m["thread_ts"] for _, m in said if m.get("thread_ts")}
    for channel, message in said:
        copy = dict(message)
        if copy["ts"] in roots:
            copy["thread_ts"] = copy["ts"]
        w.post(NAMES[channel], copy)
    return w.folder(folder)


async def import_export(store: Store, folder: Path) -> ImportReport:
    report = ImportReport()
    with ExportFiles(folder) as files:
        await ingest_export(Engine(store, CommunitySettings(), clock=time.time),
                            SlackExport(files, report), report)
    assert not report.bad
    return report


async def facts(store: Store, scope: Scope = SCOPE) -> dict[str, Any]:
    return await stored_history(store, scope, CommunitySettings())


async def _read_by_catch_up_alone(start_bot: StartBot, tmp_path: Path) -> dict[str, Any]:
    """The facts of the same history read by the bot's catch-up into a database of its own."""
    alone_store = await Store.open(str(tmp_path / "alone.sqlite"))
    try:
        await start_bot(store=alone_store)
        return await facts(alone_store)
    finally:
        await alone_store.close()


async def test_import_then_catch_up_equals_catch_up_alone(
        fake: FakeSlack, start_bot: StartBot, sqlite_store: Store, tmp_path: Path) -> None:
    said = history(time.time())
    for channel, message in said:
        fake.messages.setdefault(channel, []).append(message)
    fake.page_size = 3

    imported = await import_export(sqlite_store, export_of(fake, said[:7], tmp_path / "x"))
    assert imported.stats.messages == 6  # the bot's message is not one
    bot = await start_bot()  # catch-up over the overlapping history
    assert bot.catchup_report is not None and not bot.catchup_report.skipped
    both = await facts(sqlite_store)

    alone = await _read_by_catch_up_alone(start_bot, tmp_path)

    assert len(both["messages"]) == 10  # every human message once
    assert len({m[0] for m in both["messages"]}) == 10
    for key in both:
        assert both[key] == alone[key], key
    assert both["health"]["questions"] == 4 and both["health"]["answered"] == 4


async def test_importing_after_the_bot_ran_adds_only_what_it_never_saw(
        fake: FakeSlack, start_bot: StartBot, sqlite_store: Store, tmp_path: Path) -> None:
    said = history(time.time())
    for channel, message in said:
        fake.messages.setdefault(channel, []).append(message)
    await start_bot(catchup_days=1)  # the bot read the last day only: 5 messages
    report = await import_export(sqlite_store, export_of(fake, said, tmp_path / "x"))
    assert report.stats.duplicates == 5
    # the two older threads, and a reply of the last day in a thread begun before it
    assert report.stats.messages == 5
    async with sqlite_store.engine.connect() as conn:
        ids = (await conn.execute(select(messages.c.id))).scalars().all()
    assert len(ids) == len(set(ids)) == 10
    reverse = await facts(sqlite_store)

    alone = await _read_by_catch_up_alone(start_bot, tmp_path)
    # Carol's late reply in q1's thread is an answer in neither (the limit of a reply
    # read before its question shows in the Discord test): the same facts
    for key in alone:
        assert reverse[key] == alone[key], key
