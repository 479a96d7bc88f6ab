"""Replaying JSONL v1 files through the engine: good lines are ingested, bad ones reported."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
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


MAX_LINE = 1 << 20  # bytes: a line longer than this is no event of ours
BOM = b"\xef\xbb\xbf"


def read_events(lines: Iterable[bytes | str], bad: list[BadLine]) -> Iterator[Event]:
    """Parse lines into events; bad lines are added to ``bad`` with their 1-based number.

    Lines are split on ``\n`` only (a bare CR inside a line does not shift the numbers), a
    UTF-8 byte-order mark on the first line is skipped, and invalid UTF-8 makes the line bad
    (never silently replaced). A reason never quotes a member's text."""
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            if number == 1 and line.startswith(BOM):
                line = line[len(BOM):]
            if len(line) > MAX_LINE:
                bad.append(BadLine(number, f"longer than {MAX_LINE:,} bytes"))
                continue
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as error:
                bad.append(BadLine(number, f"not valid UTF-8 (byte {error.start + 1})"))
                continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            bad.append(BadLine(number, f"not valid JSON: {error.msg} (column {error.colno})"))
            continue
        except RecursionError:
            bad.append(BadLine(number, "not valid JSON: nested too deeply"))
            continue
        except ValueError as error:  # e.g. an integer of thousands of digits
            bad.append(BadLine(number, f"not valid JSON: {str(error)[:80]}"))
            continue
        try:
            yield parse_event(obj)
        except EventError as error:
            bad.append(BadLine(number, str(error)))
        except (RecursionError, ValueError, TypeError, OverflowError) as error:
            # a case the checks missed: reported by kind only, never with the line's text
            bad.append(BadLine(number, f"not a valid event ({type(error).__name__})"))


async def replay_file(engine: Engine, path: Path,
                      progress: Callable[[int], None] | None = None) -> ReplayResult:
    """Ingest every good event of ``path`` in order."""
    result = ReplayResult()
    chunk: list[Event] = []
    with path.open("rb") as handle:
        for event in read_events(handle, result.bad):
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
