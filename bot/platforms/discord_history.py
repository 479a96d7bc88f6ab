"""A Discord guild's history as ``bot.catchup`` reads it (catch-up and backfill alike): each
readable watched text channel, then the active threads of those channels and the ones
archived since the start, each read oldest first after its cursor, with the acknowledging
reactions on the messages read. discord.py waits out rate limits (``Retry-After``) itself."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import discord

from bot.catchup import Cursor, Place, PlaceRefused, Start
from bot.channels import ChannelRule
from bot.config import CommunitySettings
from bot.events import Event
from bot.features import HistoryUnavailable
from bot.platforms import discord_events as conv
from bot.platforms.discord_events import place_of, scope_of
from bot.platforms.discord_render import has_marker
from bot.signals.emoji import normalize_emoji, normalize_emoji_set
from bot.store.reaction_reads import AnswerToRecheck

log = logging.getLogger(__name__)

PAGE = 500  # events handed on at once
MARKED_READ_CAP = 2000  # messages read back at most when looking for the bot's own post
#: What the bot needs in a watched channel, by permission attribute and its name in Discord.
READ_PERMISSIONS = {"view_channel": "View Channel",
                    "read_message_history": "Read Message History"}

Readable = discord.TextChannel | discord.Thread


def missing(perms: discord.Permissions, wanted: dict[str, str]) -> list[str]:
    """The names of the ``wanted`` permissions ``perms`` lacks."""
    return [label for attr, label in wanted.items() if not getattr(perms, attr)]


def watched_channels(guild: discord.Guild, settings: CommunitySettings
                     ) -> list[discord.TextChannel | discord.ForumChannel]:
    """The guild's text and forum channels that ``bot.channels``' rule watches."""
    rule = ChannelRule(settings)
    return [c for c in guild.channels
            if isinstance(c, discord.TextChannel | discord.ForumChannel)
            and rule.watches(str(c.id))]


def snowflake_after(cursor: Cursor | None, since: datetime) -> discord.abc.Snowflake:
    """Where a history read starts: after the last message seen, else at ``since``."""
    if cursor is not None:
        ts, last_id = cursor
        if last_id and last_id.isdigit():
            return discord.Object(id=int(last_id))
        return discord.Object(id=discord.utils.time_snowflake(
            datetime.fromtimestamp(ts, UTC), high=True))
    return discord.Object(id=discord.utils.time_snowflake(since, high=False))


class DiscordHistory:
    """One guild's channels and threads as places; ``read`` gives their events."""

    def __init__(self, guild: discord.Guild, settings: CommunitySettings) -> None:
        self.guild = guild
        self.scope = scope_of(guild.id)
        self.settings = settings
        self.ack = normalize_emoji_set(settings.ack_emoji)
        self._found: dict[str, tuple[Readable, conv.Place]] = {}

    async def places(self, since: float) -> list[Place]:
        """Readable watched text channels, then their threads active or archived since."""
        guild = self.guild
        if not guild.chunked:  # members with their roles: history messages carry none
            try:
                await asyncio.wait_for(guild.chunk(), timeout=60)
            except (TimeoutError, discord.HTTPException, discord.ClientException) as error:
                log.warning("catch-up in %s: member list not loaded (%s); staff roles of "
                            "past messages may be missed", guild.name, error or "timeout")
        me = guild.me
        readable = []
        for channel in watched_channels(guild, self.settings):
            lacking = missing(channel.permissions_for(me), READ_PERMISSIONS) if me else []
            if lacking:
                log.warning("catch-up in %s: cannot read #%s (%s): missing %s", guild.name,
                            channel.name, channel.id, ", ".join(lacking))
                continue
            readable.append(channel)
        found: list[Place] = []
        for channel in readable:
            if isinstance(channel, discord.TextChannel):
                found.append(self._remember(channel, conv.Place(str(channel.id))))
        start = datetime.fromtimestamp(since, UTC)
        for thread in await self._threads(readable, start):
            found.append(self._remember(thread, place_of(thread)))
        return found

    def _remember(self, channel: Readable, where: conv.Place) -> Place:
        self._found[where.cursor_key] = (channel, where)
        return Place(where.cursor_key, where.channel, f"#{channel.name}")

    async def _threads(self, channels: list[Any], since: datetime) -> list[discord.Thread]:
        """Active threads of ``channels``, and public ones archived since ``since``."""
        guild = self.guild
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

    async def read(self, place: Place, start: Start) -> AsyncIterator[list[Event]]:
        """The place's messages (and acknowledging reactions) after ``start``, oldest first.
        What was read before a refusal is handed on before ``PlaceRefused``."""
        channel, where = self._found[place.key]
        after = snowflake_after(start.after, datetime.fromtimestamp(start.since, UTC))
        last = channel.last_message_id
        if last is not None and last <= after.id:
            return  # nothing new since the last message seen (or since ``since``)
        events: list[Event] = []
        refused: str | None = None
        try:
            async for message in channel.history(limit=None, after=after, oldest_first=True):
                event = conv.message_event(message, where)
                if event is None:
                    continue
                events.append(event)
                events.extend(await self._reactions(message, where))
                if len(events) >= PAGE:
                    yield events
                    events = []
        except discord.Forbidden as error:
            refused = f"Discord refused to show its history ({error.text or error.status})"
        except discord.NotFound:
            refused = "it no longer exists"
        except discord.HTTPException as error:
            refused = f"reading it failed ({error})"
        if events:
            yield events
        if refused is not None:
            raise PlaceRefused(refused)

    async def reactions_on(self, answers: Sequence[AnswerToRecheck], at: float
                           ) -> list[Event]:
        """The acknowledging reactions now on these stored answers (``bot.reaction_catchup``),
        timed ``at``: one message read each (and its reacting members). A refusal or a
        failure stops the round: what was read is handed on, the rest waits for the next."""
        found: list[Event] = []
        when = datetime.fromtimestamp(at, UTC)
        for row in answers:
            holder = row.thread or row.channel
            if not (holder.isdigit() and row.answer_id.isdigit()):
                continue
            try:
                channel = (self.guild.get_channel_or_thread(int(holder))
                           or await self.guild.fetch_channel(int(holder)))
                if not isinstance(channel, discord.abc.Messageable):
                    continue
                message = await channel.fetch_message(int(row.answer_id))
                found.extend(await self._reactions(message, conv.Place(row.channel, row.thread),
                                                   when))
            except discord.NotFound:
                continue  # deleted since: its deletion comes (or came) as its own event
            except discord.HTTPException as error:
                log.warning("catch-up in %s: reactions of earlier answers not read (%s); "
                            "the next catch-up tries again", self.guild.name, error)
                break
        return found

    async def _reactions(self, message: discord.Message, where: conv.Place,
                         when: datetime | None = None) -> list[Event]:
        """The acknowledging reactions (``ack_emoji``) on a message read from history, timed
        ``when`` (default: the message's time; Discord keeps no reaction times)."""
        found: list[Event] = []
        for reaction in message.reactions:
            emoji = reaction.emoji
            name = emoji if isinstance(emoji, str) else (emoji.name or "")
            if normalize_emoji(name) not in self.ack:
                continue
            async for user in reaction.users(limit=None):
                if user.bot:
                    continue
                event = conv.history_reaction_event(self.guild.id, message.id, where,
                                                    user.id, name, when or message.created_at)
                if event is not None:
                    found.append(event)
        return found


async def find_own_marked(channel: discord.abc.Messageable, bot_id: int, marker: str,
                          since: float, cap: int = MARKED_READ_CAP) -> int | None:
    """The id of the bot's own message carrying ``marker`` among the channel's messages
    since ``since`` (oldest first, at most ``cap``). Raises ``HistoryUnavailable`` when the
    channel cannot be read, or holds more than ``cap`` messages since then."""
    after = discord.Object(id=discord.utils.time_snowflake(datetime.fromtimestamp(since, UTC)))
    read = 0
    try:
        async for message in channel.history(limit=cap, after=after, oldest_first=True):
            read += 1
            if message.author.id == bot_id and has_marker(message, marker):
                return message.id
    except discord.HTTPException as error:
        raise HistoryUnavailable(f"reading the channel back failed ({error})") from None
    if read >= cap:
        raise HistoryUnavailable(f"more than {cap} messages to read back")
    return None
