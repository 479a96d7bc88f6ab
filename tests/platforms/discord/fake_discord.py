"""A small fake Discord on 127.0.0.1: REST (aiohttp) and a gateway (websocket), enough for
the real discord.py client to log in, receive events, answer interactions and read history.

Payload shapes follow discord/discord-api-docs; the extra fields discord.py requires (member
``flags``, interaction ``version``/``application_id``/``attachment_size_limit``) are set.
JSON bodies are sent with ``Content-Type: application/json`` exactly (discord.py only
decodes that). Every request is recorded; tests wait for the one they expect.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
from aiohttp import WSMsgType, web

APP_ID = 900000000000000001
BOT_ID = APP_ID
TOKEN = "fake-bot-token"
EVERYONE_PERMS = (discord.Permissions(view_channel=True, send_messages=True,
                                      read_message_history=True, add_reactions=True).value)
BOT_PERMS = discord.Permissions(view_channel=True, send_messages=True,
                                send_messages_in_threads=True, embed_links=True,
                                attach_files=True, read_message_history=True,
                                add_reactions=True, manage_roles=True).value

_ids = itertools.count(1)


def snowflake(when: datetime | None = None) -> int:
    """A unique snowflake whose timestamp is ``when`` (default now)."""
    when = when or datetime.now(UTC)
    return discord.utils.time_snowflake(when) + next(_ids) % 4000


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=json.dumps(data).encode(),
                        headers={"Content-Type": "application/json"})


def error(status: int, code: int, message: str) -> web.Response:
    return json_response({"code": code, "message": message}, status)


def user_payload(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "global_name": name.title(),
            "discriminator": "0", "avatar": None, "bot": bot, "public_flags": 0}


@dataclass
class User:
    id: int
    name: str
    roles: list[int] = field(default_factory=list)
    bot: bool = False
    permissions: int = EVERYONE_PERMS  # what an interaction's ``member.permissions`` says

    def payload(self) -> dict[str, Any]:
        return user_payload(self.id, self.name, bot=self.bot)

    def member(self, *, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {"roles": [str(r) for r in self.roles],
                                "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False,
                                "mute": False, "flags": 0, "nick": None, "avatar": None,
                                "premium_since": None, "pending": False}
        if with_user:
            data["user"] = self.payload()
        return data


class FakeDiscord:
    """One guild with text channels, a forum, threads and members; history per channel."""

    def __init__(self) -> None:
        self.guild_id = snowflake(datetime(2024, 1, 1, tzinfo=UTC))
        self.bot = User(BOT_ID, "innercircle", bot=True)
        self.role_moderator = snowflake()
        self.role_bot = snowflake()
        self.users: dict[int, User] = {self.bot.id: self.bot}
        self.bot.roles = [self.role_bot]
        self.channels: dict[int, dict[str, Any]] = {}
        self.threads: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, list[dict[str, Any]]] = {}  # channel or thread -> oldest first
        self.reactions: dict[tuple[int, str], list[int]] = {}  # (message, emoji) -> users
        self.refuse_dm: set[int] = set()
        self.token_valid = True  # False: GET /users/@me answers 401 (a reset token)
        self.in_guild_at_start = True  # False: the bot joins the guild later (join_guild)
        self.system_channel: int | None = None  # the guild's system channel
        # the application's flags: both privileged intents enabled (an unverified bot's)
        self.app_flags = (1 << 15) | (1 << 19)
        self.dm_channels: dict[int, int] = {}  # dm channel -> user
        self.requests: list[Request] = []
        self.served: list[int] = []  # ids of messages returned by history reads
        self._changed = asyncio.Condition()
        self._seq = 0
        self._ws: web.WebSocketResponse | None = None
        self.identified = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.port = 0

    # -- the world -------------------------------------------------------------------
    def add_user(self, name: str, *, roles: list[int] | None = None, bot: bool = False,
                 permissions: int = EVERYONE_PERMS) -> User:
        user = User(snowflake(), name, roles or [], bot, permissions)
        self.users[user.id] = user
        return user

    def add_channel(self, name: str, *, kind: int = 0) -> int:
        channel_id = snowflake()
        self.channels[channel_id] = {
            "id": str(channel_id), "type": kind, "guild_id": str(self.guild_id), "name": name,
            "position": len(self.channels), "permission_overwrites": [], "parent_id": None,
            "nsfw": False, "topic": None, "rate_limit_per_user": 0, "last_message_id": None,
            "flags": 0, "available_tags": [], "default_reaction_emoji": None,
            "default_thread_rate_limit_per_user": 0, "default_sort_order": None,
            "default_forum_layout": 0}
        self.messages[channel_id] = []
        return channel_id

    def add_thread(self, parent: int, name: str, owner: User, thread_id: int | None = None
                   ) -> int:
        """A public thread; a forum post's id is also its starter message's id."""
        thread_id = thread_id or snowflake()
        self.threads[thread_id] = {
            "id": str(thread_id), "type": 11, "guild_id": str(self.guild_id),
            "parent_id": str(parent), "owner_id": str(owner.id), "name": name,
            "last_message_id": None, "message_count": 0, "member_count": 1,
            "rate_limit_per_user": 0, "flags": 0, "applied_tags": [],
            "thread_metadata": {"archived": False, "auto_archive_duration": 1440,
                                "archive_timestamp": iso(datetime.now(UTC)), "locked": False}}
        self.messages[thread_id] = []
        return thread_id

    def message(self, channel: int, author: User, content: str, *, when: datetime | None = None,
                reply_to: int | None = None, message_id: int | None = None,
                mentions: list[User] | None = None, store: bool = True) -> dict[str, Any]:
        """A message payload, kept in the channel's history (as Discord would)."""
        when = when or datetime.now(UTC)
        message_id = message_id or snowflake(when)
        data: dict[str, Any] = {
            "id": str(message_id), "channel_id": str(channel), "guild_id": str(self.guild_id),
            "author": author.payload(), "member": author.member(with_user=False),
            "content": content, "timestamp": iso(when), "edited_timestamp": None,
            "tts": False, "mention_everyone": False,
            "mentions": [{**u.payload(), "member": u.member(with_user=False)}
                         for u in (mentions or [])],
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": False,
            "type": 0, "flags": 0, "components": []}
        if reply_to is not None:
            data["type"] = 19
            data["message_reference"] = {"message_id": str(reply_to), "channel_id": str(channel),
                                         "guild_id": str(self.guild_id), "type": 0}
        if store:
            self.messages[channel].append(data)
            self.messages[channel].sort(key=lambda m: int(m["id"]))
            holder = self.threads.get(channel) or self.channels.get(channel)
            if holder is not None:
                holder["last_message_id"] = str(max(int(m["id"]) for m in self.messages[channel]))
        return data

    def react(self, message: dict[str, Any], user: User, emoji: str) -> dict[str, Any]:
        """A reaction kept on the message (for history) and its gateway payload."""
        message_id = int(message["id"])
        users = self.reactions.setdefault((message_id, emoji), [])
        users.append(user.id)
        reactions = message.setdefault("reactions", [])
        entry = next((r for r in reactions if r["emoji"]["name"] == emoji), None)
        if entry is None:
            reactions.append({"count": 1, "me": False, "me_burst": False, "burst_colors": [],
                              "count_details": {"normal": 1, "burst": 0},
                              "emoji": {"id": None, "name": emoji}})
        else:
            entry["count"] += 1
        return {"user_id": str(user.id), "channel_id": message["channel_id"],
                "message_id": message["id"], "guild_id": str(self.guild_id),
                "member": user.member(), "emoji": {"id": None, "name": emoji},
                "type": 0, "burst": False, "message_author_id": message["author"]["id"]}

    def guild_payload(self) -> dict[str, Any]:
        roles = [
            {"id": str(self.guild_id), "name": "@everyone", "permissions": str(EVERYONE_PERMS),
             "position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False,
             "flags": 0},
            {"id": str(self.role_moderator), "name": "Moderator", "permissions": "0",
             "position": 1, "color": 0, "hoist": False, "managed": False, "mentionable": True,
             "flags": 0},
            {"id": str(self.role_bot), "name": "Innercircle", "permissions": str(BOT_PERMS),
             "position": 2, "color": 0, "hoist": False, "managed": False, "mentionable": False,
             "flags": 0},
        ]
        return {
            "id": str(self.guild_id), "name": "Fake Community", "icon": None,
            "owner_id": str(next(iter(u.id for u in self.users.values() if not u.bot),
                                 BOT_ID)),
            "roles": roles, "emojis": [], "stickers": [], "features": [],
            "channels": list(self.channels.values()),
            "threads": [t for t in self.threads.values()
                        if not t["thread_metadata"]["archived"]],
            "members": [self.bot.member()], "member_count": len(self.users),
            "large": False, "unavailable": False, "joined_at": "2024-01-01T00:00:00+00:00",
            "voice_states": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [], "premium_tier": 0,
            "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
            "preferred_locale": "en-US", "system_channel_flags": 0,
            "system_channel_id": str(self.system_channel) if self.system_channel else None,
        }

    # -- the server --------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self.runner is not None:
            await self.runner.cleanup()

    # -- gateway -----------------------------------------------------------------------
    async def _send(self, ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        await ws.send_str(json.dumps(payload))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send one gateway event to the connected client."""
        await asyncio.wait_for(self.identified.wait(), 10)
        assert self._ws is not None
        self._seq += 1
        await self._send(self._ws, {"op": 0, "t": event, "s": self._seq, "d": data})

    async def join_guild(self) -> None:
        """The bot is added to the guild while connected (discord.py: ``on_guild_join``): a
        joined guild's GUILD_CREATE has no ``unavailable`` key."""
        payload = self.guild_payload()
        del payload["unavailable"]
        await self.dispatch("GUILD_CREATE", payload)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await self._send(ws, {"op": 10, "d": {"heartbeat_interval": 45000}})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            op = data.get("op")
            if op == 1:
                await self._send(ws, {"op": 11})
            elif op == 2:
                self._seq += 1
                await self._send(ws, {"op": 0, "t": "READY", "s": self._seq, "d": {
                    "v": 10, "user": self.bot.payload(), "session_id": "fake-session",
                    "resume_gateway_url": self.gateway_url,
                    "guilds": [{"id": str(self.guild_id), "unavailable": True}]
                    if self.in_guild_at_start else [],
                    "application": {"id": str(APP_ID), "flags": 0}}})
                if self.in_guild_at_start:
                    self._seq += 1
                    await self._send(ws, {"op": 0, "t": "GUILD_CREATE", "s": self._seq,
                                          "d": self.guild_payload()})
                self.identified.set()
            elif op == 8:
                self._seq += 1
                await self._send(ws, {"op": 0, "t": "GUILD_MEMBERS_CHUNK", "s": self._seq, "d": {
                    "guild_id": str(self.guild_id), "chunk_index": 0, "chunk_count": 1,
                    "nonce": data["d"].get("nonce"),
                    "members": [u.member() for u in self.users.values()]}})
        if self._ws is ws:
            self._ws = None
            self.identified.clear()
        return ws

    # -- REST --------------------------------------------------------------------------
    async def _record(self, request: web.Request) -> Request:
        body: Any = None
        files: list[str] = []
        if request.content_type == "application/json":
            body = await request.json()
        elif request.content_type.startswith("multipart/"):
            form = await request.post()
            for key, value in form.items():
                if key == "payload_json":
                    body = json.loads(str(value))
                elif hasattr(value, "filename"):
                    files.append(value.filename)
        recorded = Request(request.method, request.path.removeprefix("/api/v10"),
                           dict(request.query), body, files)
        async with self._changed:
            self.requests.append(recorded)
            self._changed.notify_all()
        return recorded

    async def wait_request(self, method: str, pattern: str, *, after: int = 0,
                           where: Callable[[Request], bool] | None = None,
                           timeout: float = 10) -> Request:
        """The first request (from index ``after``) matching ``method`` and ``pattern``."""
        regex = re.compile(pattern)

        def find() -> Request | None:
            for item in self.requests[after:]:
                if item.method == method and regex.fullmatch(item.path) and (
                        where is None or where(item)):
                    return item
            return None

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: find() is not None), timeout)
        found = find()
        assert found is not None
        return found

    def find(self, method: str, pattern: str) -> list[Request]:
        regex = re.compile(pattern)
        return [r for r in self.requests if r.method == method and regex.fullmatch(r.path)]

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request)
        path, method = recorded.path, recorded.method
        for route_method, regex, handler in self._routes():
            match = re.fullmatch(regex, path)
            if match and route_method == method:
                return await handler(recorded, *match.groups())
        return error(404, 0, f"fake Discord has no {method} {path}")

    def _routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("GET", r"/users/@me", self._me),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("PUT", r"/applications/\d+/guilds/\d+/commands", self._sync),
            ("PUT", r"/applications/\d+/commands", self._sync),
            ("GET", r"/guilds/\d+/threads/active", self._active_threads),
            ("GET", r"/channels/(\d+)/threads/archived/public", self._archived),
            ("GET", r"/channels/(\d+)/messages", self._history),
            ("GET", r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)", self._reaction_users),
            ("GET", r"/channels/(\d+)/messages/(\d+)", self._message),
            ("GET", r"/channels/(\d+)", self._channel),
            ("POST", r"/channels/(\d+)/messages", self._post),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("GET", r"/users/(\d+)", self._user),
            ("GET", r"/guilds/\d+/members/(\d+)", self._member),
            ("PUT", r"/guilds/\d+/members/\d+/roles/\d+", self._no_content),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", r"/webhooks/\d+/([^/]+)", self._followup),
            ("PATCH", r"/webhooks/\d+/([^/]+)/messages/@original", self._edit_original),
        ]

    async def _me(self, _: Request) -> web.Response:
        if not self.token_valid:
            return error(401, 0, "401: Unauthorized")
        return json_response(self.bot.payload())

    async def _application(self, _: Request) -> web.Response:
        return json_response({"id": str(APP_ID), "name": "Innercircle", "icon": None,
                              "description": "", "bot_public": True,
                              "bot_require_code_grant": False, "verify_key": "0" * 64,
                              "owner": self.bot.payload(), "team": None,
                              "flags": self.app_flags,
                              "summary": ""})

    async def _sync(self, _: Request) -> web.Response:
        return json_response([])

    async def _active_threads(self, _: Request) -> web.Response:
        return json_response({"threads": [t for t in self.threads.values()
                                          if not t["thread_metadata"]["archived"]],
                              "members": []})

    async def _archived(self, _: Request, channel: str) -> web.Response:
        threads = [t for t in self.threads.values() if t["parent_id"] == channel
                   and t["thread_metadata"]["archived"]]
        return json_response({"threads": threads, "members": [], "has_more": False})

    async def _history(self, recorded: Request, channel: str) -> web.Response:
        """GET /channels/{id}/messages with before/after/limit: newest first, as Discord."""
        items = self.messages.get(int(channel))
        if items is None:
            return error(404, 10003, "Unknown Channel")
        limit = min(int(recorded.query.get("limit", 50)), 100)
        if "after" in recorded.query:
            after = int(recorded.query["after"])
            page = [m for m in items if int(m["id"]) > after][:limit]
        else:
            before = int(recorded.query.get("before", 2**63))
            page = [m for m in items if int(m["id"]) < before][-limit:]
        page = list(reversed(page))
        recorded.served = [int(m["id"]) for m in page]
        self.served.extend(recorded.served)
        return json_response(page)

    async def _message(self, _: Request, channel: str, message: str) -> web.Response:
        """GET /channels/{id}/messages/{id}: one message, with its reactions."""
        found = next((m for m in self.messages.get(int(channel), []) if m["id"] == message),
                     None)
        if found is None:
            return error(404, 10008, "Unknown Message")
        return json_response(found)

    async def _reaction_users(self, recorded: Request, _: str, message: str, emoji: str
                              ) -> web.Response:
        from urllib.parse import unquote

        after = int(recorded.query.get("after", 0))
        users = [self.users[u].payload()
                 for u in self.reactions.get((int(message), unquote(emoji)), []) if u > after]
        return json_response(users)

    async def _channel(self, _: Request, channel: str) -> web.Response:
        found = self.threads.get(int(channel)) or self.channels.get(int(channel))
        if found is None:
            return error(404, 10003, "Unknown Channel")
        return json_response(found)

    async def _post(self, recorded: Request, channel: str) -> web.Response:
        channel_id = int(channel)
        if channel_id in self.dm_channels:
            user = self.dm_channels[channel_id]
            if user in self.refuse_dm:
                return error(403, 50007, "Cannot send messages to this user")
            return json_response(self._bot_message(channel_id, recorded.body, dm=True))
        if channel_id not in self.channels and channel_id not in self.threads:
            return error(404, 10003, "Unknown Channel")
        posted = self._bot_message(channel_id, recorded.body)
        self.messages[channel_id].append(posted)  # kept in history, as Discord does
        (self.threads.get(channel_id) or self.channels[channel_id])["last_message_id"] = \
            posted["id"]
        return json_response(posted)

    def _bot_message(self, channel: int, body: Any, *, dm: bool = False) -> dict[str, Any]:
        body = body or {}
        data = {"id": str(snowflake()), "channel_id": str(channel), "author": self.bot.payload(),
                "content": body.get("content") or "", "timestamp": iso(datetime.now(UTC)),
                "edited_timestamp": None, "tts": False, "mention_everyone": False,
                "mentions": [], "mention_roles": [], "attachments": [],
                "embeds": body.get("embeds") or [], "pinned": False, "type": 0,
                "flags": body.get("flags") or 0, "components": body.get("components") or []}
        if not dm:
            data["guild_id"] = str(self.guild_id)
        return data

    async def _open_dm(self, recorded: Request) -> web.Response:
        user = int(recorded.body["recipient_id"])
        channel_id = next((c for c, u in self.dm_channels.items() if u == user), None)
        if channel_id is None:
            channel_id = snowflake()
            self.dm_channels[channel_id] = user
        return json_response({"id": str(channel_id), "type": 1, "last_message_id": None,
                              "recipients": [self.users[user].payload()]})

    async def _user(self, _: Request, user: str) -> web.Response:
        found = self.users.get(int(user))
        if found is None:
            return error(404, 10013, "Unknown User")
        return json_response(found.payload())

    async def _member(self, _: Request, user: str) -> web.Response:
        found = self.users.get(int(user))
        if found is None:
            return error(404, 10007, "Unknown Member")
        return json_response(found.member())

    async def _no_content(self, _: Request) -> web.Response:
        return web.Response(status=204)

    async def _callback(self, recorded: Request, interaction: str, _: str) -> web.Response:
        kind = recorded.body.get("type") if isinstance(recorded.body, dict) else None
        return json_response({"interaction": {"id": interaction, "type": 2,
                                              "response_message_loading": kind == 5,
                                              "response_message_ephemeral": False},
                              "resource": {"type": kind}})

    async def _followup(self, recorded: Request, _: str) -> web.Response:
        return json_response(self._bot_message(0, recorded.body))

    async def _edit_original(self, recorded: Request, _: str) -> web.Response:
        return json_response(self._bot_message(0, recorded.body))

    # -- interactions ------------------------------------------------------------------
    def interaction(self, user: User, data: dict[str, Any], *, kind: int = 2,
                    channel: int | None = None, dm: bool = False,
                    message: dict[str, Any] | None = None) -> dict[str, Any]:
        """An INTERACTION_CREATE payload (2: command, 3: button)."""
        interaction_id = snowflake()
        payload: dict[str, Any] = {
            "id": str(interaction_id), "application_id": str(APP_ID), "type": kind,
            "data": data, "token": f"tok{interaction_id}", "version": 1,
            "app_permissions": str(BOT_PERMS), "locale": "en-US", "entitlements": [],
            "authorizing_integration_owners": {}, "attachment_size_limit": 8 * 1024 * 1024}
        if dm:
            dm_channel = next((c for c, u in self.dm_channels.items() if u == user.id), 1)
            payload["user"] = user.payload()
            payload["channel_id"] = str(dm_channel)
            payload["channel"] = {"id": str(dm_channel), "type": 1}
            payload["context"] = 1
        else:
            payload["guild_id"] = str(self.guild_id)
            payload["guild_locale"] = "en-US"
            payload["member"] = {**user.member(), "permissions": str(user.permissions)}
            channel_data = self.threads.get(channel or 0) or self.channels[channel or 0]
            payload["channel_id"] = channel_data["id"]
            payload["channel"] = channel_data
            payload["context"] = 0
        if message is not None:
            payload["message"] = message
        return payload

    def command(self, user: User, channel: int, sub: str, **options: Any) -> dict[str, Any]:
        """``/circle <sub> option:value…``."""
        kinds = {bool: 5, int: 4, str: 3}
        opts = [{"name": k, "type": 6 if isinstance(v, User) else kinds[type(v)],
                 "value": str(v.id) if isinstance(v, User) else v} for k, v in options.items()]
        data: dict[str, Any] = {"id": str(snowflake()), "name": "circle", "type": 1,
                                "guild_id": str(self.guild_id),
                                "options": [{"name": sub, "type": 1, "options": opts}]}
        members = [v for v in options.values() if isinstance(v, User)]
        if members:
            data["resolved"] = {
                "users": {str(u.id): u.payload() for u in members},
                "members": {str(u.id): {**u.member(with_user=False),
                                        "permissions": str(u.permissions)} for u in members}}
        return self.interaction(user, data, channel=channel)

    def context_menu(self, user: User, name: str, message: dict[str, Any]) -> dict[str, Any]:
        """A message context-menu command on ``message``."""
        data = {"id": str(snowflake()), "name": name, "type": 3, "target_id": message["id"],
                "guild_id": str(self.guild_id), "resolved": {"messages": {message["id"]: message}}}
        return self.interaction(user, data, channel=int(message["channel_id"]))


@dataclass
class Request:
    """One REST call the bot made."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    files: list[str]
    served: list[int] = field(default_factory=list)

    @property
    def embeds(self) -> list[dict[str, Any]]:
        body = self.body if isinstance(self.body, dict) else {}
        data = body.get("data", body) if "type" in body and "data" in body else body
        return list(data.get("embeds") or [])
