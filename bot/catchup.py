"""Catching up on history: one design for every platform, and for backfill.

A platform offers its history as a ``HistorySource``: the *places* to read (channels,
threads, forum posts) and, for one place, its events page by page, oldest first. This module
does the rest the same way everywhere:

- the plan: where each place starts (``Start``) — after the last message seen there (the
  store's cursor), never earlier than ``days`` back; ``initial`` when nothing of the place (nor
  of its channel) was seen before, so members first seen there do not count as newcomers;
- the ingest: each page goes to the engine as it comes, in chunks; the engine drops the
  messages it already has, so a read that overlaps what was seen counts nothing twice;
- the report: places read, messages, and each place skipped with the reason the platform
  gave (``/circle status`` shows it).

A place the platform refuses (``PlaceRefused``) is skipped; what was read of it before the
refusal stays ingested, and its cursor only moves over what was ingested, so the next
catch-up reads the rest. ``SourceRefused`` (a revoked token) stops the whole catch-up.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.engine import Engine
from bot.events import Event, Message
from bot.scope import Scope
from bot.store import Store

log = logging.getLogger(__name__)

DAY = 86400
CHUNK = 500  # events handed to the engine at once
Cursor = tuple[float, str | None]  # (time, id) of the last message seen in a place


class PlaceRefused(Exception):
    """The platform would not give this place's history; the message says why, for people."""


class SourceRefused(Exception):
    """The platform refuses all history (a revoked token): nothing can be read."""


@dataclass(frozen=True, slots=True)
class Place:
    """Somewhere history is read from: a channel, or a thread or forum post in one."""

    key: str  # stable across restarts: the store's cursor key ("C1", or "C1/T1" in a thread)
    channel: str  # the channel it belongs to (itself, for a channel)
    name: str = ""  # for logs and the report

    def __str__(self) -> str:
        return self.name or self.key


@dataclass(frozen=True, slots=True)
class Start:
    """Where one place's read starts."""

    after: Cursor | None  # the last message seen there (read what came after it), if any
    since: float  # never read earlier than this
    initial: bool  # nothing of the place (nor of its channel) was seen before
    seen: Mapping[str, Cursor] = field(default_factory=dict)  # every cursor of the community


class HistorySource(Protocol):
    """A community's history on one platform, place by place (what an adapter provides)."""

    scope: Scope

    async def places(self, since: float) -> Sequence[Place]:
        """The places to read, in the order to read them. Raises ``SourceRefused``."""
        ...

    def read(self, place: Place, start: Start) -> AsyncIterator[list[Event]]:
        """``place``'s events from ``start`` on, oldest first, a page at a time; each page
        may be ingested as it comes. Raises ``PlaceRefused`` (or ``SourceRefused``)."""
        ...


@dataclass(slots=True)
class CatchupReport:
    """What one catch-up read: logged, and shown by ``/circle status``."""

    places: int = 0
    messages: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # place -> reason
    done: bool = False
    total: int = 0  # places to read: with ``places`` and ``messages``, the progress so far

    def summary(self) -> str:
        if not self.done:
            return (f"reading history: {self.places} of {self.total} channels and threads "
                    f"done, {self.messages:,} messages so far; figures fill in as it goes")
        text = f"caught up on {self.places} channels and threads: {self.messages} messages"
        if self.skipped:
            text += f"; {len(self.skipped)} skipped"
        return text


def plan(place: Place, cursors: Mapping[str, Cursor], since: float) -> Start:
    """Where ``place``'s read starts, from the cursors stored so far."""
    after = cursors.get(place.key)
    initial = after is None and place.channel not in cursors
    return Start(after, since, initial, cursors)


async def catch_up(source: HistorySource, engine: Engine, store: Store, now: float,
                   days: int, places: Sequence[Place] | None = None,
                   report: CatchupReport | None = None) -> CatchupReport:
    """Read what was said since the last message seen in each place (or in ``places``),
    at most ``days`` back, into the engine; ``report`` (when given) shows the progress
    while it runs. Raises ``SourceRefused``."""
    scope = source.scope
    await engine.flush()  # live events received so far are stored: their cursors count
    cursors = await store.channel_cursors(scope)
    since = now - days * DAY
    report = report if report is not None else CatchupReport()
    try:
        listed = places if places is not None else await source.places(since)
    except PlaceRefused as error:  # nothing listed: nothing read, said why
        log.error("catch-up of %s: %s", scope, error)
        report.skipped["*"] = str(error)
        report.done = True
        return report
    report.total = len(listed)
    for place in listed:
        start = plan(place, cursors, since)
        try:
            await ingest_place(source, engine, place, start, report)
        except PlaceRefused as error:
            log.warning("catch-up of %s skipped %s: %s", scope, place, error)
            report.skipped[str(place)] = str(error)
            continue
        report.places += 1
    report.done = True
    log.info("catch-up of %s: %s", scope, report.summary())
    return report


async def ingest_place(source: HistorySource, engine: Engine, place: Place, start: Start,
                       report: CatchupReport) -> None:
    """Ingest one place's history from ``start``, counting its messages in ``report`` as
    they are ingested (a refusal half-way keeps what was read)."""
    async for page in source.read(place, start):
        for offset in range(0, len(page), CHUNK):
            await engine.ingest(page[offset:offset + CHUNK], catchup=start.initial)
        report.messages += sum(1 for event in page if isinstance(event, Message))
