"""Reader for the Kummerfeld et al. (2019) IRC disentanglement data (``*.raw.txt`` + annotation).

Each line of a raw file is one message, its id the 0-based line number. ``=== ...`` lines are
system messages (joins, parts, nick changes): they are never given to the linker and link to
themselves. The annotation file holds ``A B -`` lines; the larger number is the reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.signals.utterance import Utterance

_MSG = re.compile(
    r"^\[(\d\d):(\d\d)\]\s+(?:<([^>]*)>|\*\s(\S+)|(-\S+-)|\(([^)/\s]+)[^)]*\))\s?(.*)$"
)


@dataclass(slots=True)
class Log:
    """One raw log with its annotation: messages (``None`` for system lines) and gold links."""

    name: str
    messages: list[Utterance | None]
    gold: set[tuple[int, int]] = field(default_factory=set)

    @property
    def annotated(self) -> list[int]:
        """The ids the annotation covers (each reply id once, ascending)."""
        return sorted({child for child, _ in self.gold})


def parse_raw(lines: Iterable[str]) -> list[Utterance | None]:
    """Messages of a raw log; ``ts`` is minutes of the day in seconds, with day rollover."""
    out: list[Utterance | None] = []
    day = 0
    last_minutes = -1
    for index, line in enumerate(lines):
        line = line.rstrip("\n")
        match = _MSG.match(line)
        if match is None:
            out.append(None)
            continue
        minutes = int(match.group(1)) * 60 + int(match.group(2))
        if last_minutes >= 0 and minutes < last_minutes - 60:
            day += 1
        last_minutes = minutes
        nick = next((g for g in match.groups()[2:6] if g), "")
        nick = nick.lstrip("@+")
        out.append(
            Utterance(
                id=str(index),
                author=nick.lower(),
                author_name=nick,
                text=match.group(7),
                ts=float(day * 86400 + minutes * 60),
            )
        )
    return out


def parse_annotation(lines: Iterable[str]) -> set[tuple[int, int]]:
    """Gold ``(reply, parent)`` pairs; a self-link means "starts a conversation"."""
    gold: set[tuple[int, int]] = set()
    for line in lines:
        parts = line.split()
        if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
            continue
        a, b = int(parts[0]), int(parts[1])
        gold.add((max(a, b), min(a, b)))
    return gold


def annotation_for(raw: Path) -> Path:
    """The annotation file beside a ``*.raw.txt`` (or ``*.ascii.txt``) file."""
    name = raw.name
    for suffix in (".raw.txt", ".ascii.txt"):
        if name.endswith(suffix):
            return raw.with_name(name[: -len(suffix)] + ".annotation.txt")
    return raw.with_name(raw.stem + ".annotation.txt")


def find_logs(paths: Iterable[Path]) -> list[Path]:
    """Raw files named directly, or every ``*.raw.txt`` in a folder, that have an annotation.

    In a folder holding channel-two's ``pilot`` and ``dev`` files, the combined ``pilot-dev``
    file is left out so that no message is scored twice.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            raws = sorted(path.glob("*.raw.txt"))
            names = {p.name for p in raws}
            for raw in raws:
                if ".pilot-dev." in raw.name:
                    pilot = raw.name.replace(".pilot-dev.", ".pilot.")
                    dev = raw.name.replace(".pilot-dev.", ".dev.")
                    if pilot in names or dev in names:
                        continue
                if annotation_for(raw).exists():
                    found.append(raw)
        elif path.exists():
            if not annotation_for(path).exists():
                raise FileNotFoundError(f"no annotation file beside {path}")
            found.append(path)
        else:
            raise FileNotFoundError(str(path))
    return found


def load_log(raw: Path) -> Log:
    """Read one raw log and its annotation."""
    with raw.open(encoding="utf-8", errors="replace") as fh:
        messages = parse_raw(fh)
    with annotation_for(raw).open(encoding="utf-8") as fh:
        gold = parse_annotation(fh)
    name = raw.name.removesuffix(".raw.txt")
    return Log(name=name, messages=messages, gold=gold)
