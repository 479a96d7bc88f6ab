"""Slack interactions: the ``/circle`` slash command, message shortcuts and button presses,
acknowledged at once and answered through the request's ``response_url``."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError

from bot.command_text import parse_command_text
from bot.features import Invoker, Reply, UsageError, error_reply, relay_updates
from bot.platforms.slack_errors import error_code, explain
from bot.platforms.slack_events import message_id
from bot.platforms.slack_platform import SlackPlatform
from bot.platforms.slack_render import fallback_text, reply_blocks
from bot.scope import Scope

log = logging.getLogger(__name__)

# A response_url takes 5 answers in 30 minutes: the reply itself, then a few progress edits.
PROGRESS_EVERY_S = 60.0
PROGRESS_EDITS = 4


class SlackInteractions(SlackPlatform):
    """The interaction handlers of ``SlackAdapter`` (a part of it, by job); they answer as
    the platform they are part of."""

    if TYPE_CHECKING:  # the adapter's: who is who, and which workspace
        async def invoker(self, user: str, name: str | None = None) -> Invoker: ...

        def _team(self, body: dict[str, Any]) -> str: ...

        def _spawn(self, coro: Any) -> None: ...

    @staticmethod
    def scope(team: str) -> Scope:
        return Scope("slack", team)

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
            hint = "Invite me to this channel (/invite) to show charts here."
            shown = replace(reply, footer=f"{reply.footer} · {hint}" if reply.footer else hint)
            await self._respond(respond, shown, public=True, scope=scope)
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
