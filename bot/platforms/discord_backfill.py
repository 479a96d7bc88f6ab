"""Discord history for a backfill: each readable text channel, then the active and archived
threads and forum posts of the readable channels, back to the backfill's start. discord.py
waits out rate limits (``Retry-After``) itself; a channel Discord refuses is skipped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.backfill import PlaceRefused
from bot.config import CommunitySettings
from bot.events import Event
from bot.platforms import discord_events as conv
from bot.platforms.discord_events import Place, place_of, scope_of
from bot.signals.emoji import normalize_emoji_set

if TYPE_CHECKING:
    from bot.platforms.discord_adapter import DiscordAdapter

CHUNK = 500


class DiscordHistory:
    """A guild's channels, threads and forum posts as backfill places."""

    def __init__(self, adapter: DiscordAdapter, guild: discord.Guild,
                 settings: CommunitySettings) -> None:
        self.adapter = adapter
        self.guild = guild
        self.scope = scope_of(guild.id)
        self.ack = normalize_emoji_set(settings.ack_emoji)
        self.settings = settings
        self._found: dict[str, tuple[Any, Place]] = {}

    async def places(self, since: float) -> list[str]:
        from bot.platforms.discord_adapter import READ_PERMISSIONS, missing, watches

        me = self.guild.me
        readable = [c for c in self.guild.channels
                    if isinstance(c, discord.TextChannel | discord.ForumChannel)
                    and watches(self.settings, c.id)
                    and not (me and missing(c.permissions_for(me), READ_PERMISSIONS))]
        for channel in readable:
            if isinstance(channel, discord.TextChannel):
                self._found[str(channel.id)] = (channel, Place(str(channel.id)))
        start = datetime.fromtimestamp(since, UTC)
        for thread in await self.adapter._threads(self.guild, readable, start):
            place = place_of(thread)
            self._found[place.cursor_key] = (thread, place)
        return list(self._found)

    async def read(self, key: str, since: float) -> AsyncIterator[list[Event]]:
        channel, place = self._found[key]
        after = discord.Object(discord.utils.time_snowflake(datetime.fromtimestamp(since, UTC)))
        events: list[Event] = []
        try:
            async for message in channel.history(limit=None, after=after, oldest_first=True):
                event = conv.message_event(message, place)
                if event is None:
                    continue
                events.append(event)
                events.extend(await self.adapter._reactions(self.guild, message, place,
                                                            self.ack))
                if len(events) >= CHUNK:
                    yield events
                    events = []
        except discord.Forbidden as error:
            raise PlaceRefused(f"Discord refused to show its history ({error.text or error.status})"
                               ) from None
        except discord.NotFound:
            raise PlaceRefused("it no longer exists") from None
        if events:
            yield events
