"""The discord.py client: which gateway events the bot asks for, where it connects, and the
handlers that turn each gateway event into an item of the adapter's ordered inbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
import yarl

from bot.config import DiscordSettings
from bot.platforms import discord_events as conv

if TYPE_CHECKING:
    from bot.platforms.discord_adapter import DiscordAdapter


def intents() -> discord.Intents:
    """Guilds, members, messages, message content, reactions: nothing more."""
    return discord.Intents(guilds=True, members=True, guild_messages=True,
                           message_content=True, guild_reactions=True)


def apply_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py at ``api_base`` / ``gateway_url`` (a proxy, or a test's fake)."""
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base.rstrip("/")
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


class _Handlers:
    """Gateway events -> the adapter. Each handler only queues its work, synchronously, so
    the worker sees events in the order they arrived."""

    adapter: DiscordAdapter

    async def on_ready(self) -> None:
        self.adapter.on_ready()

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.adapter.on_guild_join(guild)

    async def on_message(self, message: discord.Message) -> None:
        self.adapter.inbox.put(lambda: self.adapter.handle_message(message))

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        self.adapter.inbox.put(lambda: self.adapter.handle_edit(payload))

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        self.adapter.inbox.put(lambda: self.adapter.handle_delete(
            payload.guild_id, payload.channel_id, {payload.message_id}))

    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent
                                         ) -> None:
        self.adapter.inbox.put(lambda: self.adapter.handle_delete(
            payload.guild_id, payload.channel_id, payload.message_ids))

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self.adapter.inbox.put(lambda: self.adapter.handle_reaction(payload))

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        self.adapter.inbox.put(lambda: self.adapter.handle_reaction(payload))

    async def on_member_join(self, member: discord.Member) -> None:
        self.adapter.inbox.put(lambda: self.adapter.submit(conv.join_event(member,
                                                                          self.adapter.now())))

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        self.adapter.inbox.put(lambda: self.adapter.submit(conv.leave_event(
            payload.guild_id, payload.user, self.adapter.now())))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type == discord.InteractionType.component:
            await self.adapter.handle_button(interaction)


class InnercircleClient(_Handlers, discord.Client):
    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        super().__init__(**options)
        self.adapter = adapter


class InnercircleShardedClient(_Handlers, discord.AutoShardedClient):
    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        super().__init__(**options)
        self.adapter = adapter
