"""The undelivered-events file keeps members' texts only as long as the database would:
a replay that stored everything deletes it, the text of events older than
``text_retention_hours`` is dropped (such a message, replayed, still counts as a message of
its author and as an answer by its reply or thread, never as a question or a thank-you), and
a forgotten member's events are removed."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bot.scope import Scope

TEXT_EVENTS = ("message", "message_edit")
MEMBER_FIELDS = ("author", "user", "helper")


def scrub(path: Path, *, now: float, retention_s: float,
          forget: tuple[Scope, str] | None = None) -> tuple[int, int]:
    """Rewrite ``path`` without expired texts and without ``forget``'s member's events;
    (texts dropped, events removed). An emptied file is deleted."""
    if not path.exists():
        return 0, 0
    from bot.events import parse_ts  # events import this package's parents; keep it lazy

    kept: list[str] = []
    dropped = removed = 0
    with path.open("rb") as handle:
        for raw in handle:
            try:
                obj = json.loads(raw)
            except ValueError:
                kept.append(raw.decode("utf-8", "replace").rstrip("\n"))
                continue
            if not isinstance(obj, dict):
                continue
            scope = Scope(str(obj.get("platform", "other")), str(obj.get("community", "")))
            if forget is not None and scope == forget[0] and any(
                    str(obj.get(name)) == forget[1] for name in MEMBER_FIELDS):
                removed += 1
                continue
            if obj.get("type") in TEXT_EVENTS and obj.get("text"):
                try:
                    old = parse_ts(obj.get("ts")).timestamp() + retention_s <= now
                except ValueError:
                    old = True
                if old:
                    obj["text"] = ""
                    dropped += 1
            kept.append(json.dumps(obj, ensure_ascii=False))
    if not kept:
        path.unlink()
        return dropped, removed
    if dropped or removed:
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
        os.replace(temporary, path)
    return dropped, removed
