"""Replaying JSONL v1 files through the engine: good lines are ingested, bad ones reported."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import Engine, IngestStats
from bot.events import Event, EventError, parse_event

CHUNK = 5000


@dataclass(slots=True)
class BadLine:
    """A line that was not ingested, and why."""

    number: int
    reason: str


@dataclass(slots=True)
class ReplayResult:
    """What a replay did."""

    stats: IngestStats = field(default_factory=IngestStats)
    bad: list[BadLine] = field(default_factory=list)


def read_events(lines: Iterator[str], bad: list[BadLine]) -> Iterator[Event]:
    """Parse lines into events; bad lines are added to ``bad`` with their 1-based number."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            bad.append(BadLine(number, f"not valid JSON: {error.msg} (column {error.colno})"))
            continue
        try:
            yield parse_event(obj)
        except EventError as error:
            bad.append(BadLine(number, str(error)))


async def replay_file(engine: Engine, path: Path,
                      progress: Callable[[int], None] | None = None) -> ReplayResult:
    """Ingest every good event of ``path`` in order."""
    result = ReplayResult()
    chunk: list[Event] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for event in read_events(iter(handle), result.bad):
            chunk.append(event)
            if len(chunk) >= CHUNK:
                result.stats.add(await engine.ingest(chunk))
                if progress:
                    progress(len(chunk))
                chunk = []
    if chunk:
        result.stats.add(await engine.ingest(chunk))
        if progress:
            progress(len(chunk))
    return result
