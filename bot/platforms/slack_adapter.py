"""The Slack adapter: slack-bolt (Socket Mode or signed HTTP) in, neutral events and runtime
calls out; neutral replies rendered as Block Kit. No feature logic lives here.

One workspace (the bot token's) is one community: ``Scope("slack", team_id)``.
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
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.backfill import Backfills
from bot.command_text import parse_command_text
from bot.config import ConfigError, SlackSettings
from bot.events import Event, MemberJoin, MemberLeave
from bot.features import Invoker, Reply, UsageError, error_reply, relay_updates
from bot.platforms.slack_backfill import SlackHistory
from bot.platforms.slack_catchup import (
    AUTH_ERRORS,
    CatchupReport,
    SlackAuthError,
    SlackCatchup,
    error_code,
    explain,
)
from bot.platforms.slack_escape import mentioned
from bot.platforms.slack_events import (
    Author,
    author_from_user,
    is_bot_message,
    is_talk,
    member_event,
    message_event,
    message_id,
    reaction_event,
    split_message_id,
    team_of,
)
from bot.platforms.slack_render import fallback_text, message_link, reply_blocks
from bot.runtime import Runtime
from bot.scope import Scope

log = logging.getLogger(__name__)

USER_CACHE_S = 3600.0
RATE_LIMIT_RETRIES = 5
# A response_url takes 5 answers in 30 minutes: the reply itself, then a few progress edits.
PROGRESS_EVERY_S = 60.0
PROGRESS_EDITS = 4
BUTTON_ACTION = re.compile(r"^[A-Za-z0-9_.\-]+:")
MEMBER_EVENTS = ("member_joined_channel", "member_left_channel", "team_join", "user_change")


class SlackAdapter:
    """One Slack workspace, connected through slack-bolt; implements ``Platform``."""

    name = "slack"

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
        self.received = 0  # events handed to the engine since start
        self.catchup_report: CatchupReport | None = None
        self.problems: dict[str, str] = {}  # what went wrong lately, by where
        self._received_changed = asyncio.Condition()
        self._held: list[Event] | None = []  # live events held while catching up
        # Bolt handles each event in a task of its own and a users.info look-up may take a
        # while: a slot taken on arrival keeps the engine's order the order Slack sent.
        self._slots: asyncio.Queue[asyncio.Future[Event | None]] = asyncio.Queue()
        self._forwarder: asyncio.Task[None] | None = None
        self._users: dict[str, tuple[float, Author]] = {}
        self._stopped = asyncio.Event()
        self._socket: Any = None
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.backfills = Backfills(runtime.engine, runtime.store, self.send_dm)
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
        self._forwarder = asyncio.create_task(self._forward(), name="slack-events")
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
        try:
            await self.catch_up()
        finally:
            await self._release_held()
            self.ready.set()
        self._spawn(self.backfills.resume(self.history(self.scope(self.team_id))))
        await self._stopped.wait()

    async def stop(self) -> None:
        """Disconnect, then hand what was received to the engine."""
        self._stopped.set()
        await self.backfills.stop()
        for task in list(self._tasks):
            task.cancel()
        if self._socket is not None:
            try:
                await self._socket.close_async()
            except Exception:
                log.debug("closing the Slack socket failed", exc_info=True)
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._forwarder is not None:
            try:
                await asyncio.wait_for(self._slots.join(), 10)
            except TimeoutError:
                log.warning("Slack: %d events still being read at shutdown were dropped",
                            self._slots.qsize())
            self._forwarder.cancel()
            self._forwarder = None
        await self._release_held()

    # -- catch-up --------------------------------------------------------------------
    async def catch_up(self, channels: list[str] | None = None) -> CatchupReport:
        """Read what was said since the last message seen (see ``slack_catchup``)."""
        assert self.team_id is not None
        scope = self.scope(self.team_id)
        settings = await self.runtime.community_settings(scope)
        cursors = await self.runtime.store.channel_cursors(scope)
        reader = SlackCatchup(self.client, self.team_id, self.bot_user, self.author)

        async def ingest(events: list[Event], initial: bool) -> None:
            await self.runtime.engine.ingest(events, catchup=initial)

        try:
            report = await reader.run(ingest, cursors, self.clock(),
                                      self.settings.catchup_days,
                                      settings.answer_window_hours * 3600, channels)
        except SlackAuthError as error:
            log.error("Slack catch-up stopped: %s", error)
            self.problems["catch-up"] = str(error)
            report = CatchupReport()
        if channels is None:
            self.catchup_report = report
        for channel, reason in report.skipped.items():
            self.problems[f"channel {channel}"] = reason
        return report

    # -- backfill ---------------------------------------------------------------------
    def history(self, scope: Scope) -> SlackHistory:
        """The workspace's history, channel by channel, for a backfill."""
        return SlackHistory(SlackCatchup(self.client, scope.community, self.bot_user,
                                         self.author), scope)

    async def start_backfill(self, scope: Scope, days: int, requested_by: str | None
                             ) -> AsyncIterator[Reply] | str:
        """``/circle backfill``: see ``bot.backfill``."""
        return self.backfills.start(self.history(scope), days, requested_by)

    async def _release_held(self) -> None:
        held, self._held = self._held or [], None
        for event in held:
            await self.runtime.engine.submit(event)

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

    @staticmethod
    def scope(team: str) -> Scope:
        return Scope("slack", team)

    def _team(self, body: dict[str, Any]) -> str:
        return team_of(body) or self.team_id or ""

    # -- events ----------------------------------------------------------------------
    def _slot(self) -> asyncio.Future[Event | None]:
        """Reserve the next place in the engine's order (call before any ``await``)."""
        slot: asyncio.Future[Event | None] = asyncio.get_running_loop().create_future()
        self._slots.put_nowait(slot)
        return slot

    async def _forward(self) -> None:
        """Hand events to the engine in the order they arrived."""
        while True:
            slot = await self._slots.get()
            try:
                event = await slot
                if event is not None:
                    await self._submit(event)
            except Exception:
                log.exception("a Slack event could not be read")
            finally:
                self._slots.task_done()

    async def _submit(self, event: Event) -> None:
        if self._held is not None:
            self._held.append(event)
        else:
            await self.runtime.engine.submit(event)
        async with self._received_changed:
            self.received += 1
            self._received_changed.notify_all()

    async def wait_received(self, count: int, timeout: float = 10.0) -> None:
        """Wait until ``count`` events have reached the engine's queue (tests, tools)."""
        async with self._received_changed:
            await asyncio.wait_for(
                self._received_changed.wait_for(lambda: self.received >= count), timeout)

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        slot = self._slot()
        converted = None
        try:
            author = None
            if is_talk(event) and not is_bot_message(event, self.bot_user):
                author = await self.author(str(event["user"]))
            converted = message_event(self._team(body), event, author, self.bot_user)
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
                self._spawn(self.catch_up([str(event["channel"])]))  # read the new channel
            return None
        name = None
        if isinstance(user_id, str) and not isinstance(user, dict):
            name = (await self.author(user_id)).name
        return member_event(self._team(body), event, name)

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

    # -- commands, shortcuts, buttons ----------------------------------------------------
    async def _on_command(self, ack: Any, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        team = self._team(body)
        user = str(body.get("user_id"))
        channel = body.get("channel_id")
        invoker = await self.invoker(user, body.get("user_name"))
        try:
            name, args = parse_command_text(str(body.get("text") or ""),
                                            self.runtime.commands)
        except UsageError as error:
            await self._respond(respond, error_reply(str(error)))
            return
        reply = await self.runtime.run_command(self, self.scope(team), invoker, name, args,
                                               channel)
        await self._answer(respond, self.scope(team), reply, channel, user)

    async def _on_shortcut(self, ack: Any, body: dict[str, Any], respond: AsyncRespond
                           ) -> None:
        await ack()
        team = self._team(body)
        user = str((body.get("user") or {}).get("id"))
        channel = str((body.get("channel") or {}).get("id"))
        ts = str((body.get("message") or {}).get("ts"))
        invoker = await self.invoker(user, (body.get("user") or {}).get("name"))
        reply = await self.runtime.run_message_action(
            self, self.scope(team), invoker, str(body.get("callback_id")),
            message_id(channel, ts), channel)
        await self._respond(respond, reply)

    async def _on_button(self, ack: Any, body: dict[str, Any], action: dict[str, Any],
                         respond: AsyncRespond) -> None:
        await ack()
        team = self._team(body)
        user = str((body.get("user") or {}).get("id"))
        invoker = await self.invoker(user, (body.get("user") or {}).get("name"))
        reply = await self.runtime.press_button(self, self.scope(team), invoker,
                                                str(action.get("action_id")))
        container = body.get("container") or {}
        message = body.get("message") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        if reply.tone == "error" or not message.get("ts") or not channel \
                or container.get("is_ephemeral"):
            await self._respond(respond, reply, replace=bool(container.get("is_ephemeral"))
                                and reply.tone != "error")
            return
        try:
            await self.client.chat_update(channel=channel, ts=message["ts"],
                                          blocks=reply_blocks(reply), text=fallback_text(reply))
        except SlackApiError as error:
            log.warning("Slack chat.update in %s failed: %s", channel,
                        explain(error_code(error)))
            await self._respond(respond, reply)

    async def _respond(self, respond: AsyncRespond, reply: Reply, *, public: bool = False,
                       replace: bool = False, scope: Scope | None = None) -> None:
        """Answer through the request's response_url (works in any channel, even DMs)."""
        try:
            names = await self._names_for_others(scope, reply) if public and scope else None
            response = await respond(text=fallback_text(reply, names),
                                     blocks=reply_blocks(reply, names),
                                     response_type="in_channel" if public else "ephemeral",
                                     replace_original=replace)
        except Exception:
            log.warning("Slack: could not answer through response_url", exc_info=True)
            return
        if getattr(response, "status_code", 200) != 200:
            log.warning("Slack: response_url answered %s: %s", response.status_code,
                        response.body)

    async def _answer(self, respond: AsyncRespond, scope: Scope, reply: Reply,
                      channel: str | None, user: str) -> None:
        """A command's reply: public ones posted in the channel (with the chart), the rest
        only to the user; an attachment that cannot go in an ephemeral reply goes by DM."""
        if reply.public and channel:
            if await self.post(scope, channel, reply) is not None:
                return
            reply.footer = (reply.footer + " · " if reply.footer else "") + \
                "Invite me to this channel (/invite) to show charts here."
            await self._respond(respond, reply, public=True, scope=scope)
            return
        await self._respond(respond, reply)
        if reply.updates is not None:
            async def edit(update: Reply) -> bool:
                await self._respond(respond, update, replace=True)
                return True

            self._spawn(relay_updates(reply.updates, edit, every_s=PROGRESS_EVERY_S,
                                      limit=PROGRESS_EDITS))
        if reply.file is not None:
            await self.send_dm(scope, user, Reply(title=reply.title, file=reply.file,
                                                  text="Your file, as asked."))

    # -- Platform --------------------------------------------------------------------
    async def post(self, scope: Scope, channel: str, reply: Reply) -> str | None:
        """Post ``reply`` in ``channel`` (blocks, then the chart or file in its thread)."""
        names = await self._names_for_others(scope, reply)
        try:
            response = await self.client.chat_postMessage(
                channel=channel, blocks=reply_blocks(reply, names),
                text=fallback_text(reply, names), unfurl_links=False, unfurl_media=False)
        except SlackApiError as error:
            code = error_code(error)
            log.warning("Slack %s: posting in %s failed: %s", scope.community, channel,
                        explain(code))
            self.problems[f"channel {channel}"] = explain(code)
            return None
        posted = str(response.get("channel") or channel)
        ts = str(response["ts"])
        await self._attach(posted, ts, reply)
        return message_id(posted, ts)

    async def _names_for_others(self, scope: Scope, reply: Reply) -> dict[str, str | None]:
        """Names for the members a message others see mentions without meaning to notify
        them (leaderboards, digests, lists name; only ``reply.notify`` is pinged)."""
        users = mentioned(reply.plain_text(marked=True)) - set(reply.notify)
        if not users:
            return {}
        facts = await self.runtime.store.member_facts(scope, users)
        return {user: facts[user].name if user in facts else None for user in users}

    async def _attach(self, channel: str, thread_ts: str, reply: Reply) -> None:
        uploads: list[tuple[str, bytes]] = []
        if reply.chart is not None:
            uploads.append(("chart.png", reply.chart))
        if reply.file is not None:
            uploads.append(reply.file)
        for filename, content in uploads:
            try:
                await self.client.files_upload_v2(channel=channel, thread_ts=thread_ts,
                                                  filename=filename, content=content,
                                                  title=reply.title)
            except SlackApiError as error:
                log.warning("Slack: uploading %s to %s failed: %s", filename, channel,
                            explain(error_code(error)))

    async def send_dm(self, scope: Scope, user: str, reply: Reply) -> bool:
        """A direct message (``conversations.open`` then a post); False when refused."""
        try:
            opened = await self.client.conversations_open(users=user)
        except SlackApiError as error:
            log.warning("Slack %s: cannot open a DM with %s: %s", scope.community, user,
                        explain(error_code(error)))
            return False
        channel = (opened.get("channel") or {}).get("id")
        if not channel:
            return False
        return await self.post(scope, str(channel), reply) is not None

    async def grant_reward(self, scope: Scope, user: str, reward: str | None) -> str:
        """Slack has no roles: a reward is a public shout-out in the report channel."""
        settings = await self.runtime.community_settings(scope)
        what = f" ({reward})" if reward else ""
        if not settings.report_channel:
            return ("Slack has no roles; no report channel is set, so no shout-out was "
                    "posted. The reward is recorded.")
        shout = Reply(title="Community shout-out", public=True, tone="good", notify=(user,),
                      text=f"{self.mention(user)} is recognised as a community advocate{what}. "
                           "Thank you for helping so many members!")
        if await self.post(scope, settings.report_channel, shout) is None:
            return (f"Slack has no roles, and the shout-out in <#{settings.report_channel}> "
                    "could not be posted (see the log). The reward is recorded.")
        return f"Slack has no roles: posted a shout-out in <#{settings.report_channel}>."

    def mention(self, user: str) -> str:
        return f"<@{user}>"

    def message_link(self, scope: Scope, channel: str, message_id: str) -> str | None:
        try:
            _, ts = split_message_id(message_id)
        except ValueError:
            return None
        return message_link(channel, ts)

    async def describe_status(self, scope: Scope) -> list[str]:
        """Slack's part of ``/circle status``: connection, catch-up, what went wrong."""
        mode = "Socket Mode" if self.settings.mode == "socket" else "HTTP (Events API)"
        lines = [f"Slack: connected in {mode} as {self.mention(self.bot_user or '?')}; "
                 f"{self.received} events received since start."]
        if self.catchup_report is not None:
            lines.append(f"Catch-up: {self.catchup_report.summary()}.")
        lines.extend(f"Problem with {where}: {reason}."
                     for where, reason in sorted(self.problems.items()))
        return lines
