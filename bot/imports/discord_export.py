"""DiscordChatExporter JSON files -> neutral events, as the live Discord adapter makes them.

One file is one channel or one thread (``channel.type`` ``GuildPublicThread`` and the like,
its parent channel in ``channel.categoryId``/``category``: DiscordChatExporter kept the old
names). A thread's messages are reported in the parent channel with ``thread`` = the thread
id, as live; a forum post (a thread whose first message has the thread's id, or whose
parent's file says ``GuildForum``) is a question, its title put before its text, as live.

Times come from the message ids (snowflakes), exactly as the live bot reads them, so an
export made in local time (without ``--utc``) gives the same times as one in UTC. The
messages of every file are merged in time order, as the live bot saw them: a question in
one channel comes before the answer given an hour later in another file (a thread, the
next part of the channel), whatever the files' order. A file is read when the merge reaches
its first message (found in its first bytes), and let go once merged (a big server exported
with ``--partition`` is never all in memory). Staff are decided by role names and ids
(``staff_roles``) as live; the export has no permissions, so "Manage Server" without a staff
role is not seen.
"""

from __future__ import annotations

import heapq
import re
from collections import deque
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from discord.utils import snowflake_time

from bot.events import Event, MemberJoin, Message, Reaction
from bot.imports.report import ImportReport
from bot.imports.source import ExportError, parse_json
from bot.signals.emoji import normalize_emoji

PLATFORM = "discord"
THREAD_TYPES = frozenset({"GuildPublicThread", "GuildPrivateThread", "GuildNewsThread",
                          "10", "11", "12"})
FORUM_TYPES = frozenset({"GuildForum", "GuildMedia", "15", "16"})
DIRECT_TYPES = frozenset({"DirectTextChat", "DirectGroupTextChat", "1", "3"})
# DiscordChatExporter writes a message type by name, or as a number when it has no name.
TALK_TYPES = frozenset({"Default", "Reply", "0", "19"})
JOIN_TYPES = frozenset({"GuildMemberJoin", "7"})
HEADER_BYTES = 1 << 16
CHUNK = 4000  # events handed on at a time
_DIGITS = re.compile(r"(\d+)")
# DiscordChatExporter writes each message's id first: the first one tells the file's start
_FIRST_ID = re.compile(rb'"messages"\s*:\s*\[\s*\{\s*"id"\s*:\s*"(\d{1,20})"')


@dataclass(slots=True)
class ChannelFile:
    """One exported file and what its header says."""

    path: Path
    label: str  # how errors name it
    guild: str
    channel: str  # the channel or thread id of the file
    type: str
    parent: str | None
    name: str
    first: int = 0  # its first message's id (0: not known, read it first)

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    def order(self) -> tuple[int, int, list[Any]]:
        """Channels before threads, then by id; parts of one channel by their number."""
        parts: list[Any] = [int(p) if p.isdigit() else p for p in _DIGITS.split(self.label)]
        return (1 if self.is_thread else 0, int(self.channel), parts)


def kind_name(value: Any) -> str:
    """A type as a string: ``"Reply"``, or ``"19"`` for a numeric one."""
    if isinstance(value, bool):
        return ""
    return str(value) if isinstance(value, str | int) else ""


def snowflake(value: Any) -> str | None:
    """A snowflake id as a string of digits, or ``None``."""
    if isinstance(value, bool):
        return None
    text = str(value) if isinstance(value, str | int) else ""
    return text if text.isdigit() and 0 < int(text) < 1 << 64 else None


def read_header(path: Path) -> tuple[Mapping[str, Any], int]:
    """``guild`` and ``channel`` of a file without reading its messages (they come after,
    in the order DiscordChatExporter writes them), and its first message's id (0 when the
    first bytes do not say); the whole file when that fails."""
    with path.open("rb") as handle:
        head = handle.read(HEADER_BYTES)
    cut = head.find(b'"messages"')
    if cut > 0:
        prefix = head[:cut].rstrip().rstrip(b",") + b"}"
        try:
            found = parse_json(prefix)
        except ValueError:
            found = None
        if isinstance(found, Mapping):
            first = _FIRST_ID.search(head, cut)
            return found, int(first.group(1)) if first else 0
    return load_file(path), 0


def load_file(path: Path) -> Mapping[str, Any]:
    try:
        data = parse_json(path.read_bytes())
    except OSError as error:
        raise ValueError(f"cannot be read ({error.strerror or error})") from None
    if not isinstance(data, Mapping):
        raise ValueError("not a DiscordChatExporter JSON export (not an object)")
    return data


def channel_file(path: Path, label: str, data: Mapping[str, Any], first: int = 0
                 ) -> ChannelFile:
    guild, channel = data.get("guild"), data.get("channel")
    if not isinstance(guild, Mapping) or not isinstance(channel, Mapping):
        raise ValueError("not a DiscordChatExporter JSON export (no 'guild' and 'channel')")
    channel_id = snowflake(channel.get("id"))
    if channel_id is None:
        raise ValueError("'channel.id' is not a Discord id")
    kind = kind_name(channel.get("type"))
    guild_id = snowflake(guild.get("id")) or ""
    parent = snowflake(channel.get("categoryId"))
    if kind in THREAD_TYPES and parent is None:
        raise ValueError("a thread without its parent channel ('channel.categoryId')")
    return ChannelFile(path, label, guild_id, channel_id, kind, parent,
                       str(channel.get("name") or ""), first)


def find_files(paths: list[Path]) -> list[tuple[Path, str]]:
    """Every ``.json`` file given, or found in the folders given (with how to name it)."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            found.extend((f, f.relative_to(path).as_posix())
                         for f in sorted(path.rglob("*.json")) if f.is_file())
        elif path.is_file():
            found.append((path, path.name))
        else:
            raise ExportError(f"{path}: no such file or folder")
    return found


class DiscordExport:
    """Reads DiscordChatExporter files; ``chunks()`` yields their events in time order."""

    def __init__(self, paths: list[Path], report: ImportReport) -> None:
        self.report = report
        self.files: list[ChannelFile] = []
        for path, label in find_files(paths):
            try:
                header = channel_file(path, label, *read_header(path))
            except ValueError as error:
                report.fail(label, str(error))
                continue
            if header.type in DIRECT_TYPES or not header.guild or header.guild == "0":
                report.skip("direct-message files (never imported)")
                continue
            self.files.append(header)
        if not self.files and not report.bad:
            raise ExportError("no DiscordChatExporter JSON files found (export with "
                              "--format Json)")
        self.files.sort(key=ChannelFile.order)
        self.forums = {f.channel for f in self.files if f.type in FORUM_TYPES}
        self.total_bytes = sum(f.path.stat().st_size for f in self.files)
        self.done_bytes = 0

    async def chunks(self) -> AsyncGenerator[list[Event], None]:
        """Every file's messages merged in time order (equal ids: channels before threads,
        as ``ChannelFile.order``); each file read when the merge reaches its start."""
        rank = {id(f): n for n, f in enumerate(self.files)}
        waiting = deque(sorted(self.files, key=lambda f: (f.first, rank[id(f)])))
        merging: list[tuple[int, int, int, list[tuple[int, list[Event]]]]] = []
        out: list[Event] = []
        while waiting or merging:
            while waiting and (not merging or waiting[0].first <= merging[0][0]):
                file = waiting.popleft()
                messages = self._load(file)
                if messages:
                    heapq.heappush(merging, (messages[0][0], rank[id(file)], 0, messages))
            if not merging:
                continue
            _, order, index, messages = merging[0]
            out.extend(messages[index][1])
            if index + 1 < len(messages):
                heapq.heapreplace(merging, (messages[index + 1][0], order, index + 1, messages))
            else:
                heapq.heappop(merging)
            if len(out) >= CHUNK:
                yield out
                out = []
        yield out

    def _load(self, file: ChannelFile) -> list[tuple[int, list[Event]]]:
        """A file's messages in id order, each with its events (none for a skipped one)."""
        self.done_bytes += file.path.stat().st_size
        try:
            data = load_file(file.path)
        except ValueError as error:
            self.report.fail(file.label, str(error))
            return []
        return self._file(file, data)

    def _file(self, file: ChannelFile, data: Mapping[str, Any]
              ) -> list[tuple[int, list[Event]]]:
        messages = data.get("messages")
        if not isinstance(messages, list):
            self.report.fail(file.label, "no 'messages' list")
            return []
        entries: list[tuple[int, int, Mapping[str, Any]]] = []
        for index, message in enumerate(messages):
            message_id = snowflake(message.get("id")) if isinstance(message, Mapping) else None
            if message_id is None:
                self.report.fail(f"{file.label}[{index}]", "no valid 'id'"
                                 if isinstance(message, Mapping) else "not a JSON object")
                continue
            assert isinstance(message, Mapping)
            entries.append((int(message_id), index, message))
        entries.sort(key=lambda e: (e[0], e[1]))
        forum = file.is_thread and (file.parent in self.forums
                                    or any(e[0] == int(file.channel) for e in entries))
        out: list[tuple[int, list[Event]]] = []
        for number, index, message in entries:
            events: list[Event] = []
            try:
                self._message(file, forum, str(number), message, events)
            except (KeyError, TypeError, ValueError) as error:
                self.report.fail(f"{file.label}[{index}]", f"unreadable message ({error})")
            if events:
                out.append((number, events))
        return out

    def _message(self, file: ChannelFile, forum: bool, message_id: str,
                 message: Mapping[str, Any], events: list[Event]) -> None:
        author = message.get("author")
        author_id = snowflake(author.get("id")) if isinstance(author, Mapping) else None
        if not isinstance(author, Mapping) or author_id is None:
            raise ValueError("no valid 'author.id'")
        kind = kind_name(message.get("type", "Default"))
        if author.get("isBot"):
            self.report.skip("bot and webhook messages")
            return
        ts = snowflake_time(int(message_id))
        name = str(author.get("nickname") or author.get("name") or "") or None
        if kind in JOIN_TYPES:
            events.append(MemberJoin(community=file.guild, platform=PLATFORM, ts=ts,
                                     user=author_id, user_name=name))
            return
        if kind not in TALK_TYPES:
            self.report.skip("system notices (pins, thread created, calls, …)")
            return
        channel = file.parent if file.is_thread and file.parent else file.channel
        thread = file.channel if file.is_thread else None
        text = str(message.get("content") or "")
        if forum and message_id == thread and file.name:
            text = f"{file.name}\n{text}"
        events.append(Message(
            community=file.guild, platform=PLATFORM, ts=ts, id=message_id, channel=channel,
            author=author_id, author_name=name, text=text,
            reply_to=self._reply_to(file, message), thread=thread,
            mentions=tuple(dict.fromkeys(
                m for m in (snowflake(u.get("id")) for u in message.get("mentions") or []
                            if isinstance(u, Mapping))
                if m is not None and m != author_id)),
            author_roles=self._roles(file, author),
            channel_kind="forum" if forum else "chat",
            channel_name=None if file.is_thread else (file.name or None),
        ))
        self._reactions(file, channel, message_id, message, events)

    @staticmethod
    def _reply_to(file: ChannelFile, message: Mapping[str, Any]) -> str | None:
        """A reply's target; a forwarded message (``type: "Forward"``, or a reference to
        another channel in exports that do not say) is not a reply."""
        reference = message.get("reference")
        if not isinstance(reference, Mapping):
            return None
        if kind_name(reference.get("type", "Default")) not in ("Default", "0"):
            return None
        where = snowflake(reference.get("channelId"))
        if where is not None and where != file.channel:
            return None
        return snowflake(reference.get("messageId"))

    @staticmethod
    def _roles(file: ChannelFile, author: Mapping[str, Any]) -> tuple[str, ...]:
        """Role names and ids, as the live adapter gives them (``@everyone`` left out)."""
        keys: list[str] = []
        for role in author.get("roles") or []:
            if not isinstance(role, Mapping):
                continue
            role_id = snowflake(role.get("id"))
            if role_id == file.guild:
                continue
            if role.get("name"):
                keys.append(str(role["name"]))
            if role_id:
                keys.append(role_id)
        return tuple(keys)

    def _reactions(self, file: ChannelFile, channel: str, message_id: str,
                   message: Mapping[str, Any], events: list[Event]) -> None:
        ts = snowflake_time(int(message_id))
        for reaction in message.get("reactions") or []:
            if not isinstance(reaction, Mapping):
                continue
            emoji = reaction.get("emoji")
            name = emoji.get("name") if isinstance(emoji, Mapping) else None
            normalized = normalize_emoji(str(name or ""))
            users = reaction.get("users")
            if not normalized:
                continue
            if not isinstance(users, list):
                count = reaction.get("count")
                self.report.skip("reactions listed without who reacted (an older "
                                 "DiscordChatExporter)", count if isinstance(count, int) else 1)
                continue
            for user in users:
                user_id = snowflake(user.get("id")) if isinstance(user, Mapping) else None
                if user_id is None or user.get("isBot"):
                    continue
                events.append(Reaction(community=file.guild, platform=PLATFORM, ts=ts,
                                       channel=channel, message=message_id, user=user_id,
                                       emoji=normalized))
