"""Imported history follows the privacy rules: no text past the retention, forgotten members
stay gone, opted-out members are anonymised as they are imported."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.engine import Engine
from bot.imports.report import ImportReport
from bot.imports.run import ingest_export
from bot.imports.slack_export import SlackExport
from bot.imports.source import ExportFiles
from bot.scope import Scope
from bot.store import Store
from bot.store.schema import excerpts, messages
from tests.cogs.test_privacy import rows_mentioning
from tests.imports.export_writers import TEAM, SlackExportWriter, slack_user

SCOPE = Scope("slack", TEAM)
NOW = datetime.now(UTC)
OLD_Q = "Why does the nightly export skip archived projects?"
NEW_Q = "How do I pin a dashboard to the sidebar?"


def ts(at: datetime) -> str:
    return f"{at.timestamp():.6f}"


def export(path: Path) -> Path:
    w = SlackExportWriter()
    w.users += [slack_user("UANN", "Ann"), slack_user("UBOB", "Bobbington")]
    w.channel("CHELP", "help")
    old, new = NOW - timedelta(days=20), NOW - timedelta(days=2)
    w.msg("help", "UANN", OLD_Q, ts(old), thread_ts=ts(old))
    w.msg("help", "UBOB", "It only reads active ones, flip the filter", ts(old + timedelta(
        minutes=3)), thread_ts=ts(old))
    w.msg("help", "UBOB", "Is the Bobbington plugin still maintained?", ts(new))
    w.msg("help", "UANN", NEW_Q, ts(new + timedelta(minutes=5)))
    return w.folder(path)


async def run(store: Store, path: Path) -> ImportReport:
    report = ImportReport()
    with ExportFiles(path) as files:
        await ingest_export(Engine(store, clock=time.time), SlackExport(files, report), report)
    return report


async def test_questions_older_than_the_retention_keep_no_text(tmp_path: Path,
                                                                store: Store) -> None:
    report = await run(store, export(tmp_path / "export"))
    assert report.stats.questions == 3
    async with store.engine.connect() as conn:
        kept = (await conn.execute(select(excerpts.c.text))).scalars().all()
    assert sorted(kept) == sorted(["Is the Bobbington plugin still maintained?", NEW_Q])
    assert await rows_mentioning(store, "nightly export") == {}  # on no table at all


async def test_forgotten_members_are_not_brought_back(tmp_path: Path, store: Store) -> None:
    await store.forget(SCOPE, "UBOB", time.time())
    report = await run(store, export(tmp_path / "export"))
    assert report.stats.messages == 2 and report.stats.answers == 0
    assert await rows_mentioning(store, "UBOB") == {}
    assert await rows_mentioning(store, "Bobbington") == {}


async def test_opted_out_members_are_anonymised_at_import(tmp_path: Path, store: Store) -> None:
    anon = await store.opt_out(SCOPE, "UBOB", time.time())
    report = await run(store, export(tmp_path / "export"))
    assert report.stats.messages == 4 and report.stats.answers == 1
    assert set(await rows_mentioning(store, "UBOB")) == set()
    assert set(await rows_mentioning(store, "Bobbington")) == {"excerpts"}  # his question's text
    async with store.engine.connect() as conn:
        authors = (await conn.execute(select(messages.c.author))).scalars().all()
    assert sorted(authors) == sorted(["UANN", "UANN", anon, anon])
