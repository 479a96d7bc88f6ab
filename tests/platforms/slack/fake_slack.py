"""A fake Slack: the Web API, response_url, file uploads and a Socket Mode WebSocket, served
by aiohttp on 127.0.0.1 and recording every call. The real slack_sdk / slack-bolt talk to it.

Channel history lives in ``messages[channel]`` (roots and thread replies together, like
Slack's own store); ``conversations.history`` lists roots with ``reply_count`` and
``latest_reply`` and ``conversations.replies`` a thread, both newest or oldest first like
Slack, in pages of ``page_size`` with cursors.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

TEAM = "T0TEAM"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"


@dataclass
class Call:
    """One request the bot made."""

    method: str  # a Web API method, or "upload" / "response_url"
    params: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


def user(uid: str, name: str, *, admin: bool = False, owner: bool = False,
         bot: bool = False) -> dict[str, Any]:
    """A ``users.info`` user object."""
    return {"id": uid, "team_id": TEAM, "name": name.lower(), "real_name": name,
            "is_admin": admin, "is_owner": owner, "is_bot": bot, "deleted": False,
            "profile": {"display_name": name, "real_name": name}}


def channel_name(channel: str) -> str:
    """The fake's channel names: ``CGENERAL`` is #general."""
    return channel[1:].lower()


class FakeSlack:
    """Start with ``await fake.start()``; ``fake.api_url`` is the client's base URL."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {BOT_USER: user(BOT_USER, "innercircle",
                                                                 bot=True)}
        self.channels: list[str] = []
        self.channel_names: dict[str, str] = {}  # id -> name, for users.conversations
        self.scopes: str | None = None  # auth.test's x-oauth-scopes header, when set
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.page_size = 100
        self.rate_limits: dict[str, int] = {}  # method -> how many 429s to answer first
        self.retry_after = "0"
        self.errors: dict[tuple[str, str | None], str] = {}  # (method, channel) -> error
        self.token = BOT_TOKEN
        self.acks: dict[str, dict[str, Any]] = {}
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._connected = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base = ""

    # -- server ------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return self.base + "/api/"

    def response_url(self, key: str = "r") -> str:
        return f"{self.base}/response/{key}"

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def wait_for(self, method: str, where: Callable[[Call], bool] = lambda c: True,
                       timeout: float = 10.0, start: int = 0) -> Call:
        """The first call to ``method`` (from index ``start``) that matches ``where``."""
        def found() -> Call | None:
            return next((c for c in self.calls[start:] if c.method == method and where(c)),
                        None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None),
                                   timeout)
        result = found()
        assert result is not None
        return result

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # -- Web API -----------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            body = await request.read()
            kind = request.content_type
            if kind == "application/json":
                params.update(json.loads(body or b"{}"))
            elif kind == "application/x-www-form-urlencoded":
                params.update(dict(parse_qsl(body.decode())))
        return params

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await self._params(request)
        headers = {k.lower(): v for k, v in request.headers.items()}
        remaining = self.rate_limits.get(method, 0)
        if remaining:
            self.rate_limits[method] = remaining - 1
            await self._record(Call(method, params, headers, 429))
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": self.retry_after})
        await self._record(Call(method, params, headers))
        token = headers.get("authorization", "").removeprefix("Bearer ") or params.get("token")
        expected = APP_TOKEN if method == "apps.connections.open" else self.token
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        error = self.errors.get((method, params.get("channel"))) or \
            self.errors.get((method, None))
        if error:
            return web.json_response({"ok": False, "error": error})
        handler = getattr(self, "api_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        result: dict[str, Any] = handler(params)
        headers = ({"x-oauth-scopes": self.scopes}
                   if method == "auth.test" and self.scopes is not None else None)
        return web.json_response({"ok": True, **result}, headers=headers)

    def api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": "https://fake.slack.com/", "team": "Fake", "user": "innercircle",
                "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID}

    def api_apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.base.replace("http://", "ws://") + "/link"}

    def api_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        found = self.users.get(params.get("user", ""))
        if found is None:
            return {"ok": False, "error": "user_not_found"}
        return {"user": found}

    def api_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"view": {"id": f"V{next(self._ids)}", "type": "home"}}

    def api_users_conversations(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"channels": [{"id": c, "name": self.channel_names.get(c, channel_name(c)),
                              "is_member": True} for c in self.channels],
                "response_metadata": {"next_cursor": ""}}

    def api_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"channel": {"id": params.get("channel"),
                            "name": channel_name(str(params.get("channel")))}}

    def _page(self, items: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
        start = int(params.get("cursor") or 0)
        size = min(int(params.get("limit") or 100), self.page_size)
        page = items[start:start + size]
        more = start + size < len(items)
        return {"messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + size) if more else ""}}

    def _in_range(self, message: dict[str, Any], params: dict[str, Any]) -> bool:
        ts = float(message["ts"])
        if "oldest" in params and ts <= float(params["oldest"]):
            return False
        return not ("latest" in params and ts >= float(params["latest"]))

    def api_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params["channel"]
        every = self.messages.get(channel, [])
        roots = []
        for message in every:
            if message.get("thread_ts") not in (None, message["ts"]):
                continue
            if not self._in_range(message, params):
                continue
            root = dict(message)
            replies = [m for m in every if m.get("thread_ts") == message["ts"]
                       and m["ts"] != message["ts"]]
            if replies:
                root["thread_ts"] = message["ts"]
                root["reply_count"] = len(replies)
                root["latest_reply"] = max((m["ts"] for m in replies), key=float)
            roots.append(root)
        roots.sort(key=lambda m: float(m["ts"]), reverse=True)  # newest first, like Slack
        if str(params.get("include_all_metadata")).lower() not in ("1", "true"):
            roots = [{k: v for k, v in m.items() if k != "metadata"} for m in roots]
        return self._page(roots, params)

    def api_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, thread = params["channel"], params["ts"]
        every = self.messages.get(channel, [])
        root = [dict(m, thread_ts=thread) for m in every if m["ts"] == thread]
        replies = [m for m in every if m.get("thread_ts") == thread and m["ts"] != thread
                   and self._in_range(m, params)]
        replies.sort(key=lambda m: float(m["ts"]))
        return self._page(root + replies, params)  # the root always comes first

    def api_reactions_get(self, params: dict[str, Any]) -> dict[str, Any]:
        """One message with its ``reactions`` (name, users, count), as Slack gives them."""
        channel, ts = params.get("channel"), params.get("timestamp")
        found = next((m for m in self.messages.get(str(channel), []) if m["ts"] == ts), None)
        if found is None:
            return {"ok": False, "error": "message_not_found"}
        return {"type": "message", "channel": channel, "message": found}

    def _new_ts(self) -> str:
        return f"1900000000.{next(self._ts):06d}"

    def api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        """A post by the bot, kept in the channel's history (with its metadata, which
        ``conversations.history`` shows only with ``include_all_metadata``)."""
        ts = self._new_ts()
        message: dict[str, Any] = {"type": "message", "ts": ts, "text": params.get("text"),
                                   "user": BOT_USER, "bot_id": BOT_ID,
                                   "blocks": params.get("blocks") or []}
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        if isinstance(params.get("metadata"), dict):
            message["metadata"] = params["metadata"]
        self.messages.setdefault(params["channel"], []).append(message)
        return {"channel": params["channel"], "ts": ts,
                "message": {"ts": ts, "text": params.get("text"), "bot_id": BOT_ID}}

    def api_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"message_ts": self._new_ts()}

    def api_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"channel": params["channel"], "ts": params["ts"]}

    def api_conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"channel": {"id": "D" + str(params.get("users"))}}

    def api_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids)}"
        return {"upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def api_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        parsed = json.loads(files) if isinstance(files, str) else files or []
        return {"files": [{"id": f["id"], "title": f.get("title")} for f in parsed]}

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        await self._record(Call("upload", {"file_id": request.match_info["file_id"],
                                           "size": len(body), "png": b"PNG" in body[:64]}))
        return web.Response(text="OK - " + str(len(body)))

    async def _response_url(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        await self._record(Call("response_url", {"key": request.match_info["key"], **body}))
        return web.Response(text="ok")

    # -- Socket Mode ---------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "fake"}, "connection_info": {"app_id": "A1"}})
        self._connected.set()
        async for frame in ws:
            if frame.type == WSMsgType.TEXT:
                data = json.loads(frame.data)
                async with self._changed:
                    self.acks[data.get("envelope_id", "")] = data
                    self._changed.notify_all()
        return ws

    async def connected(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def send_envelope(self, kind: str, payload: dict[str, Any],
                            accepts_response_payload: bool = False) -> str:
        """Send a Socket Mode envelope; its id (see ``wait_ack``)."""
        await self.connected()
        envelope_id = f"env-{next(self._ids)}"
        await self._sockets[-1].send_json({
            "envelope_id": envelope_id, "type": kind, "payload": payload,
            "accepts_response_payload": accepts_response_payload, "retry_attempt": 0,
            "retry_reason": ""})
        return envelope_id

    async def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: envelope_id in self.acks),
                                   timeout)
        return self.acks[envelope_id]
