"""What an import did: counts, what was skipped and why, and the records it could not read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.engine import IngestStats
from bot.events import Event, MemberJoin, Message


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A file or a record that was not imported: ``where`` is ``general/2025-03-02.json[17]``
    (the record's position in the file's list, from 0) or a file name alone."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(slots=True)
class ImportReport:
    """Filled by a reader (what it read, skipped and could not read) and by the engine."""

    stats: IngestStats = field(default_factory=IngestStats)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> how many
    bad: list[BadRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # facts about the export worth saying
    read: int = 0  # messages read from the export (before the engine)
    members: set[tuple[str, str]] = field(default_factory=set)  # (community, user)
    channels: set[tuple[str, str]] = field(default_factory=set)  # (community, channel)
    communities: set[str] = field(default_factory=set)

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[reason] += count

    def fail(self, where: str, reason: str) -> None:
        self.bad.append(BadRecord(where, reason))

    def saw(self, events: list[Event]) -> None:
        """Count who and where a chunk of events is about (before the engine)."""
        members, channels = self.members, self.channels
        scopes: set[tuple[str, str]] = set()
        for event in events:
            if isinstance(event, Message):
                self.read += 1
                if not event.author_is_bot:
                    members.add((event.community, event.author))
                channels.add((event.community, event.channel))
            elif isinstance(event, MemberJoin):
                members.add((event.community, event.user))
            scopes.add((event.platform, event.community))
        self.communities.update(f"{platform}:{community}" for platform, community in scopes)

    def as_json(self) -> dict[str, Any]:
        s = self.stats
        skipped = dict(self.skipped)
        if s.duplicates:
            skipped["already imported or seen live"] = s.duplicates
        if s.ignored:
            skipped["ignored by the settings (excluded channels, ignored or forgotten "
                    "members, bots)"] = s.ignored
        return {
            "communities": sorted(self.communities), "messages": s.messages,
            "questions": s.questions, "answers": s.answers, "acknowledgements": s.acks,
            "members": len(self.members), "channels": len(self.channels),
            "skipped": skipped, "notes": self.notes,
            "bad_records": [{"where": b.where, "reason": b.reason} for b in self.bad],
        }
