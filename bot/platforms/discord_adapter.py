"""The Discord connection: gateway events in (as neutral events), ``/circle`` commands,
message context menus and buttons, and the ``Platform`` surface features write through.

Receives and renders only: what a message means is the engine's business. Live events are
handled one at a time, in the order the gateway delivered them (a reply must reach the engine
after its question), by one worker that also runs each guild's catch-up, so that live
messages wait until the history before them is in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import yarl
from discord import app_commands

from bot.backfill import Backfills
from bot.channels import ChannelRule
from bot.config import CommunitySettings, ConfigError, DiscordSettings
from bot.events import Event
from bot.features import Invoker, Reply, error_reply, relay_updates
from bot.platforms import discord_events as conv
from bot.platforms.discord_backfill import DiscordHistory
from bot.platforms.discord_commands import build_tree
from bot.platforms.discord_escape import allowed_mentions
from bot.platforms.discord_events import Place, jump_url, place_of, scope_of
from bot.platforms.discord_render import render
from bot.runtime import Runtime
from bot.scope import Scope
from bot.signals.emoji import normalize_emoji, normalize_emoji_set
from bot.staff import StaffRule

log = logging.getLogger(__name__)

INGEST_CHUNK = 500
PROGRESS_EVERY_S = 5.0  # at most one edit of a progress reply this often
#: What the bot needs in a watched channel, by permission attribute and its name in Discord.
READ_PERMISSIONS = {"view_channel": "View Channel",
                    "read_message_history": "Read Message History"}
POST_PERMISSIONS = {"send_messages": "Send Messages", "embed_links": "Embed Links",
                    "attach_files": "Attach Files"}
#: A button pressed in a DM carries its community: "<guild id>/<action>".
DM_ACTION = re.compile(r"(\d{5,22})/(.+)", re.DOTALL)
CUSTOM_ID_MAX = 100

Job = Callable[[], Awaitable[None]]


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


def missing(perms: discord.Permissions, wanted: dict[str, str]) -> list[str]:
    """The names of the ``wanted`` permissions ``perms`` lacks."""
    return [label for attr, label in wanted.items() if not getattr(perms, attr)]


def watches(settings: CommunitySettings, channel_id: int | str) -> bool:
    """``bot.channels``' rule, for a Discord channel id."""
    return ChannelRule(settings).watches(str(channel_id))


def snowflake_after(cursor: tuple[float, str | None] | None, since: datetime
                    ) -> discord.abc.Snowflake:
    """Where a history read starts: after the last message seen, else at ``since``."""
    if cursor is not None:
        ts, last_id = cursor
        if last_id and last_id.isdigit():
            return discord.Object(id=int(last_id))
        return discord.Object(id=discord.utils.time_snowflake(
            datetime.fromtimestamp(ts, UTC), high=True))
    return discord.Object(id=discord.utils.time_snowflake(since, high=False))


class _Handlers:
    """Gateway events -> the adapter. Each handler only queues its work, synchronously, so
    the worker sees events in the order they arrived."""

    adapter: DiscordAdapter

    async def on_ready(self) -> None:
        self.adapter.on_ready()

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.adapter.on_guild_join(guild)

    async def on_message(self, message: discord.Message) -> None:
        self.adapter.enqueue(lambda: self.adapter.handle_message(message))

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        self.adapter.enqueue(lambda: self.adapter.handle_edit(payload))

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        self.adapter.enqueue(lambda: self.adapter.handle_delete(
            payload.guild_id, payload.channel_id, {payload.message_id}))

    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent
                                         ) -> None:
        self.adapter.enqueue(lambda: self.adapter.handle_delete(
            payload.guild_id, payload.channel_id, payload.message_ids))

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self.adapter.enqueue(lambda: self.adapter.handle_reaction(payload))

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        self.adapter.enqueue(lambda: self.adapter.handle_reaction(payload))

    async def on_member_join(self, member: discord.Member) -> None:
        self.adapter.enqueue(lambda: self.adapter.submit(conv.join_event(member,
                                                                          self.adapter.now())))

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        self.adapter.enqueue(lambda: self.adapter.submit(conv.leave_event(
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


class DiscordAdapter:
    """Innercircle on Discord. ``start()`` runs until ``stop()``."""

    name = "discord"

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
        self._inbox: asyncio.Queue[Job] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._progress = asyncio.Condition()
        self.processed = 0  # gateway events and catch-ups handled so far (tests wait on it)
        self.caught_up: set[int] = set()  # guilds whose catch-up finished since start
        self.synced: set[int] = set()
        self.backfills = Backfills(runtime.engine, runtime.store, self.send_dm)

    # -- life cycle ---------------------------------------------------------------------
    async def start(self) -> None:
        """Connect and run until the connection is closed."""
        if not self.settings.token:
            raise RuntimeError("[discord] token is not set")
        apply_endpoints(self.settings)
        self.runtime.add_platform(self)
        self._worker = asyncio.create_task(self._work(), name="discord-events")
        try:
            await self.client.start(self.settings.token)
        finally:
            await self._stop_worker()

    async def stop(self) -> None:
        """Close the connection; what was received is handed to the engine first."""
        await self.backfills.stop()
        await self.client.close()
        await self._stop_worker()

    async def _stop_worker(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        worker, self._worker = self._worker, None
        if worker is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._inbox.join(), timeout=5)
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.runtime.now(), UTC)

    def _spawn(self, coro: Awaitable[Any], name: str) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- the ordered worker -------------------------------------------------------------
    def enqueue(self, job: Job) -> None:
        self._inbox.put_nowait(job)

    async def _work(self) -> None:
        while True:
            job = await self._inbox.get()
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:  # one bad event never stops the bot
                log.exception("handling a Discord event failed")
            finally:
                self._inbox.task_done()
                async with self._progress:
                    self.processed += 1
                    self._progress.notify_all()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        """Wait until ``predicate()`` holds, checked after each handled event or catch-up."""
        async with self._progress:
            await asyncio.wait_for(self._progress.wait_for(predicate), timeout)

    async def wait_processed(self, count: int, timeout: float = 10) -> None:
        """Wait until ``count`` events (and catch-ups) have been handled since start."""
        await self.wait_until(lambda: self.processed >= count, timeout)

    async def submit(self, event: Event | None) -> None:
        if event is not None:
            await self.runtime.engine.submit(event)

    # -- start-up and new guilds ---------------------------------------------------------
    def on_ready(self) -> None:
        user = self.client.user
        log.info("connected to Discord as %s (%s) in %d servers", user, user and user.id,
                 len(self.client.guilds))
        for guild in self.client.guilds:
            self._welcome(guild)

    def on_guild_join(self, guild: discord.Guild) -> None:
        log.info("joined server %s (%s)", guild.name, guild.id)
        self._welcome(guild)

    def _welcome(self, guild: discord.Guild) -> None:
        if self.settings.sync_commands and guild.id not in self.synced:
            self._spawn(self.sync_commands(guild), f"discord-sync-{guild.id}")
        self.enqueue(lambda: self.catch_up(guild))

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
    async def catch_up(self, guild: discord.Guild) -> None:
        """Read what was said while the bot was away: since each channel's cursor, or the
        last ``catchup_days`` where nothing was seen yet. Known messages are not re-read
        (cursors), and the engine drops any it already has."""
        scope = scope_of(guild.id)
        engine = self.runtime.engine
        await engine.flush()
        settings = await self.runtime.community_settings(scope)
        cursors = await self.runtime.store.channel_cursors(scope)
        since = self.now() - timedelta(days=self.settings.catchup_days)
        me = guild.me
        if not guild.chunked:  # members with their roles: history messages carry none
            try:
                await asyncio.wait_for(guild.chunk(), timeout=60)
            except (TimeoutError, discord.HTTPException, discord.ClientException) as error:
                log.warning("catch-up in %s: member list not loaded (%s); staff roles of "
                            "past messages may be missed", guild.name, error or "timeout")
        channels = [c for c in guild.channels
                    if isinstance(c, discord.TextChannel | discord.ForumChannel)
                    and watches(settings, c.id)]
        readable = []
        for channel in channels:
            lacking = missing(channel.permissions_for(me), READ_PERMISSIONS) if me else []
            if lacking:
                log.warning("catch-up in %s: cannot read #%s (%s): missing %s", guild.name,
                            channel.name, channel.id, ", ".join(lacking))
                continue
            readable.append(channel)
        log.info("catch-up in %s (%s): %d channels, back to %s", guild.name, guild.id,
                 len(readable), "the last message seen" if cursors else f"{since:%Y-%m-%d}")
        ack = normalize_emoji_set(settings.ack_emoji)
        total = 0
        for channel in readable:
            if isinstance(channel, discord.TextChannel):
                cursor = cursors.get(str(channel.id))
                total += await self._read(guild, channel, Place(str(channel.id)), cursor,
                                          since, initial=cursor is None, ack=ack)
        for thread in await self._threads(guild, readable, since):
            place = place_of(thread)
            cursor = cursors.get(place.cursor_key)
            initial = cursor is None and place.channel not in cursors
            total += await self._read(guild, thread, place, cursor, since, initial=initial,
                                      ack=ack)
        self.caught_up.add(guild.id)
        self._spawn(self._resume_backfill(guild), f"backfill {guild.id}")
        log.info("catch-up in %s (%s) done: %d messages read", guild.name, guild.id, total)

    # -- backfill ------------------------------------------------------------------------
    async def history(self, guild: discord.Guild) -> DiscordHistory:
        """The guild's channels, threads and forum posts, for a backfill."""
        return DiscordHistory(self, guild, await self.runtime.community_settings(
            scope_of(guild.id)))

    async def _resume_backfill(self, guild: discord.Guild) -> None:
        await self.backfills.resume(await self.history(guild))

    async def start_backfill(self, scope: Scope, days: int, requested_by: str | None
                             ) -> AsyncIterator[Reply] | str:
        """``/circle backfill``: see ``bot.backfill``."""
        guild = self.client.get_guild(int(scope.community))
        if guild is None:
            return "the bot is not connected to this server"
        return self.backfills.start(await self.history(guild), days, requested_by)

    async def _threads(self, guild: discord.Guild, channels: list[Any], since: datetime
                       ) -> list[discord.Thread]:
        """Active threads of the readable channels, and public ones archived since ``since``."""
        parents = {c.id for c in channels}
        found: dict[int, discord.Thread] = {}
        try:
            active = await guild.active_threads()
        except discord.HTTPException as error:
            log.warning("catch-up in %s: active threads not listed (%s)", guild.name, error)
            active = list(guild.threads)
        for thread in active:
            if thread.parent_id in parents:
                found[thread.id] = thread
        for channel in channels:
            try:
                async for thread in channel.archived_threads(limit=None):
                    stamp = thread.archive_timestamp
                    if stamp is not None and stamp < since:
                        break
                    found.setdefault(thread.id, thread)
            except discord.HTTPException as error:
                log.info("catch-up in %s: archived threads of #%s not listed (%s)",
                         guild.name, channel.name, error)
        return sorted(found.values(), key=lambda t: t.id)

    async def _read(self, guild: discord.Guild, channel: discord.TextChannel | discord.Thread,
                    place: Place, cursor: tuple[float, str | None] | None, since: datetime,
                    *, initial: bool, ack: frozenset[str]) -> int:
        """Ingest one channel's or thread's history after ``cursor`` (else after ``since``)."""
        after = snowflake_after(cursor, since)
        last = channel.last_message_id
        if last is not None and last <= after.id:
            return 0  # nothing new since the last message seen (or since ``since``)
        events: list[Event] = []
        count = 0
        try:
            async for message in channel.history(limit=None, after=after, oldest_first=True):
                event = conv.message_event(message, place)
                if event is None:
                    continue
                events.append(event)
                count += 1
                events.extend(await self._reactions(guild, message, place, ack))
                if len(events) >= INGEST_CHUNK:
                    await self.runtime.engine.ingest(events, catchup=initial)
                    events = []
        except discord.Forbidden as error:
            log.warning("catch-up in %s: reading #%s refused (%s)", guild.name,
                        getattr(channel, "name", channel.id), error.text or error.status)
        except discord.NotFound:
            log.info("catch-up in %s: #%s is gone", guild.name, channel.id)
        except discord.HTTPException as error:
            log.warning("catch-up in %s: reading #%s failed (%s)", guild.name,
                        getattr(channel, "name", channel.id), error)
        if events:
            await self.runtime.engine.ingest(events, catchup=initial)
        if count:
            log.info("catch-up in %s: %d messages from #%s", guild.name, count,
                     getattr(channel, "name", channel.id))
        return count

    async def _reactions(self, guild: discord.Guild, message: discord.Message, place: Place,
                         ack: frozenset[str]) -> list[Event]:
        """The acknowledging reactions (``ack_emoji``) on a message read from history."""
        found: list[Event] = []
        for reaction in message.reactions:
            emoji = reaction.emoji
            name = emoji if isinstance(emoji, str) else (emoji.name or "")
            if normalize_emoji(name) not in ack:
                continue
            async for user in reaction.users(limit=None):
                if user.bot:
                    continue
                event = conv.history_reaction_event(guild.id, message.id, place, user.id, name,
                                                    message.created_at)
                if event is not None:
                    found.append(event)
        return found

    # -- interactions --------------------------------------------------------------------
    async def _invoker(self, user: discord.User | discord.Member, scope: Scope,
                       permissions: discord.Permissions | None = None) -> Invoker:
        settings = await self.runtime.community_settings(scope)
        member: object = user
        if not isinstance(user, discord.Member):
            guild = self.client.get_guild(int(scope.community))
            member = guild.get_member(user.id) if guild is not None else user
        staff = conv.is_staff_member(member, StaffRule(settings)) or bool(
            permissions is not None and (permissions.manage_guild or permissions.administrator))
        return Invoker(str(user.id), getattr(user, "display_name", None), staff)

    async def _defer(self, interaction: discord.Interaction, *, ephemeral: bool) -> bool:
        try:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
            return True
        except discord.HTTPException as error:  # expired (over 3 s) or already answered
            log.warning("could not acknowledge an interaction: %s", error)
            return False

    async def _answer(self, interaction: discord.Interaction, reply: Reply, *,
                      ephemeral: bool) -> None:
        rendered = render(reply)
        try:
            await interaction.followup.send(ephemeral=ephemeral, **rendered.send_kwargs())  # type: ignore[call-overload]
        except discord.HTTPException as error:
            log.warning("could not answer an interaction: %s", error)
        if reply.updates is not None:
            async def edit(update: Reply) -> bool:
                try:  # an interaction's token lasts 15 minutes
                    await interaction.edit_original_response(embed=render(update).embed)
                except discord.HTTPException:
                    return False
                return True

            self._spawn(relay_updates(reply.updates, edit, every_s=PROGRESS_EVERY_S),
                        "progress")

    async def run_command(self, interaction: discord.Interaction, name: str,
                          args: dict[str, Any]) -> None:
        """``/circle <name>``: defer at once (3 s limit), run, answer with a follow-up."""
        public = bool(args.get("public"))
        if not await self._defer(interaction, ephemeral=not public):
            return
        if interaction.guild_id is None:
            reply = error_reply("Use `/circle` in a server.")
        else:
            scope = scope_of(interaction.guild_id)
            invoker = await self._invoker(interaction.user, scope, interaction.permissions)
            place = await self.place(interaction.channel, interaction.channel_id)
            reply = await self.runtime.run_command(self, scope, invoker, name, args,
                                                   place.channel or None)
        await self._answer(interaction, reply, ephemeral=not public)

    async def run_action(self, interaction: discord.Interaction, callback_id: str,
                         message: discord.Message) -> None:
        """A message context menu ("Mark as answer")."""
        if not await self._defer(interaction, ephemeral=True):
            return
        if interaction.guild_id is None:
            reply = error_reply("This works on messages in a server.")
        else:
            scope = scope_of(interaction.guild_id)
            invoker = await self._invoker(interaction.user, scope, interaction.permissions)
            place = await self.place(message.channel, message.channel.id)
            reply = await self.runtime.run_message_action(self, scope, invoker, callback_id,
                                                          str(message.id), place.channel or None)
        await self._answer(interaction, reply, ephemeral=True)

    def _button_scope(self, interaction: discord.Interaction, custom_id: str
                      ) -> tuple[Scope | None, str]:
        """The community and neutral action of a pressed button."""
        if interaction.guild_id is not None:
            return scope_of(interaction.guild_id), custom_id
        match = DM_ACTION.fullmatch(custom_id)
        if match is not None:
            return scope_of(match.group(1)), match.group(2)
        guilds = self.client.guilds
        if len(guilds) == 1:
            return scope_of(guilds[0].id), custom_id
        return None, custom_id

    async def handle_button(self, interaction: discord.Interaction) -> None:
        """Any button press, even on a message sent before a restart."""
        data: Any = interaction.data or {}
        custom_id = data.get("custom_id")
        if not isinstance(custom_id, str) or data.get("component_type") != 2:
            return
        scope, action = self._button_scope(interaction, custom_id)
        try:
            await interaction.response.defer()
        except discord.HTTPException as error:
            log.warning("could not acknowledge a button press: %s", error)
            return
        if scope is None:
            reply = error_reply("I could not tell which server this button belongs to.")
        else:
            invoker = await self._invoker(interaction.user, scope, interaction.permissions
                                          if interaction.guild_id is not None else None)
            reply = await self.runtime.press_button(self, scope, invoker, action)
        try:
            if reply.tone == "error":
                rendered = render(reply)
                await interaction.followup.send(ephemeral=True, **rendered.send_kwargs())  # type: ignore[call-overload]
            else:
                rendered = render(self._for_dm(reply, scope) if interaction.guild_id is None
                                  and scope is not None else reply)
                await interaction.edit_original_response(
                    embed=rendered.embed, attachments=rendered.files, view=rendered.view,
                    allowed_mentions=allowed_mentions(rendered.notify))
        except discord.HTTPException as error:
            log.warning("could not answer a button press: %s", error)

    async def _on_tree_error(self, interaction: discord.Interaction,
                             error: app_commands.AppCommandError) -> None:
        log.error("a Discord command failed: %s", error, exc_info=error)
        reply = error_reply("Something went wrong on our side; it has been logged.")
        with contextlib.suppress(discord.HTTPException):
            if interaction.response.is_done():
                await self._answer(interaction, reply, ephemeral=True)
            else:
                await interaction.response.send_message(embed=render(reply).embed,
                                                        ephemeral=True,
                                                        allowed_mentions=allowed_mentions())

    # -- the Platform surface ------------------------------------------------------------
    def mention(self, user: str) -> str:
        return f"<@{user}>"

    def message_link(self, scope: Scope, channel: str, message_id: str) -> str | None:
        """A jump link; a thread's starter message links to the thread itself."""
        where = channel
        if message_id.isdigit() and isinstance(self.client.get_channel(int(message_id)),
                                               discord.Thread):
            where = message_id
        return jump_url(scope.community, where, message_id)

    async def _messageable(self, channel: str) -> discord.abc.Messageable:
        found = self.client.get_channel(int(channel))
        if found is None:
            found = await self.client.fetch_channel(int(channel))
        if not isinstance(found, discord.abc.Messageable):
            raise TypeError(f"channel {channel} is not one the bot can post in "
                            f"({type(found).__name__})")
        return found

    async def post(self, scope: Scope, channel: str, reply: Reply) -> str | None:
        """Post ``reply`` in a channel; ``None`` (and a logged reason) when it failed."""
        try:
            target = await self._messageable(channel)
            message = await target.send(**render(reply).send_kwargs())  # type: ignore[call-overload]
            return str(message.id)
        except discord.Forbidden as error:
            log.warning("cannot post in channel %s of %s: missing permission (Send Messages, "
                        "Embed Links, Attach Files): %s", channel, scope, error.text)
        except discord.NotFound:
            log.warning("cannot post in channel %s of %s: the channel no longer exists",
                        channel, scope)
        except (discord.HTTPException, TypeError, ValueError) as error:
            log.warning("cannot post in channel %s of %s: %s", channel, scope, error)
        return None

    def _for_dm(self, reply: Reply, scope: Scope) -> Reply:
        """A DM's buttons carry their community, since a DM has none."""
        if not reply.buttons:
            return reply
        buttons = []
        for button in reply.buttons:
            tagged = f"{scope.community}/{button.action}"
            buttons.append(replace(button, action=tagged) if len(tagged) <= CUSTOM_ID_MAX
                           else button)
        return replace(reply, buttons=buttons)

    async def send_dm(self, scope: Scope, user: str, reply: Reply) -> bool:
        """DM a member; False (and a logged reason) when Discord refuses."""
        try:
            target = self.client.get_user(int(user)) or await self.client.fetch_user(int(user))
            channel = target.dm_channel or await target.create_dm()
            await channel.send(**render(self._for_dm(reply, scope)).send_kwargs())  # type: ignore[call-overload]
            return True
        except discord.Forbidden as error:
            log.warning("DM to %s (%s) refused (403, code %s): %s — they may have closed "
                        "DMs from server members", user, scope, error.code, error.text)
        except discord.NotFound:
            log.warning("DM to %s (%s) impossible: no such user", user, scope)
        except (discord.HTTPException, ValueError) as error:
            log.warning("DM to %s (%s) failed: %s", user, scope, error)
        return False

    async def grant_reward(self, scope: Scope, user: str, reward: str | None) -> str:
        """Add the reward role (by name or id); says what was done, or why not."""
        if not reward:
            return "No reward role is configured (`reward_role`)."
        guild = self.client.get_guild(int(scope.community))
        if guild is None:
            return "The bot is not in this server any more."
        role = self._role(guild, reward)
        if role is None:
            return f"There is no role “{reward}” in this server."
        me = guild.me
        if me is None or not me.guild_permissions.manage_roles:
            return "The bot lacks the Manage Roles permission."
        if role >= me.top_role or role.managed:
            return (f"The bot cannot give “{role.name}”: move the bot's role above it in "
                    "Server Settings → Roles.")
        try:
            member = guild.get_member(int(user)) or await guild.fetch_member(int(user))
        except discord.NotFound:
            return f"{self.mention(user)} is no longer a member of this server."
        except (discord.HTTPException, ValueError) as error:
            return f"Could not find {self.mention(user)}: {error}"
        if role in member.roles:
            return f"{self.mention(user)} already has “{role.name}”."
        try:
            await member.add_roles(role, reason="Innercircle reward")
        except discord.Forbidden as error:
            log.warning("granting %s to %s in %s refused: %s", role.name, user, scope,
                        error.text)
            return f"Discord refused to give “{role.name}”: missing permission."
        except discord.HTTPException as error:
            log.warning("granting %s to %s in %s failed: %s", role.name, user, scope, error)
            return f"Giving “{role.name}” failed: {error}"
        return f"Gave “{role.name}” to {self.mention(user)}."

    @staticmethod
    def _role(guild: discord.Guild, reward: str) -> discord.Role | None:
        if reward.isdigit():
            found = guild.get_role(int(reward))
            if found is not None:
                return found
        wanted = reward.lstrip("@").lower()
        return next((r for r in guild.roles if r.name.lower() == wanted), None)

    async def describe_status(self, scope: Scope) -> list[str]:
        """What the bot cannot do in this server, channel by channel."""
        guild = self.client.get_guild(int(scope.community))
        if guild is None:
            return ["Discord: the bot is not connected to this server."]
        settings = await self.runtime.community_settings(scope)
        me = guild.me
        lines = [f"Discord: connected as {self.client.user}; latency "
                 f"{self.client.latency * 1000:.0f} ms."]
        if me is None:
            return lines
        problems = 0
        for channel in guild.channels:
            if not isinstance(channel, discord.TextChannel | discord.ForumChannel):
                continue
            if not watches(settings, channel.id):
                continue
            lacking = missing(channel.permissions_for(me), READ_PERMISSIONS)
            if lacking:
                problems += 1
                lines.append(f"• #{channel.name}: cannot read – missing {', '.join(lacking)}")
        if settings.report_channel and settings.report_channel.isdigit():
            target = guild.get_channel(int(settings.report_channel))
            if target is None:
                lines.append("• Report channel: no longer exists.")
            else:
                lacking = missing(target.permissions_for(me), POST_PERMISSIONS)
                if lacking:
                    lines.append(f"• Report channel #{target.name}: missing "
                                 f"{', '.join(lacking)}")
        if settings.reward_role:
            role = self._role(guild, settings.reward_role)
            if role is None:
                lines.append(f"• Reward role “{settings.reward_role}” does not exist.")
            elif not me.guild_permissions.manage_roles:
                lines.append("• Rewards: missing Manage Roles.")
            elif role >= me.top_role:
                lines.append(f"• Rewards: the bot's role must be above “{role.name}”.")
        if not problems:
            lines.append("Every watched channel is readable.")
        return lines
