"""A Slack workspace export (ZIP or folder) -> neutral events, as the live adapter makes them.

The export: ``channels.json`` and ``groups.json`` (public and private channels, both
imported), ``dms.json`` and ``mpims.json`` (direct and group messages: never imported),
``users.json`` (``org_users.json`` on Enterprise Grid), and a folder per channel, named by
the channel's name, of ``YYYY-MM-DD.json`` files: the messages of that day (UTC), thread
replies in the file of their own day. Each message goes through the live adapter's own
functions (``bot.platforms.slack_events``), so it gets the id ``CHANNEL:ts``, the workspace's
team id as community and the same author, staff (workspace admins and owners) and bot
flags; a catch-up or an import of the same history later counts nothing twice.

Reactions carry no time in an export: they are dated with their message.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from zipfile import BadZipFile

from bot.events import Event, MemberJoin, Reaction
from bot.imports.report import ImportReport
from bot.imports.source import ExportError, ExportFiles
from bot.platforms.slack_events import (
    PLATFORM,
    TALK_SUBTYPES,
    Author,
    author_from_user,
    display_name,
    is_bot_message,
    message_id,
    slack_time,
    to_message,
)
from bot.signals.emoji import normalize_emoji

READ_ERRORS = (OSError, BadZipFile, zlib.error, EOFError, KeyError)
JOIN_LEAVE = frozenset({"channel_join", "channel_leave", "group_join", "group_leave"})


@dataclass(frozen=True, slots=True)
class SlackChannel:
    """A channel of the export: its id (what events carry) and its folder's name."""

    id: str
    name: str
    is_general: bool = False


def load_json(files: ExportFiles, name: str) -> Any:
    """A file's JSON; ``ValueError`` with a reason when it is not readable JSON."""
    try:
        raw = files.read(name)
    except READ_ERRORS as error:
        raise ValueError(f"cannot be read ({error})") from None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON: {error.msg} (line {error.lineno}, column "
                         f"{error.colno})") from None


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


class SlackExport:
    """Reads one export; ``events()`` yields each day file's events in time order."""

    def __init__(self, files: ExportFiles, report: ImportReport, *,
                 community: str | None = None, only: list[str] | None = None) -> None:
        self.files = files
        self.report = report
        if not files.exists("channels.json") and not files.exists("groups.json"):
            raise ExportError(f"{files.path}: not a Slack export (no channels.json): "
                              "export it from Workspace settings → Import/Export Data")
        self.users: dict[str, Author] = {}
        self.missing_users: set[str] = set()
        raw_users = self._users()
        self.team = self._team(raw_users, community)
        self.channels = self._channels(only)
        folders: dict[str, list[str]] = {}
        for name in files.names():
            folder, _, day = name.partition("/")
            if day.endswith(".json") and "/" not in day:
                folders.setdefault(folder, []).append(name)
        self.days = {c.id: sorted(folders.get(c.name, ())) for c in self.channels}
        self.total_bytes = sum(files.size(n) for days in self.days.values() for n in days)
        self.done_bytes = 0

    # -- the index files ---------------------------------------------------------------
    def _json_list(self, name: str, what: str) -> list[Any]:
        """The list a file holds; a file that is not one is reported and reads as empty."""
        try:
            data = load_json(self.files, name)
        except ValueError as error:
            self.report.fail(name, str(error))
            return []
        if not isinstance(data, list):
            self.report.fail(name, f"not a list of {what}")
            return []
        return data

    def _list(self, name: str) -> list[Mapping[str, Any]]:
        if not self.files.exists(name):
            return []
        data = self._json_list(name, "objects")
        good = []
        for index, item in enumerate(data):
            if isinstance(item, Mapping) and isinstance(item.get("id"), str) and item["id"]:
                good.append(item)
            else:
                self.report.fail(f"{name}[{index}]", "not an object with an 'id'")
        return good

    def _users(self) -> list[Mapping[str, Any]]:
        users = self._list("users.json") + self._list("org_users.json")
        if not self.files.exists("users.json") and not self.files.exists("org_users.json"):
            self.report.notes.append("the export has no users.json: members are imported "
                                     "without names and nobody is staff")
        for user in users:
            self.users[str(user["id"])] = author_from_user(user)
        return users

    def _team(self, users: list[Mapping[str, Any]], community: str | None) -> str:
        counts = Counter(str(u["team_id"]) for u in users
                         if isinstance(u.get("team_id"), str) and u["team_id"]
                         and not u.get("is_bot"))
        found = counts.most_common(1)[0] if counts else None
        if community:
            if found and found[0] != community:
                self.report.notes.append(f"imported as workspace {community} (--community); "
                                         f"most members of the export belong to {found[0]}")
            return community
        if found is None:
            raise ExportError("the export does not say which workspace it comes from (no "
                              "team_id in users.json): pass --community with the workspace "
                              "id (T…)")
        if found[1] * 2 <= sum(counts.values()):
            names = ", ".join(team for team, _ in counts.most_common(5))
            raise ExportError(f"the members come from several workspaces ({names}): pass "
                              f"--community with the id of the one to import")
        return found[0]

    def _channels(self, only: list[str] | None) -> list[SlackChannel]:
        channels = [SlackChannel(str(c["id"]), str(c.get("name") or c["id"]),
                                 bool(c.get("is_general")))
                    for c in self._list("channels.json") + self._list("groups.json")]
        private = len(self._list("dms.json")) + len(self._list("mpims.json"))
        if private:
            self.report.skip("direct and group-DM conversations (never imported)", private)
        if only is not None:
            wanted = set(only)
            known = {c.name for c in channels} | {c.id for c in channels}
            unknown = sorted(wanted - known)
            if unknown:
                raise ExportError(f"no channel {', '.join(unknown)} in the export (it has: "
                                  f"{', '.join(sorted(c.name for c in channels)[:30])})")
            left_out = [c for c in channels if c.name not in wanted and c.id not in wanted]
            if left_out:
                self.report.skip("channels left out (--channels)", len(left_out))
            channels = [c for c in channels if c.name in wanted or c.id in wanted]
        return channels

    # -- the messages ------------------------------------------------------------------
    def events(self) -> Iterator[list[Event]]:
        """Day by day, every channel's messages of that day in time order (as the live bot
        would have seen them: newer than what is stored, so none needs a look-up)."""
        by_day: dict[str, list[tuple[int, SlackChannel, str]]] = {}
        for order, channel in enumerate(self.channels):
            for name in self.days[channel.id]:
                by_day.setdefault(name.rpartition("/")[2], []).append((order, channel, name))
        seen: dict[str, set[str]] = {c.id: set() for c in self.channels}
        for day in sorted(by_day):
            merged: list[tuple[float, int, int, str, SlackChannel, str, Mapping[str, Any]]] = []
            for order, channel, name in by_day[day]:
                merged.extend((stamp, order, index, ts, channel, name, message)
                              for stamp, ts, index, message in self._entries(name))
                self.done_bytes += self.files.size(name)
            merged.sort(key=lambda e: (e[0], e[1], e[2]))
            events: list[Event] = []
            for _, _, index, ts, channel, name, message in merged:
                if ts in seen[channel.id]:
                    self.report.skip("the same message twice (a thread reply also sent to "
                                     "the channel): counted once")
                    continue
                seen[channel.id].add(ts)
                self._message(channel, name, index, ts, message, events)
            yield events
        if self.missing_users:
            self.report.notes.append(
                f"{len(self.missing_users)} authors are not in users.json (Slack Connect "
                "guests or removed accounts): imported without a name, not as staff")

    def _entries(self, name: str) -> list[tuple[float, str, int, Mapping[str, Any]]]:
        """A day file's messages with their ts; bad records and files are reported."""
        data = self._json_list(name, "messages")
        entries: list[tuple[float, str, int, Mapping[str, Any]]] = []
        for index, message in enumerate(data):
            ts = slack_ts(message.get("ts")) if isinstance(message, Mapping) else None
            if ts is None:
                what = "no valid 'ts'" if isinstance(message, Mapping) else "not a JSON object"
                self.report.fail(f"{name}[{index}]", what)
                continue
            assert isinstance(message, Mapping)
            entries.append((float(ts), ts, index, message))
        return entries

    def _message(self, channel: SlackChannel, name: str, index: int, ts: str,
                 message: Mapping[str, Any], events: list[Event]) -> None:
        subtype = message.get("subtype")
        if is_bot_message(message):
            self.report.skip("bot and integration messages")
            return
        if subtype in JOIN_LEAVE:
            self._join(channel, ts, message, events)
            return
        if subtype == "tombstone":
            self.report.skip("deleted messages (tombstones)")
            return
        if subtype not in TALK_SUBTYPES:
            self.report.skip(f"notices ({subtype})" if isinstance(subtype, str) else "notices")
            return
        user = message.get("user")
        if not isinstance(user, str) or not user:
            self.report.fail(f"{name}[{index}]", "a message without 'user'")
            return
        thread_ts = message.get("thread_ts")
        if thread_ts is not None and slack_ts(thread_ts) is None:
            self.report.fail(f"{name}[{index}]", "'thread_ts' is not a Slack timestamp")
            return
        if not isinstance(message["ts"], str) or not isinstance(thread_ts, str | None):
            message = {**message, "ts": ts,
                       "thread_ts": slack_ts(thread_ts) if thread_ts is not None else None}
        events.append(to_message(self.team, channel.id, message, self._author(user, message),
                                 channel_name=channel.name if channel.name != channel.id
                                 else None))
        self._reactions(channel, ts, message, events)

    def _author(self, user: str, message: Mapping[str, Any]) -> Author:
        found = self.users.get(user)
        if found is None:
            self.missing_users.add(user)
            profile = message.get("user_profile")
            name = display_name({"profile": profile}) if isinstance(profile, Mapping) else None
            found = self.users[user] = Author(name)
        return found

    def _reactions(self, channel: SlackChannel, ts: str, message: Mapping[str, Any],
                   events: list[Event]) -> None:
        reactions = message.get("reactions")
        if not isinstance(reactions, list):
            return
        when = slack_time(ts)
        target = message_id(channel.id, ts)
        for reaction in reactions:
            if not isinstance(reaction, Mapping):
                continue
            emoji = normalize_emoji(str(reaction.get("name") or ""))
            users = reaction.get("users")
            if not emoji or not isinstance(users, list):
                continue
            for user in users:
                if isinstance(user, str) and user:
                    events.append(Reaction(community=self.team, platform=PLATFORM, ts=when,
                                           channel=channel.id, message=target, user=user,
                                           emoji=emoji))

    def _join(self, channel: SlackChannel, ts: str, message: Mapping[str, Any],
              events: list[Event]) -> None:
        """Joining the general channel is joining the workspace (everyone is added to it
        when they join); any other channel join or leave is not a community event."""
        user = message.get("user")
        if channel.is_general and message.get("subtype") == "channel_join" \
                and isinstance(user, str) and user:
            author = self._author(user, message)
            if not author.is_bot:
                events.append(MemberJoin(community=self.team, platform=PLATFORM,
                                         ts=slack_time(ts), user=user, user_name=author.name))
                return
        self.report.skip("channel join and leave notices (not messages)")
