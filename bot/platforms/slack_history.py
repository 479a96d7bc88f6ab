"""A Slack workspace's history as ``bot.catchup`` reads it (catch-up and backfill alike).

The places are the channels the bot is a member of (``users.conversations``). A channel is
read with ``conversations.history`` from the newest message already seen (its cursor) less
one answer window, so that replies posted during the downtime to a recent question are
found too, never earlier than the start; then ``conversations.replies`` for the threads
whose ``latest_reply`` is newer than what was seen of them. The engine drops the messages it
already knows, so nothing counts twice.

A channel is handed on only when its whole page run was read (Slack returns history newest
first): a failure half-way (rate limit beyond the retries, ``not_in_channel``) leaves its
cursor where it was, so the next catch-up reads it again and nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.catchup import Cursor, Place, PlaceRefused, SourceRefused, Start
from bot.events import Event, Reaction
from bot.features import HistoryUnavailable
from bot.platforms.slack_errors import AUTH_ERRORS, error_code, explain
from bot.platforms.slack_events import (
    Author,
    is_bot_message,
    is_talk,
    message_id,
    split_message_id,
    to_message,
)
from bot.platforms.slack_names import ChannelNames
from bot.scope import Scope
from bot.signals.emoji import normalize_emoji
from bot.store.reaction_reads import AnswerToRecheck

log = logging.getLogger(__name__)

PAGE = 200  # messages a Web API call asks for
MARKED_READ_CAP = 2000  # messages read back at most when looking for the bot's own post
MARKER_EVENT = "innercircle_marker"  # the metadata event type of a marked post
PAGE_EVENTS = 2000  # events handed on at once
DEFAULT_WAIT_S = 30.0

AuthorLookup = Callable[[str], Awaitable[Author]]


def retry_after(error: SlackApiError) -> float:
    """The seconds Slack asked to wait (``Retry-After``), else a default."""
    headers = getattr(error.response, "headers", None) or {}
    try:
        return float(headers.get("Retry-After") or headers.get("retry-after") or DEFAULT_WAIT_S)
    except (TypeError, ValueError):
        return DEFAULT_WAIT_S


def history_oldest(start: Start, rescan_s: float) -> float:
    """Where a channel's history read starts: its cursor less one answer window (so new
    replies to recent roots are found), never earlier than ``start.since``."""
    if start.after is None:
        return start.since
    return max(start.since, start.after[0] - rescan_s)


def threads_to_read(channel: str, roots: Sequence[Mapping[str, Any]],
                    cursors: Mapping[str, tuple[float, str | None]]
                    ) -> list[tuple[str, float | None]]:
    """(thread_ts, oldest) for each root whose ``latest_reply`` is newer than what was seen of
    its thread (``cursors["C/C:ts"]``); ``oldest`` is ``None`` for a thread never read."""
    wanted: list[tuple[str, float | None]] = []
    for root in roots:
        if not root.get("reply_count") or not root.get("latest_reply"):
            continue
        ts = str(root.get("thread_ts") or root["ts"])
        seen = cursors.get(f"{channel}/{message_id(channel, ts)}")
        latest = float(root["latest_reply"])
        if seen is None:
            wanted.append((ts, None))
        elif latest > seen[0]:
            wanted.append((ts, seen[0]))
    return wanted


class SlackHistory:
    """One workspace's channels as places; ``read`` gives their events."""

    def __init__(self, client: AsyncWebClient, team: str, bot_user: str | None,
                 author: AuthorLookup, rescan_s: float, patience: int = 1,
                 names: ChannelNames | None = None) -> None:
        self.client = client
        self.team = team
        self.scope = Scope("slack", team)
        self.bot_user = bot_user
        self.author = author
        self.rescan_s = rescan_s
        self.patience = patience  # reads of a rate-limited channel before it is skipped
        self.names = names or ChannelNames(client)  # filled from the channel list

    async def places(self, since: float) -> list[Place]:
        """The public and private channels the bot is a member of."""
        try:
            return [Place(channel, channel) for channel in await self.channels()]
        except SlackApiError as error:
            raise _refusal(error, "cannot list the bot's channels") from None

    async def read(self, place: Place, start: Start) -> AsyncIterator[list[Event]]:
        """The channel's messages and new thread replies from ``start``, in one page. Rate
        limited beyond the client's retries: waits what Slack asks, ``patience`` times."""
        for attempt in range(1, self.patience + 1):
            try:
                events, _ = await self.read_channel(place.channel, start.seen,
                                                    history_oldest(start, self.rescan_s))
                break
            except SlackApiError as error:
                if error_code(error) == "ratelimited" and attempt < self.patience:
                    wait = retry_after(error)
                    log.info("Slack %s: %s rate-limited, waiting %.0f s", self.team,
                             place.channel, wait)
                    await asyncio.sleep(wait)
                    continue
                raise _refusal(error) from None
        for offset in range(0, len(events), PAGE_EVENTS):
            yield events[offset:offset + PAGE_EVENTS]

    async def reactions_on(self, answers: Sequence[AnswerToRecheck], at: float
                           ) -> list[Event]:
        """The acknowledging reactions now on these stored answers (``bot.reaction_catchup``),
        timed ``at``: one ``reactions.get`` each (Tier 3; the client waits out rate limits).
        A refusal stops the round: what was read is handed on, the rest waits for the next."""
        found: list[Event] = []
        when = datetime.fromtimestamp(at, UTC)
        for row in answers:
            try:
                channel, ts = split_message_id(row.answer_id)
                response = await self.client.reactions_get(channel=channel, timestamp=ts,
                                                           full=True)
            except ValueError:
                continue
            except SlackApiError as error:
                if error_code(error) == "message_not_found":
                    continue
                log.warning("Slack %s: reactions of earlier answers not read (%s); the next "
                            "catch-up tries again", self.team, explain(error_code(error)))
                break
            message = response.get("message") or {}
            for reaction in message.get("reactions") or []:
                emoji = normalize_emoji(str(reaction.get("name") or ""))
                for user in reaction.get("users") or []:
                    if emoji and user and user != self.bot_user:
                        found.append(Reaction(community=self.team, platform="slack", ts=when,
                                              channel=channel, message=row.answer_id,
                                              user=str(user), emoji=emoji))
        return found

    async def channels(self) -> list[str]:
        """The public and private channels the bot is a member of."""
        found: list[str] = []
        cursor: str | None = None
        while True:
            response = await self.client.users_conversations(
                types="public_channel,private_channel", exclude_archived=True, limit=PAGE,
                cursor=cursor)
            listed = [c for c in response.get("channels") or [] if c.get("id")]
            found.extend(c["id"] for c in listed)
            self.names.update({c["id"]: c["name"] for c in listed if c.get("name")})
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return found

    async def _pages(self, method: Callable[..., Awaitable[Any]], **params: Any
                     ) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            response = await method(limit=PAGE, cursor=cursor, **params)
            messages.extend(response.get("messages") or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor or not response.get("has_more", True):
                return messages

    async def read_channel(self, channel: str, cursors: Mapping[str, Cursor],
                           oldest: float) -> tuple[list[Event], int]:
        """Every message of ``channel`` since ``oldest`` with the new thread replies, oldest
        first; and how many threads were read. Raises ``SlackApiError`` on failure."""
        history = await self._pages(self.client.conversations_history, channel=channel,
                                    oldest=f"{oldest:.6f}", inclusive=False)
        found: dict[str, dict[str, Any]] = {}
        for message in history:
            found.setdefault(str(message.get("ts")), message)
        threads = threads_to_read(channel, history, cursors)
        for thread_ts, seen in threads:
            params: dict[str, Any] = {"channel": channel, "ts": thread_ts}
            if seen is not None:
                params["oldest"] = f"{seen:.6f}"
            for message in await self._pages(self.client.conversations_replies, **params):
                found.setdefault(str(message.get("ts")), message)
        events: list[Event] = []
        for ts in sorted(found, key=float):
            message = found[ts]
            if is_bot_message(message, self.bot_user) or not is_talk(message):
                continue
            author = await self.author(str(message["user"]))
            events.append(to_message(self.team, channel, message, author,
                                     channel_name=self.names.known.get(channel)))
        return events, len(threads)


def _refusal(error: SlackApiError, what: str = "") -> Exception:
    """``SourceRefused`` for a refused token, else ``PlaceRefused``, with Slack's reason."""
    code = error_code(error)
    reason = explain(code)
    if code in AUTH_ERRORS:
        return SourceRefused(reason)
    return PlaceRefused(f"{what}: {reason}" if what else reason)


def marker_metadata(marker: str) -> dict[str, Any]:
    """Slack message metadata that carries ``marker`` (see ``find_own_marked``)."""
    return {"event_type": MARKER_EVENT, "event_payload": {"marker": marker}}


def carries_marker(message: Mapping[str, Any], bot_user: str, marker: str) -> bool:
    """Whether ``message`` is the bot's own and carries ``marker`` in its metadata."""
    metadata = message.get("metadata") or {}
    return (message.get("user") == bot_user and metadata.get("event_type") == MARKER_EVENT
            and (metadata.get("event_payload") or {}).get("marker") == marker)


async def find_own_marked(client: AsyncWebClient, channel: str, bot_user: str, marker: str,
                          since: float, cap: int = MARKED_READ_CAP) -> str | None:
    """The ts of the bot's own message carrying ``marker`` among the channel's messages
    since ``since`` (``conversations.history`` with metadata, at most ``cap`` messages).
    Raises ``HistoryUnavailable`` when the channel cannot be read (a rate limit beyond the
    client's retries included: the next try reads it), or holds more than ``cap``."""
    cursor: str | None = None
    read = 0
    try:
        while read < cap:
            response = await client.conversations_history(
                channel=channel, oldest=f"{since:.6f}", include_all_metadata=True,
                limit=min(PAGE, cap - read), cursor=cursor)
            messages = response.get("messages") or []
            read += len(messages)
            found = next((m for m in messages if carries_marker(m, bot_user, marker)), None)
            if found is not None:
                return str(found["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor or not response.get("has_more", True):
                return None
    except SlackApiError as error:
        raise HistoryUnavailable(explain(error_code(error))) from None
    raise HistoryUnavailable(f"more than {cap} messages to read back")
