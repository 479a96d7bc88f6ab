"""Slack history for a backfill: each channel the bot is in, through
``conversations.history`` and ``conversations.replies`` (the catch-up's reader), back to the
backfill's start. The client honours ``Retry-After``; a channel still rate-limited after
its retries waits the time Slack asks and is read again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from slack_sdk.errors import SlackApiError

from bot.catchup import Place, PlaceRefused, Start
from bot.events import Event
from bot.platforms.slack_catchup import AUTH_ERRORS, SlackCatchup, error_code, explain
from bot.scope import Scope

log = logging.getLogger(__name__)

CHUNK = 2000
PATIENCE = 10  # rate-limited reads of one channel before it is skipped
DEFAULT_WAIT_S = 30.0


def retry_after(error: SlackApiError) -> float:
    headers = getattr(error.response, "headers", None) or {}
    try:
        return float(headers.get("Retry-After") or headers.get("retry-after") or DEFAULT_WAIT_S)
    except (TypeError, ValueError):
        return DEFAULT_WAIT_S


class SlackHistory:
    """A workspace's channels as backfill places."""

    def __init__(self, reader: SlackCatchup, scope: Scope) -> None:
        self.reader = reader
        self.scope = scope

    async def places(self, since: float) -> list[Place]:
        return [Place(c, c) for c in await self.reader.channels()]

    async def read(self, place: Place, start: Start) -> AsyncIterator[list[Event]]:
        for attempt in range(1, PATIENCE + 1):
            try:
                events, _ = await self.reader.read_channel(place.key, {}, start.since)
                break
            except SlackApiError as error:
                code = error_code(error)
                if code == "ratelimited" and attempt < PATIENCE:
                    wait = retry_after(error)
                    log.info("backfill: %s rate-limited, waiting %.0f s", place, wait)
                    await asyncio.sleep(wait)
                    continue
                if code in AUTH_ERRORS:
                    raise
                raise PlaceRefused(explain(code)) from None
        for offset in range(0, len(events), CHUNK):
            yield events[offset:offset + CHUNK]
