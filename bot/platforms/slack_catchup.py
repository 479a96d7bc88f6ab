"""Catching up on Slack history after a start: what was said while the bot was away.

Per channel the bot is in (``users.conversations``), ``conversations.history`` from the
newest message already seen (``store.channel_cursors``), back at most ``catchup_days``; then
``conversations.replies`` for the threads whose ``latest_reply`` is newer than what was seen
of them. Roots a little older than the channel's cursor (one answer window) are listed again
so that replies posted during the downtime to a recent question are found too; the engine
drops the messages it already knows, so nothing counts twice.

A channel is ingested only when its whole history page run was read: a failure half-way
(rate limit beyond the retries, ``not_in_channel``) leaves its cursor where it was, so the
next start reads it again and nothing is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.events import Event, Message
from bot.platforms.slack_events import Author, is_bot_message, is_talk, message_id, to_message

log = logging.getLogger(__name__)

PAGE = 200
DAY = 86400
AUTH_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed",
                         "token_expired", "missing_scope"})


class SlackAuthError(RuntimeError):
    """Slack refused the bot token: nothing can work until it is replaced."""


def error_code(error: SlackApiError) -> str:
    """The reason Slack gave (``not_in_channel``, ``ratelimited``, ...)."""
    response = error.response
    code = None
    try:
        code = response.get("error")
    except Exception:
        code = None
    if getattr(response, "status_code", None) == 429:
        return "ratelimited"
    return str(code or f"HTTP {getattr(response, 'status_code', '?')}")


def explain(code: str) -> str:
    """A reason a person can act on."""
    return {
        "not_in_channel": "the bot is not a member of the channel (invite it with /invite)",
        "channel_not_found": "the channel does not exist or the bot cannot see it",
        "invalid_auth": "Slack refused the bot token (invalid_auth): set a new "
                        "INNERCIRCLE_SLACK_BOT_TOKEN",
        "token_revoked": "the bot token was revoked (token_revoked): reinstall the app and "
                         "set the new INNERCIRCLE_SLACK_BOT_TOKEN",
        "account_inactive": "the bot user was deactivated (account_inactive)",
        "missing_scope": "the app lacks a scope it needs (missing_scope): reinstall it from "
                         "slack/manifest.yaml",
        "ratelimited": "Slack rate-limited the bot beyond the retries; it will try again later",
        "cannot_dm_bot": "that user is a bot",
        "user_disabled": "that member's account is deactivated",
    }.get(code, code)


def history_start(cursor_ts: float | None, now: float, catchup_days: int,
                  rescan_s: float) -> float:
    """Where a channel's history read starts: its cursor less one answer window (so new
    replies to recent roots are found), never earlier than ``catchup_days`` ago."""
    floor = now - catchup_days * DAY
    if cursor_ts is None:
        return floor
    return max(floor, cursor_ts - rescan_s)


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


@dataclass(slots=True)
class CatchupReport:
    """What one catch-up read: shown by ``/circle status`` and logged."""

    channels: int = 0
    messages: int = 0
    threads: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # channel -> reason
    done: bool = False

    def summary(self) -> str:
        text = (f"caught up on {self.channels} channels: {self.messages} messages, "
                f"{self.threads} threads")
        if self.skipped:
            text += f"; {len(self.skipped)} skipped"
        return text


AuthorLookup = Callable[[str], Awaitable[Author]]


class SlackCatchup:
    """Reads history for one workspace and hands it to the engine in order."""

    def __init__(self, client: AsyncWebClient, team: str, bot_user: str | None,
                 author: AuthorLookup) -> None:
        self.client = client
        self.team = team
        self.bot_user = bot_user
        self.author = author

    async def channels(self) -> list[str]:
        """The public and private channels the bot is a member of."""
        found: list[str] = []
        cursor: str | None = None
        while True:
            response = await self.client.users_conversations(
                types="public_channel,private_channel", exclude_archived=True, limit=PAGE,
                cursor=cursor)
            found.extend(c["id"] for c in response.get("channels") or [] if c.get("id"))
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

    async def read_channel(self, channel: str, cursors: Mapping[str, tuple[float, str | None]],
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
            events.append(to_message(self.team, channel, message, author))
        return events, len(threads)

    async def run(self, ingest: Callable[[list[Event], bool], Awaitable[None]],
                  cursors: Mapping[str, tuple[float, str | None]], now: float,
                  catchup_days: int, rescan_s: float, channels: list[str] | None = None
                  ) -> CatchupReport:
        """Catch up on every channel (or ``channels``); ``ingest(events, initial)``.

        Raises ``SlackAuthError`` when the token is refused; every other failure skips the
        channel with its reason logged and recorded in the report.
        """
        report = CatchupReport()
        try:
            names = channels if channels is not None else await self.channels()
        except SlackApiError as error:
            code = error_code(error)
            if code in AUTH_ERRORS:
                raise SlackAuthError(explain(code)) from None
            log.error("Slack catch-up: cannot list the bot's channels: %s", explain(code))
            report.skipped["*"] = explain(code)
            return report
        for channel in names:
            seen = cursors.get(channel)
            oldest = history_start(seen[0] if seen else None, now, catchup_days, rescan_s)
            try:
                events, threads = await self.read_channel(channel, cursors, oldest)
            except SlackApiError as error:
                code = error_code(error)
                if code in AUTH_ERRORS:
                    raise SlackAuthError(explain(code)) from None
                log.warning("Slack catch-up skipped channel %s: %s", channel, explain(code))
                report.skipped[channel] = explain(code)
                continue
            if events:
                await ingest(events, seen is None)
            report.channels += 1
            report.threads += threads
            report.messages += sum(1 for e in events if isinstance(e, Message))
        report.done = True
        log.info("Slack %s: %s", self.team, report.summary())
        return report
