"""Slack payloads -> neutral events. Pure functions: no I/O, no analytics.

Ids: a message is ``CHANNEL:ts``; a thread is the id of its root message (Slack's
``thread_ts``), so a root message (``thread_ts == ts``) has ``thread`` = its own id. The
community is the workspace (team id).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.events import (
    Event,
    MemberJoin,
    MemberLeave,
    Message,
    MessageDelete,
    MessageEdit,
    Reaction,
    ReactionRemove,
)
from bot.signals.emoji import normalize_emoji

PLATFORM = "slack"

# Messages with these subtypes are someone talking; every other subtype (joins, topic
# changes, bot messages, ...) is not a message of the conversation.
TALK_SUBTYPES = frozenset({None, "", "thread_broadcast", "file_share", "me_message"})

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True, slots=True)
class Author:
    """What the adapter knows about a message's author (from ``users.info``, cached)."""

    name: str | None = None
    is_staff: bool = False
    is_bot: bool = False


def message_id(channel: str, ts: str) -> str:
    """``C123`` and ``1700000000.000100`` -> ``C123:1700000000.000100``."""
    return f"{channel}:{ts}"


def split_message_id(value: str) -> tuple[str, str]:
    """``C123:1700000000.000100`` -> (``C123``, ``1700000000.000100``)."""
    channel, _, ts = value.partition(":")
    if not channel or not ts:
        raise ValueError(f"not a Slack message id: {value!r}")
    return channel, ts


def slack_time(ts: Any) -> datetime:
    """A Slack timestamp (``"1700000000.000100"``) -> an aware UTC datetime."""
    return datetime.fromtimestamp(float(ts), UTC)


def mentions_in(text: str) -> tuple[str, ...]:
    """User ids mentioned as ``<@U123>`` or ``<@U123|name>``, in order, once each."""
    seen: list[str] = []
    for user in _MENTION.findall(text or ""):
        if user not in seen:
            seen.append(user)
    return tuple(seen)


def is_bot_message(message: Mapping[str, Any], bot_user: str | None = None) -> bool:
    """Posted by a bot or an integration (or by this bot itself)."""
    if message.get("bot_id") or message.get("subtype") == "bot_message":
        return True
    if message.get("bot_profile"):
        return True
    return bot_user is not None and message.get("user") == bot_user


def is_talk(message: Mapping[str, Any]) -> bool:
    """A message a member wrote (not a join notice, topic change, ...)."""
    return message.get("subtype") in TALK_SUBTYPES and bool(message.get("user")) \
        and bool(message.get("ts"))


def to_message(team: str, channel: str, message: Mapping[str, Any], author: Author | None = None,
               raw: Any = None, channel_name: str | None = None) -> Message:
    """A Slack message object (from an event or from history) -> a neutral ``Message``."""
    author = author or Author()
    ts = str(message["ts"])
    thread_ts = message.get("thread_ts")
    text = str(message.get("text") or "")
    return Message(
        community=team, platform=PLATFORM, ts=slack_time(ts), id=message_id(channel, ts),
        channel=channel, author=str(message["user"]), text=text, author_name=author.name,
        thread=message_id(channel, str(thread_ts)) if thread_ts else None,
        mentions=mentions_in(text), author_is_staff=author.is_staff,
        author_is_bot=author.is_bot or is_bot_message(message), raw=raw,
        channel_name=channel_name,
    )


def message_event(team: str, event: Mapping[str, Any], author: Author | None = None,
                  bot_user: str | None = None, channel_name: str | None = None
                  ) -> Event | None:
    """A ``message`` event (any subtype) -> ``Message``, ``MessageEdit``, ``MessageDelete``
    or ``None`` when it is nothing the engine counts (bots, joins, unfurls, ...)."""
    channel = event.get("channel")
    if not isinstance(channel, str) or not channel:
        return None
    subtype = event.get("subtype")
    if subtype == "message_changed":
        return _edit(team, channel, event, bot_user)
    if subtype == "message_deleted":
        deleted = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
        if not deleted:
            return None
        when = event.get("event_ts") or event.get("ts") or deleted
        return MessageDelete(community=team, platform=PLATFORM, ts=slack_time(when),
                             id=message_id(channel, str(deleted)), channel=channel, raw=event)
    if is_bot_message(event, bot_user) or not is_talk(event):
        return None
    return to_message(team, channel, event, author, raw=event, channel_name=channel_name)


def _edit(team: str, channel: str, event: Mapping[str, Any], bot_user: str | None
          ) -> MessageEdit | None:
    new = event.get("message")
    if not isinstance(new, Mapping) or not new.get("ts"):
        return None
    if is_bot_message(new, bot_user):
        return None
    old = event.get("previous_message")
    text = str(new.get("text") or "")
    if isinstance(old, Mapping) and str(old.get("text") or "") == text:
        return None  # an unfurl, a reply count or a reaction changed, not the words
    edited = new.get("edited")
    when = ((edited.get("ts") if isinstance(edited, Mapping) else None)
            or event.get("event_ts") or event.get("ts") or new["ts"])
    return MessageEdit(community=team, platform=PLATFORM, ts=slack_time(when),
                       id=message_id(channel, str(new["ts"])), channel=channel, text=text,
                       raw=event)


def reaction_event(team: str, event: Mapping[str, Any], *, removed: bool) -> Reaction | None:
    """``reaction_added`` / ``reaction_removed`` on a message -> ``Reaction``/``ReactionRemove``."""
    item = event.get("item")
    if not isinstance(item, Mapping) or item.get("type") != "message":
        return None
    channel, ts, user = item.get("channel"), item.get("ts"), event.get("user")
    emoji = normalize_emoji(str(event.get("reaction") or ""))
    if not channel or not ts or not user or not emoji:
        return None
    cls = ReactionRemove if removed else Reaction
    when = event.get("event_ts") or ts
    return cls(community=team, platform=PLATFORM, ts=slack_time(when), channel=str(channel),
               message=message_id(str(channel), str(ts)), user=str(user), emoji=emoji,
               raw=event)


def member_event(team: str, event: Mapping[str, Any], name: str | None = None,
                 now: datetime | None = None) -> MemberJoin | MemberLeave | None:
    """``team_join`` and a deactivated ``user_change`` -> ``MemberJoin`` / ``MemberLeave``.

    Joining or leaving one channel is not joining or leaving the community: a member who
    leaves #random is still a member (and may be named), so channel events give nothing."""
    kind = event.get("type")
    user_field = event.get("user")
    profile: Mapping[str, Any] = user_field if isinstance(user_field, Mapping) else {}
    user = profile.get("id") if profile else user_field
    if not isinstance(user, str) or not user:
        return None
    if profile:
        name = name or display_name(profile)
    if profile.get("is_bot"):
        return None
    when = (slack_time(event["event_ts"]) if event.get("event_ts")
            else now or datetime.now(UTC))
    if kind == "team_join":
        return MemberJoin(community=team, platform=PLATFORM, ts=when, user=user,
                          user_name=name, raw=event)
    if kind == "user_change" and profile.get("deleted"):
        return MemberLeave(community=team, platform=PLATFORM, ts=when, user=user,
                           user_name=name, raw=event)
    return None


def display_name(user: Mapping[str, Any]) -> str | None:
    """The name a member shows in Slack: display name, else real name, else handle."""
    found = user.get("profile")
    profile: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    for value in (profile.get("display_name"), profile.get("real_name"), user.get("real_name"),
                  user.get("name")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def author_from_user(user: Mapping[str, Any]) -> Author:
    """A ``users.info`` user object -> name, staff (workspace admin/owner), bot."""
    staff = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
    return Author(display_name(user), staff, bool(user.get("is_bot")))


def team_of(body: Mapping[str, Any]) -> str | None:
    """The workspace id of any Bolt request body (events, commands, interactions)."""
    for key in ("team_id", "user_team"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    team = body.get("team")
    if isinstance(team, Mapping) and isinstance(team.get("id"), str):
        return str(team["id"])
    user = body.get("user")
    if isinstance(user, Mapping) and isinstance(user.get("team_id"), str):
        return str(user["team_id"])
    return None
