"""Backfill: history beyond catch-up, read through a platform's API (``/circle backfill
days:N``, ``innercircle backfill --days N``).

A platform offers its history as *places* (channels, threads, forum posts) read oldest
first; each place's messages go through the engine like catch-up (the engine drops those
it already has, so nothing counts twice). A place is recorded as read once it is, so a
backfill cut short by a restart resumes where it stopped. Rate limits are the platform
clients' to honour (``Retry-After``); a place the platform refuses is skipped with its
reason. Questions older than the text retention keep no text: expired excerpts are
deleted as soon as each place is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from bot.catchup import HistorySource, PlaceRefused, Start
from bot.engine import Engine
from bot.features import Reply
from bot.scope import Scope
from bot.store import Store

log = logging.getLogger(__name__)

DAY = 86400
MAX_DAYS = 3650


@runtime_checkable
class BackfillPlatform(Protocol):
    """A platform connection that can read its history back through its API."""

    async def start_backfill(self, scope: Scope, days: int, requested_by: str | None
                             ) -> AsyncIterator[Reply] | str:
        """Start a backfill; its progress as reply updates, or why it cannot start."""
        ...


@dataclass(slots=True)
class BackfillProgress:
    """Where a backfill is: shown in the reply it edits and the DM it sends when done."""

    days: int
    places: int = 0
    read: int = 0
    messages: int = 0
    finished: bool = False
    skipped: dict[str, str] = field(default_factory=dict)

    def reply(self) -> Reply:
        if self.finished:
            title = f"Backfill of {self.days} days done"
            text = (f"{self.messages:,} messages the bot had not seen, from {self.read:,} "
                    f"channels, threads and forum posts. The reports now cover them.")
        else:
            title = f"Backfill of {self.days} days"
            text = (f"{self.read:,} of {self.places:,} channels, threads and forum posts "
                    f"read, {self.messages:,} new messages so far. I will send you a message "
                    f"when it is done.")
        lines = [f"Skipped {place}: {reason}" for place, reason in
                 list(self.skipped.items())[:10]]
        return Reply(title=title, text=text, lines=lines,
                     tone="good" if self.finished else "info")


Report = Callable[[BackfillProgress], Awaitable[None]]


async def run_backfill(source: HistorySource, engine: Engine, store: Store, days: int | None,
                       requested_by: str | None, report: Report,
                       clock: Callable[[], float] = time.time) -> BackfillProgress:
    """Read ``days`` of history (``None``: resume the unfinished backfill)."""
    scope = source.scope
    job = await store.backfill_job(scope)
    done: frozenset[str] = frozenset()
    if days is None:
        if job is None or job.finished_at is not None:
            return BackfillProgress(days=0, finished=True)
        days, since, done = job.days, job.since_ts, job.done
        progress = BackfillProgress(days, messages=job.messages)
    else:
        since = clock() - days * DAY
        await store.start_backfill(scope, days, since, requested_by, clock())
        progress = BackfillProgress(days)
    places = await source.places(since)
    progress.places = len(places)
    progress.read = sum(1 for p in places if p.key in done)
    await report(progress)
    start = Start(None, since, initial=True)  # history: its first members are not new
    for place in places:
        if place.key in done:
            continue
        count = 0
        try:
            async for events in source.read(place, start):
                added = (await engine.ingest(events, catchup=True)).messages
                count += added
                progress.messages += added
                await report(progress)
        except PlaceRefused as error:
            progress.skipped[str(place)] = str(error)
            log.warning("backfill of %s: %s skipped: %s", scope, place, error)
        await store.purge_expired_excerpts(clock())
        await store.backfill_place_done(scope, place.key, count)
        progress.read += 1
        await report(progress)
    await store.finish_backfill(scope, clock())
    progress.finished = True
    await report(progress)
    log.info("backfill of %s: %d days, %d messages from %d places", scope, days,
             progress.messages, progress.read)
    return progress


SendDm = Callable[[Scope, str, Reply], Awaitable[bool]]


class Backfills:
    """The backfills of one platform connection, one per community at a time. Progress goes
    to the reply that asked (as updates) and, when done, by DM to whoever asked."""

    def __init__(self, engine: Engine, store: Store, send_dm: SendDm) -> None:
        self.engine = engine
        self.store = store
        self.send_dm = send_dm
        self.running: dict[Scope, asyncio.Task[BackfillProgress]] = {}

    def start(self, source: HistorySource, days: int | None, requested_by: str | None
              ) -> AsyncIterator[Reply] | str:
        """Run a backfill in the background (``days=None``: resume the unfinished one);
        the returned iterator yields its progress until it ends; or why it cannot start."""
        scope = source.scope
        task = self.running.get(scope)
        if task is not None and not task.done():
            return "a backfill is already running in this community; you will get a " \
                   "message when it is done"
        updates: asyncio.Queue[Reply | None] = asyncio.Queue()

        async def report(progress: BackfillProgress) -> None:
            updates.put_nowait(progress.reply())

        async def run() -> BackfillProgress:
            try:
                result = await run_backfill(source, self.engine, self.store, days,
                                            requested_by, report)
                if requested_by and result.days:
                    await self.send_dm(scope, requested_by, result.reply())
                return result
            finally:
                updates.put_nowait(None)

        task = asyncio.create_task(run(), name=f"backfill {scope}")
        task.add_done_callback(_log_failure)
        self.running[scope] = task

        async def follow() -> AsyncIterator[Reply]:
            while (reply := await updates.get()) is not None:
                while not updates.empty():  # only the latest matters
                    newer = updates.get_nowait()
                    if newer is None:
                        yield reply
                        return
                    reply = newer
                yield reply

        return follow()

    async def resume(self, source: HistorySource) -> None:
        """Finish the backfill a restart cut short, if any (its asker gets the DM)."""
        job = await self.store.backfill_job(source.scope)
        if job is None or job.finished_at is not None:
            return
        log.info("backfill of %s: resuming (%d of its places read)", source.scope,
                 len(job.done))
        started = self.start(source, None, job.requested_by)
        if not isinstance(started, str):
            async for _ in started:
                pass

    async def stop(self) -> None:
        for task in self.running.values():
            task.cancel()
        for task in self.running.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _log_failure(task: asyncio.Task[BackfillProgress]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("a backfill failed (it resumes at the next start): %s", task.exception())
