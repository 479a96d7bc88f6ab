"""Slack's side of the ``Platform`` surface: posts (with the chart or file in the thread),
DMs, the reward shout-out, mentions and links, and Slack's part of ``/circle status``."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.catchup import CatchupReport
from bot.config import SlackSettings
from bot.features import HistoryUnavailable, Reply
from bot.platforms.inbox import OrderedInbox
from bot.platforms.slack_errors import error_code, explain
from bot.platforms.slack_escape import mentioned
from bot.platforms.slack_events import message_id, split_message_id
from bot.platforms.slack_history import find_own_marked, marker_metadata
from bot.platforms.slack_render import fallback_text, message_link, reply_blocks
from bot.runtime import Runtime
from bot.scope import Scope

log = logging.getLogger(__name__)


class SlackPlatform:
    """The ``Platform`` methods of ``SlackAdapter`` (a part of it, by job)."""

    name = "slack"
    runtime: Runtime
    settings: SlackSettings
    client: AsyncWebClient
    inbox: OrderedInbox
    bot_user: str | None
    catchup_report: CatchupReport | None
    problems: dict[str, str]

    async def post(self, scope: Scope, channel: str, reply: Reply) -> str | None:
        """Post ``reply`` in ``channel`` (blocks, then the chart or file in its thread)."""
        names = await self._names_for_others(scope, reply)
        try:
            response = await self.client.chat_postMessage(
                channel=channel, blocks=reply_blocks(reply, names),
                text=fallback_text(reply, names), unfurl_links=False, unfurl_media=False,
                metadata=marker_metadata(reply.marker) if reply.marker else None)
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

    async def find_marked(self, scope: Scope, channel: str, marker: str, since: float
                          ) -> str | None:
        """The bot's own message carrying ``marker`` (message metadata) since ``since``."""
        if self.bot_user is None:
            raise HistoryUnavailable("not connected to Slack")
        ts = await find_own_marked(self.client, channel, self.bot_user, marker, since)
        return None if ts is None else message_id(channel, ts)

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
                 f"{self.inbox.delivered} events received since start."]
        if self.catchup_report is not None:
            lines.append(f"Catch-up: {self.catchup_report.summary()}.")
        lines.extend(f"Problem with {where}: {reason}."
                     for where, reason in sorted(self.problems.items()))
        return lines
