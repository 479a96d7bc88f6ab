"""Feeding an export's events to the engine in chunks, as a history read."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Protocol

from bot.engine import Engine
from bot.events import Event
from bot.imports.report import ImportReport

#: messages per write when importing (at least): history has no reader waiting for each
#: batch, and fewer, larger transactions write each index page fewer times
BATCH_SIZE = 4000
#: SQLite's page cache per connection while importing (the bot keeps SQLite's 2 MB): the
#: indexes' pages an import writes stay in memory as the tables grow
CACHE_KIB = 65536

#: ``progress(done_bytes, total_bytes, messages_read)``
Progress = Callable[[int, int, int], None]


class ExportReader(Protocol):
    """A Slack or Discord export being read."""

    total_bytes: int
    done_bytes: int

    def chunks(self) -> AsyncGenerator[list[Event], None]:
        """The export's events in time order, in lists of any length."""
        ...


def chunk_size(batch_size: int) -> int:
    """Events per ``ingest`` call: a few of the engine's batches, so each call's fixed costs
    (its look-ups in the store) are shared by thousands of events."""
    return batch_size * 8


async def ingest_export(engine: Engine, reader: ExportReader, report: ImportReport,
                        progress: Progress | None = None) -> ImportReport:
    """Ingest every event ``reader`` yields, in order. Imported history is history: like an
    initial catch-up, members first seen in it (with no join) are not counted as new."""
    chunk: list[Event] = []
    size = chunk_size(engine.batch_size)

    async def flush() -> None:
        report.saw(chunk)
        report.stats.add(await engine.ingest(chunk, catchup=True))
        chunk.clear()
        if progress is not None:
            progress(reader.done_bytes, reader.total_bytes, report.read)

    async with aclosing(reader.chunks()) as chunks:
        async for events in chunks:
            chunk.extend(events)
            while len(chunk) >= size:
                rest = chunk[size:]
                del chunk[size:]
                await flush()
                chunk.extend(rest)
    await flush()
    return report
