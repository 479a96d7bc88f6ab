"""Feeding an export's events to the engine in chunks, as a history read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from bot.engine import Engine
from bot.events import Event
from bot.imports.report import ImportReport

CHUNK = 5000

#: ``progress(done_bytes, total_bytes, messages_read)``
Progress = Callable[[int, int, int], None]


class ExportReader(Protocol):
    """A Slack or Discord export being read."""

    total_bytes: int
    done_bytes: int

    def events(self) -> Iterator[list[Event]]: ...


async def ingest_export(engine: Engine, reader: ExportReader, report: ImportReport,
                        progress: Progress | None = None) -> ImportReport:
    """Ingest every event ``reader`` yields, in order. Imported history is history: like an
    initial catch-up, members first seen in it (with no join) are not counted as new."""
    chunk: list[Event] = []

    async def flush() -> None:
        report.saw(chunk)
        report.stats.add(await engine.ingest(chunk, catchup=True))
        chunk.clear()
        if progress is not None:
            progress(reader.done_bytes, reader.total_bytes, report.read)

    for events in reader.events():
        chunk.extend(events)
        if len(chunk) >= CHUNK:
            await flush()
    await flush()
    return report
