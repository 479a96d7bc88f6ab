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

import os
from collections import Counter
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from bot.events import Event, MemberJoin, Message, Reaction
from bot.imports.report import ImportReport
from bot.imports.slack_days import (
    MESSAGE,
    DayFile,
    DayReader,
    Record,
    load_json,
    read_in_worker,
    start_worker,
)
from bot.imports.source import ExportError, ExportFiles
from bot.imports.worker import read_jobs
from bot.platforms.slack_events import PLATFORM, Author, author_from_user, slack_time

JOB_BYTES = 2_000_000  # of JSON: a job is whole days, about this much
PARALLEL_BYTES = 20_000_000  # of JSON: an export this big is read in a second process


@dataclass(frozen=True, slots=True)
class SlackChannel:
    """A channel of the export: its id (what events carry) and its folder's name."""

    id: str
    name: str
    is_general: bool = False


class SlackExport:
    """Reads one export; ``chunks()`` yields its events, day by day, in time order.
    ``parallel``: read in a second process (``None``: when the export is big)."""

    def __init__(self, files: ExportFiles, report: ImportReport, *,
                 community: str | None = None, only: list[str] | None = None,
                 parallel: bool | None = None) -> None:
        self.files = files
        self.report = report
        self.parallel = parallel
        if not files.exists("channels.json") and not files.exists("groups.json"):
            raise ExportError(f"{files.path}: not a Slack export (no channels.json): "
                              "export it from Workspace settings → Import/Export Data")
        self.users: dict[str, Author] = {}
        self.missing_users: set[str] = set()
        raw_users = self._users()
        self.team = self._team(raw_users, community)
        self.channels = self._channels(only)
        self.channel_names = {c.id: c.name if c.name != c.id else None for c in self.channels}
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
    def jobs(self) -> list[list[list[DayFile]]]:
        """The day files, day by day, in jobs of about ``JOB_BYTES``."""
        by_day: dict[str, list[DayFile]] = {}
        for order, channel in enumerate(self.channels):
            for name in self.days[channel.id]:
                by_day.setdefault(name.rpartition("/")[2], []).append(
                    DayFile(order, channel.id, channel.is_general, name))
        jobs: list[list[list[DayFile]]] = []
        size = JOB_BYTES
        for day in sorted(by_day):
            if size >= JOB_BYTES:
                jobs.append([])
                size = 0
            jobs[-1].append(by_day[day])
            size += sum(self.files.size(f.name) for f in by_day[day])
        return jobs

    async def chunks(self) -> AsyncGenerator[list[Event], None]:
        """Day by day, every channel's messages of that day in time order (as the live bot
        would have seen them: newer than what is stored, so none needs a look-up). Big
        exports are read in a second process while the engine works."""
        known = frozenset(self.users)
        bots = frozenset(user for user, author in self.users.items() if author.is_bot)
        parallel = self.parallel if self.parallel is not None \
            else self.total_bytes >= PARALLEL_BYTES and (os.cpu_count() or 1) > 1
        here = DayReader(self.files, known, bots)
        worker = (read_in_worker, start_worker, (self.files.path, known, bots)) \
            if parallel else None
        async with aclosing(read_jobs(self.jobs(), here.read, worker=worker)) as results:
            async for result in results:
                self.done_bytes += result.read_bytes
                for reason, count in result.skipped.items():
                    self.report.skip(reason, count)
                for where, reason in result.bad:
                    self.report.fail(where, reason)
                yield self._events(result.records)
        if self.missing_users:
            self.report.notes.append(
                f"{len(self.missing_users)} authors are not in users.json (Slack Connect "
                "guests or removed accounts): imported without a name, not as staff")

    def _events(self, records: list[Record]) -> list[Event]:
        """Records -> the events the live adapter makes of the same messages
        (``bot.platforms.slack_events.to_message``; ids, threads, mentions and times by
        its functions, in ``bot.imports.slack_days``)."""
        team, users, names = self.team, self.users, self.channel_names
        events: list[Event] = []
        append = events.append
        for record in records:
            if record[0] == MESSAGE:
                _, stamp, mid, channel, user, text, thread, mentions, profile, reactions = record
                author = users.get(user) or self._missing(user, profile)
                when = slack_time(stamp)
                append(Message(community=team, platform=PLATFORM, ts=when, id=mid,
                               channel=channel, author=user, text=text,
                               author_name=author.name, thread=thread, mentions=mentions,
                               author_is_staff=author.is_staff, author_is_bot=author.is_bot,
                               channel_name=names[channel]))
                if reactions:
                    for emoji, who in reactions:
                        append(Reaction(community=team, platform=PLATFORM, ts=when,
                                        channel=channel, message=mid, user=who, emoji=emoji))
            else:
                _, stamp, user, profile = record
                author = users.get(user) or self._missing(user, profile)
                append(MemberJoin(community=team, platform=PLATFORM, ts=slack_time(stamp),
                                  user=user, user_name=author.name))
        return events

    def _missing(self, user: str, profile_name: str | None) -> Author:
        """An author missing from users.json: named by the first message that says."""
        self.missing_users.add(user)
        found = self.users[user] = Author(profile_name)
        return found
