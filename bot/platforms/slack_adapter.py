"""The Slack connection: slack-bolt (Socket Mode or signed HTTP) in, neutral events out; the
parts that answer interactions (``slack_interactions``) and write to Slack
(``slack_platform``, the ``Platform`` surface). No feature logic lives here.

One workspace (the bot token's) is one community: ``Scope("slack", team_id)``. Events and
catch-ups go through one ordered inbox (``bot.platforms.inbox``); the first catch-up is put
in it before connecting, so live events wait until the history before them is in.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.backfill import Backfills
from bot.catchup import CatchupReport, Place, SourceRefused, catch_up
from bot.config import ConfigError, SlackSettings
from bot.events import Event, MemberJoin, MemberLeave
from bot.features import Invoker, Reply
from bot.first_run import home_reply
from bot.platforms.inbox import OrderedInbox
from bot.platforms.slack_errors import AUTH_ERRORS, SlackAuthError, error_code, explain
from bot.platforms.slack_events import (
    Author,
    author_from_user,
    is_bot_message,
    is_talk,
    member_event,
    message_event,
    reaction_event,
    team_of,
)
from bot.platforms.slack_history import SlackHistory
from bot.platforms.slack_interactions import SlackInteractions
from bot.platforms.slack_names import ChannelNames
from bot.platforms.slack_render import reply_blocks
from bot.reaction_catchup import recover_reactions
from bot.runtime import Runtime
from bot.scope import Scope
from bot.tasks import cancel_and_wait

log = logging.getLogger(__name__)

USER_CACHE_S = 3600.0
RATE_LIMIT_RETRIES = 5
BUTTON_ACTION = re.compile(r"^[A-Za-z0-9_.\-]+:")
BACKFILL_PATIENCE = 10  # rate-limited reads of one channel before a backfill skips it
MEMBER_EVENTS = ("member_joined_channel", "member_left_channel", "team_join", "user_change")


class SlackAdapter(SlackInteractions):
    """One Slack workspace, connected through slack-bolt; implements ``Platform``."""

    def __init__(self, runtime: Runtime, settings: SlackSettings,
                 clock: Callable[[], float] = time.time) -> None:
        if not settings.bot_token:
            raise ConfigError("[slack] bot_token (or INNERCIRCLE_SLACK_BOT_TOKEN) is not set")
        if settings.mode == "socket" and not settings.app_token:
            raise ConfigError("Slack Socket Mode needs [slack] app_token (or "
                              "INNERCIRCLE_SLACK_APP_TOKEN, an xapp-… token with "
                              "connections:write); or set [slack] mode = \"http\"")
        if settings.mode == "http" and not settings.signing_secret:
            raise ConfigError("Slack HTTP mode needs [slack] signing_secret (or "
                              "INNERCIRCLE_SLACK_SIGNING_SECRET) to verify every request")
        self.runtime = runtime
        self.settings = settings
        self.clock = clock
        client_args: dict[str, Any] = {"token": settings.bot_token}
        if settings.api_url:
            client_args["base_url"] = settings.api_url.rstrip("/") + "/"
        self.client = AsyncWebClient(**client_args, retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ])
        self.app = AsyncApp(client=self.client, signing_secret=settings.signing_secret or "",
                            process_before_response=False,
                            raise_error_for_unhandled_request=False)
        self.team_id: str | None = None
        self.bot_user: str | None = None
        self.ready = asyncio.Event()  # connected and caught up
        self.catchup_report: CatchupReport | None = None
        self.problems: dict[str, str] = {}  # what went wrong lately, by where
        # Bolt handles each event in a task of its own and a users.info look-up may take a
        # while: a place reserved on arrival keeps the engine's order the order Slack sent.
        self.inbox = OrderedInbox(runtime.engine.submit, "slack-events")
        self.backfills = Backfills(runtime.engine, runtime.store, self.send_dm)
        self._users: dict[str, tuple[float, Author]] = {}
        self.channel_names = ChannelNames(self.client)  # for reports: #general, not C123
        self._stopped = asyncio.Event()
        self._socket: Any = None
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._register()

    # -- wiring ------------------------------------------------------------------------
    def _register(self) -> None:
        app = self.app
        app.event("message")(self._on_message)
        app.event("reaction_added")(self._on_reaction_added)
        app.event("reaction_removed")(self._on_reaction_removed)
        for kind in MEMBER_EVENTS:
            app.event(kind)(self._on_member)
        app.event("tokens_revoked")(self._on_revoked)
        app.event("app_uninstalled")(self._on_revoked)
        app.event("app_home_opened")(self._on_home_opened)
        app.command("/circle")(self._on_command)
        for callback_id in self.runtime.actions:
            app.message_shortcut(callback_id)(self._on_shortcut)
        app.action(BUTTON_ACTION)(self._on_button)
        app.error(self._on_error)

    async def start(self) -> None:
        """Connect, catch up on history, then serve events until ``stop``."""
        try:
            auth = await self.client.auth_test()
        except SlackApiError as error:
            raise SlackAuthError(f"Slack did not accept the bot token: "
                                 f"{explain(error_code(error))}") from None
        self.team_id = str(auth["team_id"])
        self.bot_user = auth.get("user_id")
        self.runtime.add_platform(self)
        self.inbox.start()
        self.inbox.put(self._first_catch_up)
        if self.settings.mode == "socket":
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.app, self.settings.app_token)
            await self._socket.connect_async()
            log.info("Slack: connected to workspace %s in Socket Mode", self.team_id)
        else:
            self._runner = web.AppRunner(self.app.web_app(path="/slack/events"))
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.settings.http_host, self.settings.http_port)
            await site.start()
            log.info("Slack: serving the Events API for workspace %s on http://%s:%s"
                     "/slack/events", self.team_id, self.settings.http_host,
                     self.settings.http_port)
        await self._stopped.wait()

    async def _first_catch_up(self) -> None:
        try:
            await self.catch_up()
        finally:
            self.ready.set()
        assert self.team_id is not None
        self._spawn(self.backfills.resume(await self.history(self.scope(self.team_id))))

    async def stop(self) -> None:
        """Disconnect, then hand what was received to the engine."""
        self._stopped.set()
        await self.backfills.stop()
        await cancel_and_wait(self._tasks)
        if self._socket is not None:
            try:
                await self._socket.close_async()
            except Exception:
                log.debug("closing the Slack socket failed", exc_info=True)
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        left = await self.inbox.stop(timeout=10)
        if left:
            log.warning("Slack: %d events still being read at shutdown were dropped", left)

    # -- catch-up --------------------------------------------------------------------
    async def catch_up(self, channels: list[str] | None = None) -> CatchupReport:
        """Read what was said since the last message seen (``bot.catchup``), in every
        channel or in ``channels``; run as an inbox job."""
        assert self.team_id is not None
        source = await self.history(self.scope(self.team_id))
        places = None if channels is None else [Place(c, c) for c in channels]
        report = CatchupReport()
        if channels is None:
            self.catchup_report = report  # /circle status shows the progress while it runs
        try:
            if channels is None:  # reactions added meanwhile to answers stored before
                settings = await self.runtime.community_settings(source.scope)
                await recover_reactions(source, self.runtime.engine, self.runtime.store,
                                        self.clock(), settings.answer_window_hours * 3600)
            await catch_up(source, self.runtime.engine, self.runtime.store, self.clock(),
                           self.settings.catchup_days, places, report=report)
        except SourceRefused as error:
            log.error("Slack catch-up stopped: %s", error)
            self.problems["catch-up"] = str(error)
            report = CatchupReport(done=True)
        if channels is None:
            self.catchup_report = report
        for channel, reason in report.skipped.items():
            self.problems[f"channel {channel}"] = reason
        return report

    # -- backfill ---------------------------------------------------------------------
    async def history(self, scope: Scope, patience: int = 1) -> SlackHistory:
        """The workspace's channels (catch-up; backfill waits out rate limits longer)."""
        settings = await self.runtime.community_settings(scope)
        return SlackHistory(self.client, scope.community, self.bot_user, self.author,
                            settings.answer_window_hours * 3600, patience, self.channel_names)

    async def start_backfill(self, scope: Scope, days: int, requested_by: str | None
                             ) -> AsyncIterator[Reply] | str:
        """``/circle backfill``: see ``bot.backfill``."""
        source = await self.history(scope, patience=BACKFILL_PATIENCE)
        return self.backfills.start(source, days, requested_by)

    # -- who is who ------------------------------------------------------------------
    async def author(self, user: str) -> Author:
        """Name and staff status from ``users.info`` (admins and owners are staff), cached."""
        now = self.clock()
        cached = self._users.get(user)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            response = await self.client.users_info(user=user)
            found = author_from_user(response.get("user") or {})
        except SlackApiError as error:
            code = error_code(error)
            log.warning("Slack users.info %s failed: %s", user, explain(code))
            if code in AUTH_ERRORS:
                self.problems["token"] = explain(code)
            found = cached[1] if cached else Author()
            self._users[user] = (now + 60, found)  # try again in a minute, not every message
            return found
        self._users[user] = (now + USER_CACHE_S, found)
        return found

    async def invoker(self, user: str, name: str | None = None) -> Invoker:
        author = await self.author(user)
        return Invoker(user, author.name or name, author.is_staff)

    def _team(self, body: dict[str, Any]) -> str:
        return team_of(body) or self.team_id or ""

    # -- events ----------------------------------------------------------------------
    def _slot(self) -> asyncio.Future[Event | None]:
        """Reserve the next place in the engine's order (call before any ``await``)."""
        return self.inbox.reserve()

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        slot = self._slot()
        converted = None
        try:
            author = name = None
            if is_talk(event) and not is_bot_message(event, self.bot_user):
                author = await self.author(str(event["user"]))
                name = await self.channel_names.name(str(event.get("channel") or ""))
            converted = message_event(self._team(body), event, author, self.bot_user, name)
        finally:
            slot.set_result(converted)

    async def _on_reaction_added(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        self._slot().set_result(reaction_event(self._team(body), event, removed=False))

    async def _on_reaction_removed(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        self._slot().set_result(reaction_event(self._team(body), event, removed=True))

    async def _on_member(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        slot = self._slot()
        converted = None
        try:
            converted = await self._member(body, event)
        finally:
            slot.set_result(converted)

    async def _member(self, body: dict[str, Any], event: dict[str, Any]
                      ) -> MemberJoin | MemberLeave | None:
        user = event.get("user")
        user_id = user.get("id") if isinstance(user, dict) else user
        if event.get("type") == "user_change":
            self._users.pop(str(user_id), None)
        if user_id and user_id == self.bot_user:
            if event.get("type") == "member_joined_channel" and event.get("channel"):
                channel = str(event["channel"])
                self.inbox.put(lambda: self.catch_up([channel]))  # read the new channel
            return None
        name = None
        if isinstance(user_id, str) and not isinstance(user, dict):
            name = (await self.author(user_id)).name
        return member_event(self._team(body), event, name)

    async def _on_home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """The App Home tab: status and set-up steps, published for the member who opened
        it."""
        if event.get("tab") != "home" or not event.get("user"):
            return
        status = await self.describe_status(self.scope(self._team(body)))
        view = {"type": "home", "blocks": reply_blocks(home_reply(status))}
        try:
            await self.client.views_publish(user_id=str(event["user"]), view=view)
        except SlackApiError as error:
            log.warning("Slack: the App Home tab was not published: %s", error_code(error))

    async def _on_revoked(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        reason = ("the app was uninstalled from the workspace"
                  if event.get("type") == "app_uninstalled"
                  else "the bot token was revoked")
        log.error("Slack %s: %s; reinstall the app and set the new bot token",
                  self._team(body), reason)
        self.problems["token"] = reason

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        log.error("Slack request failed (%s): %s", body.get("type"), error, exc_info=error)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
