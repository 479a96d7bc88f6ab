"""The day files of a Slack export -> compact records, in time order across channels.

This is the costly part of a Slack import (unzipping, parsing, checking every record), kept
apart from the events themselves so that it can run in a second process while the engine
ingests (``bot.imports.worker``): a ``DayReader`` needs only the export's path and what its
index files said, and gives plain tuples, which cross a process boundary ten times cheaper
than events. ``SlackExport`` turns the records into the live adapter's events.

Every record keeps its message's checks and reasons as one place: a record that is not
imported is counted in ``skipped`` (with why) or named in ``bad``
(``general/2025-03-02.json[17]: …``).
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from bot.imports.source import ExportFiles, parse_json
from bot.platforms.slack_events import (
    TALK_SUBTYPES,
    display_name,
    is_bot_message,
    mentions_in,
    message_id,
)
from bot.signals.emoji import normalize_emoji

READ_ERRORS = (OSError, BadZipFile, zlib.error, EOFError, KeyError)
JOIN_LEAVE = frozenset({"channel_join", "channel_leave", "group_join", "group_leave"})
TWICE = "the same message twice (a thread reply also sent to the channel): counted once"

# (MESSAGE, time, id, channel, user, text, thread id, mentions, profile name, reactions)
# (JOIN, time, user, profile name); reactions are (emoji, user) pairs.
MESSAGE, JOIN = 0, 1
Record = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class DayFile:
    """One channel's file of one day."""

    order: int  # the channel's place in the export (ties between equal times)
    channel: str
    is_general: bool
    name: str  # "general/2025-03-02.json"


@dataclass(slots=True)
class DayResult:
    """What one job of days gave: records in time order and what was not imported."""

    records: list[Record] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    bad: list[tuple[str, str]] = field(default_factory=list)
    read_bytes: int = 0


def load_json(files: ExportFiles, name: str) -> Any:
    """A file's JSON; ``ValueError`` with a reason when it is not readable JSON."""
    try:
        raw = files.read(name)
    except READ_ERRORS as error:
        raise ValueError(f"cannot be read ({error})") from None
    return parse_json(raw)


def slack_ts(value: Any) -> str | None:
    """A message's ``ts`` as Slack spells it (``"1700000000.000100"``), or ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return f"{value:.6f}"
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return None
        return value
    return None


class DayReader:
    """Reads jobs of days. ``known``: the members of ``users.json`` (others are Slack
    Connect guests or removed accounts, named by the profile their message carries);
    ``bots``: the bot users among them."""

    def __init__(self, files: ExportFiles, known: frozenset[str], bots: frozenset[str]) -> None:
        self.files = files
        self.known = known
        self.bots = bots

    def read(self, days: list[list[DayFile]]) -> DayResult:
        """Each day's files merged in time order (then by channel, then by position)."""
        out = DayResult()
        for day in days:
            merged: list[tuple[float, int, int, str, DayFile, Mapping[str, Any]]] = []
            for file in day:
                out.read_bytes += self.files.size(file.name)
                merged.extend(self._entries(file, out))
            merged.sort(key=itemgetter(0, 1, 2))
            seen: set[tuple[str, str]] = set()
            for stamp, _, index, ts, file, message in merged:
                if (file.channel, ts) in seen:
                    out.skipped[TWICE] += 1
                    continue
                seen.add((file.channel, ts))
                self._record(file, index, stamp, ts, message, out)
        return out

    def _entries(self, file: DayFile, out: DayResult
                 ) -> list[tuple[float, int, int, str, DayFile, Mapping[str, Any]]]:
        """A day file's messages with their ts; bad records and files are reported."""
        try:
            data = load_json(self.files, file.name)
        except ValueError as error:
            out.bad.append((file.name, str(error)))
            return []
        if not isinstance(data, list):
            out.bad.append((file.name, "not a list of messages"))
            return []
        entries: list[tuple[float, int, int, str, DayFile, Mapping[str, Any]]] = []
        for index, message in enumerate(data):
            if isinstance(message, dict):
                raw = message.get("ts")
                # the usual case (a string of digits) without a function call
                ts = raw if type(raw) is str and raw[:1].isdigit() else slack_ts(raw)
                if ts is not None:
                    try:
                        entries.append((float(ts), file.order, index, ts, file, message))
                        continue
                    except ValueError:
                        pass
                out.bad.append((f"{file.name}[{index}]", "no valid 'ts'"))
            else:
                out.bad.append((f"{file.name}[{index}]", "not a JSON object"))
        return entries

    def _record(self, file: DayFile, index: int, stamp: float, ts: str,
                message: Mapping[str, Any], out: DayResult) -> None:
        subtype = message.get("subtype")
        if is_bot_message(message):
            out.skipped["bot and integration messages"] += 1
            return
        if subtype in JOIN_LEAVE:
            self._join(file, stamp, message, out)
            return
        if subtype == "tombstone":
            out.skipped["deleted messages (tombstones)"] += 1
            return
        if subtype not in TALK_SUBTYPES:
            out.skipped[f"notices ({subtype})" if isinstance(subtype, str) else "notices"] += 1
            return
        user = message.get("user")
        if not isinstance(user, str) or not user:
            out.bad.append((f"{file.name}[{index}]", "a message without 'user'"))
            return
        thread = message.get("thread_ts")
        if thread is not None:
            thread_ts = slack_ts(thread)
            if thread_ts is None:
                out.bad.append((f"{file.name}[{index}]", "'thread_ts' is not a Slack timestamp"))
                return
            thread = message_id(file.channel, thread_ts)
        text = str(message.get("text") or "")
        out.records.append((MESSAGE, stamp, message_id(file.channel, ts), file.channel, user,
                            text, thread, mentions_in(text), self._profile(user, message),
                            self._reactions(message)))

    def _profile(self, user: str, message: Mapping[str, Any]) -> str | None:
        """The name a message carries for an author missing from users.json."""
        if user in self.known:
            return None
        profile = message.get("user_profile")
        return display_name({"profile": profile}) if isinstance(profile, Mapping) else None

    @staticmethod
    def _reactions(message: Mapping[str, Any]) -> list[tuple[str, str]] | None:
        reactions = message.get("reactions")
        if not isinstance(reactions, list):
            return None
        found: list[tuple[str, str]] = []
        for reaction in reactions:
            if not isinstance(reaction, Mapping):
                continue
            emoji = normalize_emoji(str(reaction.get("name") or ""))
            users = reaction.get("users")
            if not emoji or not isinstance(users, list):
                continue
            found.extend((emoji, user) for user in users if isinstance(user, str) and user)
        return found or None

    def _join(self, file: DayFile, stamp: float, message: Mapping[str, Any],
              out: DayResult) -> None:
        """Joining the general channel is joining the workspace (everyone is added to it
        when they join); any other channel join or leave is not a community event."""
        user = message.get("user")
        if file.is_general and message.get("subtype") == "channel_join" \
                and isinstance(user, str) and user and user not in self.bots:
            out.records.append((JOIN, stamp, user, self._profile(user, message)))
            return
        out.skipped["channel join and leave notices (not messages)"] += 1


# -- in a second process -----------------------------------------------------------------
_reader: DayReader | None = None


def start_worker(path: Path, known: frozenset[str], bots: frozenset[str]) -> None:
    """The worker process's start: open the export once."""
    global _reader
    _reader = DayReader(ExportFiles(path), known, bots)


def read_in_worker(days: list[list[DayFile]]) -> DayResult:
    assert _reader is not None, "start_worker first"
    return _reader.read(days)
