"""Small exports written by the tests: a Slack workspace export (folder or ZIP, with or
without the ZIP's UTF-8 name flag) and DiscordChatExporter JSON files."""

from __future__ import annotations

import asyncio
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord

from bot.events import Event
from bot.imports.run import ExportReader

TEAM = "T0TEAM"


def read_events(reader: ExportReader) -> list[Event]:
    """Every event an export's reader yields, in order (from a test without a loop)."""
    async def collect() -> list[Event]:
        return [event async for chunk in reader.chunks() for event in chunk]
    return asyncio.run(collect())


def slack_ts(when: datetime, micro: int = 0) -> str:
    return f"{when.timestamp():.0f}.{micro:06d}"


def slack_user(uid: str, name: str, *, admin: bool = False, owner: bool = False,
               bot: bool = False, team: str = TEAM) -> dict[str, Any]:
    """A ``users.json`` entry."""
    return {"id": uid, "team_id": team, "name": name.lower(), "deleted": False,
            "real_name": name, "is_admin": admin, "is_owner": owner, "is_bot": bot,
            "profile": {"real_name": name, "display_name": name, "team": team}}


class SlackExportWriter:
    """Builds an export in memory; ``folder(path)`` or ``zip(path)`` writes it."""

    def __init__(self, team: str = TEAM) -> None:
        self.team = team
        self.users: list[dict[str, Any]] = []
        self.org_users: list[dict[str, Any]] = []
        self.channels: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        self.dms: list[dict[str, Any]] = []
        self.mpims: list[dict[str, Any]] = []
        self.files: dict[str, Any] = {}  # path -> JSON value (or bytes, written as they are)

    def channel(self, cid: str, name: str, *, general: bool = False, private: bool = False
                ) -> str:
        entry = {"id": cid, "name": name, "created": 1600000000, "creator": "UANN",
                 "is_archived": False, "is_general": general, "members": [],
                 "topic": {"value": "", "creator": "", "last_set": 0},
                 "purpose": {"value": "", "creator": "", "last_set": 0}}
        (self.groups if private else self.channels).append(entry)
        return name

    def post(self, folder: str, message: dict[str, Any]) -> str:
        """Put ``message`` in the day file of its ``ts`` (UTC); its ts is returned."""
        day = datetime.fromtimestamp(float(message["ts"]), UTC).strftime("%Y-%m-%d")
        self.files.setdefault(f"{folder}/{day}.json", []).append(message)
        return str(message["ts"])

    def msg(self, folder: str, user: str, text: str, ts: str, thread_ts: str | None = None,
            **extra: Any) -> str:
        message: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts,
                                   "team": self.team, "user_team": self.team}
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
        message.update(extra)
        return self.post(folder, message)

    def _all(self) -> dict[str, Any]:
        out: dict[str, Any] = {"channels.json": self.channels, "groups.json": self.groups,
                               "dms.json": self.dms, "mpims.json": self.mpims,
                               "integration_logs.json": []}
        if self.users:
            out["users.json"] = self.users
        if self.org_users:
            out["org_users.json"] = self.org_users
        out.update(self.files)
        return out

    @staticmethod
    def _bytes(value: Any) -> bytes:
        if isinstance(value, bytes):
            return value
        return json.dumps(value, indent=4, ensure_ascii=False).encode()

    def folder(self, path: Path) -> Path:
        for name, value in self._all().items():
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self._bytes(value))
        return path

    def zip(self, path: Path, *, utf8_flag: bool = True, inside: str = "") -> Path:
        """A ZIP archive; ``utf8_flag=False`` stores UTF-8 names without the flag, as some
        tools do; ``inside`` puts everything under one folder."""
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, value in self._all().items():
                full = inside + name
                info = (zipfile.ZipInfo(full) if utf8_flag
                        else UnflaggedName(full.encode().decode("cp437")))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, self._bytes(value))
        return path


class UnflaggedName(zipfile.ZipInfo):
    """A ZIP entry whose name bytes are written as they are, without the UTF-8 flag."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # zipfile calls it by this name
        return self.filename.encode("cp437"), self.flag_bits & ~0x800


# -- DiscordChatExporter ---------------------------------------------------------------
GUILD = "900000000000000100"


def snowflake_at(when: datetime, n: int = 0) -> str:
    """A snowflake id whose time is ``when`` (``n`` keeps ids of one instant apart)."""
    return str(discord.utils.time_snowflake(when) + n)


def dce_author(uid: str, name: str, *, nickname: str | None = None, bot: bool = False,
               roles: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    return {"id": uid, "name": name, "discriminator": "0000", "nickname": nickname or name,
            "color": None, "isBot": bot,
            "roles": [{"id": rid, "name": rname, "color": None, "position": 1}
                      for rid, rname in (roles or [])],
            "avatarUrl": "https://cdn.discordapp.com/embed/avatars/0.png"}


def dce_message(mid: str, author: dict[str, Any], content: str, *, kind: Any = "Default",
                offset: str = "+00:00", reference: dict[str, Any] | None = None,
                reactions: list[dict[str, Any]] | None = None,
                mentions: list[dict[str, Any]] | None = None, edited: bool = False
                ) -> dict[str, Any]:
    """A message as DiscordChatExporter writes it; ``offset`` is the export's time zone
    (its ``timestamp`` is local time unless exported with ``--utc``)."""
    when = discord.utils.snowflake_time(int(mid))
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = (int(x) for x in offset[1:].split(":"))
    from datetime import timedelta, timezone

    local = when.astimezone(timezone(sign * timedelta(hours=hours, minutes=minutes)))
    message: dict[str, Any] = {
        "id": mid, "type": kind, "timestamp": local.isoformat(timespec="milliseconds"),
        "timestampEdited": local.isoformat(timespec="milliseconds") if edited else None,
        "callEndedTimestamp": None, "isPinned": False, "content": content, "author": author,
        "attachments": [], "embeds": [], "stickers": [], "reactions": reactions or [],
        "mentions": mentions or [], "inlineEmojis": []}
    if reference is not None:
        message["reference"] = reference
    return message


def dce_reaction(emoji: str, users: list[dict[str, Any]] | None) -> dict[str, Any]:
    reaction: dict[str, Any] = {"emoji": {"id": "", "name": emoji, "code": emoji,
                                          "isAnimated": False, "imageUrl": ""},
                                "count": len(users or []) or 1}
    if users is not None:
        reaction["users"] = users
    return reaction


def dce_file(path: Path, channel: dict[str, Any], messages: list[dict[str, Any]], *,
             guild: str = GUILD) -> Path:
    """One exported channel or thread."""
    data = {"guild": {"id": guild, "name": "Fake Community", "iconUrl": ""},
            "channel": channel, "dateRange": {"after": None, "before": None},
            "exportedAt": "2025-03-10T12:00:00.000+00:00", "messages": messages,
            "messageCount": len(messages)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def dce_channel(cid: str, name: str, *, kind: str = "GuildTextChat",
                parent: tuple[str, str] | None = None) -> dict[str, Any]:
    """``parent`` (id, name): for a thread, its channel (which the format calls category)."""
    return {"id": cid, "type": kind, "categoryId": parent[0] if parent else "900000000000000900",
            "category": parent[1] if parent else "Text Channels", "name": name, "topic": None}
