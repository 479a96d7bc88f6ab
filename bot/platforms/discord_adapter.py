"""The Discord connection: gateway events in (as neutral events), catch-up, and the parts
that answer interactions (``discord_interactions``) and write to Discord
(``discord_platform``, the ``Platform`` surface).

Receives and renders only: what a message means is the engine's business. Gateway events
and each guild's catch-up go through one ordered inbox (``bot.platforms.inbox``), so a
reply reaches the engine after its question and live messages wait until the history
before them is in; the catch-up itself is ``bot.catchup``'s, over ``DiscordHistory``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine, Iterable
from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands

from bot.backfill import Backfills
from bot.catchup import CatchupReport, catch_up
from bot.config import ConfigError, DiscordSettings
from bot.events import Event
from bot.features import Reply
from bot.platforms import discord_events as conv
from bot.platforms.discord_client import (
    InnercircleClient,
    InnercircleShardedClient,
    apply_endpoints,
    intents,
)
from bot.platforms.discord_commands import build_tree
from bot.platforms.discord_escape import allowed_mentions
from bot.platforms.discord_events import Place, place_of, scope_of
from bot.platforms.discord_history import DiscordHistory
from bot.platforms.discord_interactions import DiscordInteractions
from bot.platforms.inbox import OrderedInbox
from bot.reaction_catchup import recover_reactions
from bot.runtime import Runtime
from bot.scope import Scope
from bot.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class DiscordAdapter(DiscordInteractions):
    """Innercircle on Discord. ``start()`` runs until ``stop()``."""

    def __init__(self, runtime: Runtime, settings: DiscordSettings, **client_options: Any
                 ) -> None:
        self.runtime = runtime
        self.settings = settings
        options: dict[str, Any] = {"intents": intents(), "chunk_guilds_at_startup": False,
                                   "max_messages": 1000, "allowed_mentions": allowed_mentions(),
                                   **client_options}
        self.client: discord.Client
        if settings.shard_ids is not None and settings.shard_count is None:
            raise ConfigError("[discord] shard_ids needs shard_count (how many shards in all)")
        if settings.shard_ids is not None or (settings.shard_count or 1) > 1:
            self.client = InnercircleShardedClient(
                self, shard_ids=settings.shard_ids, shard_count=settings.shard_count, **options)
        else:
            self.client = InnercircleClient(self, **options)
        self.tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(
            self.client)
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        build_tree(self.tree, runtime.commands.values(), runtime.actions.values(),
                   self.run_command, self.run_action)
        self.inbox = OrderedInbox(runtime.engine.submit, "discord-events")
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping = False
        self.caught_up: set[int] = set()  # guilds whose catch-up finished since start
        self.catchup_reports: dict[int, CatchupReport] = {}
        self.backfills = Backfills(runtime.engine, runtime.store, self.send_dm)
        self.synced: set[int] = set()

    # -- life cycle ---------------------------------------------------------------------
    async def start(self) -> None:
        """Connect and run until the connection is closed."""
        if not self.settings.token:
            raise RuntimeError("[discord] token is not set")
        apply_endpoints(self.settings)
        self.runtime.add_platform(self)
        self.inbox.start()
        try:
            await self.client.start(self.settings.token)
        finally:
            await self._stop_worker()

    async def stop(self) -> None:
        """Close the connection; what was received is handed to the engine first."""
        self._stopping = True
        await self.backfills.stop()
        await self.client.close()
        await self._stop_worker()

    async def _stop_worker(self) -> None:
        self._stopping = True
        await cancel_and_wait(self._tasks)
        left = await self.inbox.stop(timeout=5)
        await cancel_and_wait(self._tasks)  # those an inbox job spawned while draining
        if left:
            log.warning("Discord: %d events still queued at shutdown were dropped", left)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.runtime.now(), UTC)

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        if self._stopping:  # a job finishing during shutdown starts nothing new
            coro.close()
            return
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def submit(self, event: Event | None) -> None:
        """Hand a converted event on (from inside an inbox job, to keep the order)."""
        if event is not None:
            await self.inbox.deliver(event)

    # -- start-up and new guilds ---------------------------------------------------------
    def on_ready(self) -> None:
        user = self.client.user
        log.info("connected to Discord as %s (%s) in %d servers", user, user and user.id,
                 len(self.client.guilds))
        for guild in self.client.guilds:
            self._welcome(guild)

    def on_guild_join(self, guild: discord.Guild) -> None:
        log.info("joined server %s (%s)", guild.name, guild.id)
        self._spawn(self.greet(guild), f"discord-greet-{guild.id}")
        self._welcome(guild)

    def _welcome(self, guild: discord.Guild) -> None:
        if self.settings.sync_commands and guild.id not in self.synced:
            self._spawn(self.sync_commands(guild), f"discord-sync-{guild.id}")
        self.inbox.put(lambda: self.catch_up(guild))

    async def sync_commands(self, guild: discord.Guild) -> None:
        """Register ``/circle`` and the context menus in ``guild`` (shown at once)."""
        try:
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
            self.synced.add(guild.id)
            log.info("commands synced in %s (%s)", guild.name, guild.id)
        except discord.Forbidden:
            log.warning("cannot register commands in %s (%s): the bot was invited without "
                        "the applications.commands scope", guild.name, guild.id)
        except discord.HTTPException as error:
            log.warning("syncing commands in %s failed: %s", guild.name, error)

    # -- live events ---------------------------------------------------------------------
    async def place(self, channel: object, channel_id: int | None = None) -> Place:
        """Where a channel's messages go; a thread that is not cached is fetched once."""
        if isinstance(channel, discord.Thread | discord.abc.GuildChannel):
            return place_of(channel)
        wanted = channel_id if channel_id is not None else getattr(channel, "id", None)
        if wanted is None:
            return Place("")
        found = self.client.get_channel(wanted)
        if found is None:
            try:
                found = await self.client.fetch_channel(wanted)
            except discord.HTTPException as error:
                log.debug("channel %s not fetched: %s", wanted, error)
                return Place(str(wanted))
        return place_of(found)

    async def handle_message(self, message: discord.Message) -> None:
        if message.guild is None:
            return
        event = conv.message_event(message, await self.place(message.channel))
        await self.submit(event)

    async def handle_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        edited = payload.data.get("edited_timestamp")
        ts = discord.utils.parse_time(edited) if edited else self.now()
        place = await self.place(None, payload.channel_id)
        await self.submit(conv.edit_event(payload, place, ts))

    async def handle_delete(self, guild_id: int | None, channel_id: int,
                            message_ids: Iterable[int]) -> None:
        place = await self.place(None, channel_id)
        for event in conv.delete_events(guild_id, message_ids, place, self.now()):
            await self.submit(event)

    async def handle_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        if self.client.user is not None and payload.user_id == self.client.user.id:
            return
        place = await self.place(None, payload.channel_id)
        await self.submit(conv.reaction_event(payload, place, self.now()))

    # -- catch-up ------------------------------------------------------------------------
    async def catch_up(self, guild: discord.Guild) -> CatchupReport:
        """Read what was said while the bot was away (``bot.catchup``), as an inbox job."""
        source = await self.history(guild)
        report = self.catchup_reports[guild.id] = CatchupReport()  # /circle status: progress
        # reactions added meanwhile to answers stored before, then what was said since
        await recover_reactions(source, self.runtime.engine, self.runtime.store,
                                self.runtime.now(), source.settings.answer_window_hours * 3600)
        await catch_up(source, self.runtime.engine, self.runtime.store, self.runtime.now(),
                       self.settings.catchup_days, report=report)
        self.caught_up.add(guild.id)
        self._spawn(self.backfills.resume(source), f"backfill {guild.id}")
        return report

    # -- backfill ------------------------------------------------------------------------
    async def history(self, guild: discord.Guild) -> DiscordHistory:
        """The guild's channels, threads and forum posts (catch-up and backfill)."""
        return DiscordHistory(guild, await self.runtime.community_settings(scope_of(guild.id)))

    async def start_backfill(self, scope: Scope, days: int, requested_by: str | None
                             ) -> AsyncIterator[Reply] | str:
        """``/circle backfill``: see ``bot.backfill``."""
        guild = self.client.get_guild(int(scope.community))
        if guild is None:
            return "the bot is not connected to this server"
        return self.backfills.start(await self.history(guild), days, requested_by)
