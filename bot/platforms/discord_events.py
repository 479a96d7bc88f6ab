"""Discord objects -> neutral events. Pure functions: no I/O, no analytics.

Each guild is a community: ``Scope("discord", str(guild.id))``. A message in a thread is
reported in its parent channel with ``thread`` = the thread id (which is also the id of the
message that started it); a forum post's starter message is the thread's first message, so
it gets ``thread`` = its own id and ``channel_kind="forum"``: the engine counts it as a
question and the replies in the post as its answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import discord

from bot.events import (
    MemberJoin,
    MemberLeave,
    Message,
    MessageDelete,
    MessageEdit,
    Reaction,
    ReactionRemove,
)
from bot.scope import Scope
from bot.signals.emoji import normalize_emoji
from bot.staff import StaffRule

PLATFORM = "discord"
FORUM_TYPES = frozenset({discord.ChannelType.forum, discord.ChannelType.media})
#: Only what people write; joins, pins, "thread created" notices and the like are skipped.
CHAT_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})


def scope_of(guild_id: int | str) -> Scope:
    """The community a guild is."""
    return Scope(PLATFORM, str(guild_id))


@dataclass(frozen=True, slots=True)
class Place:
    """Where a message lives, as the neutral events say it."""

    channel: str
    thread: str | None = None
    kind: str = "chat"

    @property
    def cursor_key(self) -> str:
        """The key ``Store.channel_cursors`` uses for this place (catch-up resumes there)."""
        return self.channel if self.thread is None else f"{self.channel}/{self.thread}"


def is_forum(channel: object) -> bool:
    """A forum (or media) channel: each post is a thread that starts with a question."""
    return getattr(channel, "type", None) in FORUM_TYPES


def place_of(channel: object) -> Place:
    """A channel or thread -> its ``Place`` (threads are reported in their parent)."""
    if isinstance(channel, discord.Thread):
        kind = "forum" if is_forum(channel.parent) else "chat"
        return Place(str(channel.parent_id), str(channel.id), kind)
    channel_id = getattr(channel, "id", None)
    return Place(str(channel_id))


def jump_url(guild: str, channel: str, message: str) -> str:
    """A message's jump link (for a thread's messages, ``channel`` is the thread)."""
    return f"https://discord.com/channels/{guild}/{channel}/{message}"


def channel_name(channel: object) -> str | None:
    """The name of the channel a message is reported in (a thread's parent channel)."""
    if isinstance(channel, discord.Thread):
        channel = channel.parent
    name = getattr(channel, "name", None)
    return name if isinstance(name, str) and name else None


def role_keys(roles: Iterable[discord.Role]) -> tuple[str, ...]:
    """A member's roles as the engine matches them against ``staff_roles``: names and ids."""
    keys: list[str] = []
    for role in roles:
        if role.is_default():
            continue
        keys.extend((role.name, str(role.id)))
    return tuple(keys)


def has_staff_permission(member: object) -> bool:
    """Manage Server (or Administrator) makes a member staff, whatever their roles."""
    perms = getattr(member, "guild_permissions", None)
    return bool(perms is not None and (perms.manage_guild or perms.administrator))


def is_staff_member(member: object, rule: StaffRule) -> bool:
    """Staff by ``bot.staff``'s rule: Manage Server permission is the platform's word; the
    member's role names and ids are matched against ``staff_roles``."""
    roles = getattr(member, "roles", None) or []
    return rule.is_staff(str(getattr(member, "id", "")),
                         platform_says=has_staff_permission(member), roles=role_keys(roles))


def message_event(message: discord.Message, place: Place | None = None) -> Message | None:
    """A Discord message -> a neutral ``Message``; ``None`` for what is not a person talking
    (bots, webhooks, system notices, direct messages)."""
    if message.guild is None or message.webhook_id is not None or message.author.bot:
        return None
    if message.type not in CHAT_TYPES:
        return None
    place = place or place_of(message.channel)
    thread = place.thread
    text = message.content
    if thread is not None and place.kind == "forum" and str(message.id) == thread:
        title = getattr(message.channel, "name", "") or ""
        text = f"{title}\n{text}" if title else text
    reply_to = None
    reference = message.reference
    if (reference is not None and reference.message_id is not None
            and reference.type == discord.MessageReferenceType.default):
        reply_to = str(reference.message_id)
    author = message.author
    roles = getattr(author, "roles", None) or []
    return Message(
        community=str(message.guild.id),
        platform=PLATFORM,
        ts=message.created_at,
        id=str(message.id),
        channel=place.channel,
        author=str(author.id),
        author_name=author.display_name,
        text=text,
        reply_to=reply_to,
        thread=thread,
        mentions=tuple(dict.fromkeys(str(u.id) for u in message.mentions if u.id != author.id)),
        author_roles=role_keys(roles),
        author_is_staff=has_staff_permission(author),
        channel_kind=place.kind,
        channel_name=channel_name(message.channel),
    )


def edit_event(payload: discord.RawMessageUpdateEvent, place: Place, ts: datetime
               ) -> MessageEdit | None:
    """An edit whose text changed (embed unfurls and pins are not edits)."""
    if payload.guild_id is None or "content" not in payload.data:
        return None
    author = payload.data.get("author")
    if author is not None and (author.get("bot") or payload.data.get("webhook_id")):
        return None
    return MessageEdit(community=str(payload.guild_id), platform=PLATFORM, ts=ts,
                       id=str(payload.message_id), channel=place.channel,
                       text=payload.data.get("content") or "")


def delete_events(guild_id: int | None, message_ids: Iterable[int], place: Place, ts: datetime
                  ) -> list[MessageDelete]:
    """One ``MessageDelete`` per deleted message (a bulk delete gives many)."""
    if guild_id is None:
        return []
    return [MessageDelete(community=str(guild_id), platform=PLATFORM, ts=ts, id=str(m),
                          channel=place.channel) for m in sorted(message_ids)]


def reaction_event(payload: discord.RawReactionActionEvent, place: Place, ts: datetime
                   ) -> Reaction | None:
    """A reaction added or removed, on any message (cached or not)."""
    if payload.guild_id is None:
        return None
    if payload.member is not None and payload.member.bot:
        return None
    emoji = normalize_emoji(str(payload.emoji) if payload.emoji.is_unicode_emoji()
                            else payload.emoji.name or "")
    if not emoji:
        return None
    cls = ReactionRemove if payload.event_type == "REACTION_REMOVE" else Reaction
    return cls(community=str(payload.guild_id), platform=PLATFORM, ts=ts,
               channel=place.channel, message=str(payload.message_id),
               user=str(payload.user_id), emoji=emoji)


def history_reaction_event(guild_id: int, message_id: int, place: Place, user_id: int,
                           emoji: str, ts: datetime) -> Reaction | None:
    """A reaction found while reading history (``ts``: the message's time; Discord keeps no
    reaction times)."""
    normalized = normalize_emoji(emoji)
    if not normalized:
        return None
    return Reaction(community=str(guild_id), platform=PLATFORM, ts=ts, channel=place.channel,
                    message=str(message_id), user=str(user_id), emoji=normalized)


def join_event(member: discord.Member, ts: datetime) -> MemberJoin | None:
    if member.bot:
        return None
    return MemberJoin(community=str(member.guild.id), platform=PLATFORM, ts=ts,
                      user=str(member.id), user_name=member.display_name)


def leave_event(guild_id: int, user: discord.User | discord.Member, ts: datetime
                ) -> MemberLeave | None:
    if user.bot:
        return None
    return MemberLeave(community=str(guild_id), platform=PLATFORM, ts=ts, user=str(user.id),
                       user_name=user.display_name)
