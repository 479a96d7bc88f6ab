"""Slack channel names for reports (#general, not C123): catch-up's channel list gives most;
``conversations.info`` the rest, once per channel."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.slack_errors import error_code, explain

log = logging.getLogger(__name__)


class ChannelNames:
    """Channel id -> name, looked up at most once per channel (events of one channel often
    arrive together: they share the lookup)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.known: dict[str, str | None] = {}
        self._lookups: dict[str, asyncio.Future[str | None]] = {}

    def update(self, names: dict[str, str]) -> None:
        self.known.update(names)

    async def name(self, channel: str) -> str | None:
        if not channel or channel in self.known:
            return self.known.get(channel)
        lookup = self._lookups.get(channel)
        if lookup is None:
            lookup = self._lookups[channel] = asyncio.ensure_future(self._look_up(channel))
        return await asyncio.shield(lookup)

    async def _look_up(self, channel: str) -> str | None:
        name = None
        try:
            response = await self.client.conversations_info(channel=channel)
            name = (response.get("channel") or {}).get("name") or None
        except SlackApiError as error:
            log.info("Slack conversations.info %s failed: %s", channel,
                     explain(error_code(error)))
        self.known[channel] = name
        self._lookups.pop(channel, None)
        return name
