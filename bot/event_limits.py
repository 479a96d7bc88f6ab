"""The limits every event field is checked against when it is parsed, the same for SQLite and
PostgreSQL: a value that passes here always fits the store (its column lengths, its text
encoding) and never makes the engine slow. Checks are cheap: the common, short ASCII value
takes a couple of string operations.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

# Column lengths in bot/store/schema.py: ids fit a message id (96) and, as the acknowledgement
# source "react:<message>:<user>:<emoji>", the 200-character source column; a channel and a
# thread id fit a catch-up cursor's "channel/thread" (96).
MAX_LENGTHS = {"platform": 16, "community": 64, "channel": 31}
MAX_ID = 64  # message, user and channel ids
MAX_NAME = 200  # display names, role names
MAX_EMOJI = 60
MAX_TEXT = 40_000  # Slack's own limit for a message; Discord's is lower
MAX_LIST = 100  # mentions and roles kept per message; more say nothing more about an answer
MAX_INT_ID = 10**MAX_ID  # an integer id is a non-negative number of at most 64 digits


class EventError(ValueError):
    """A malformed event: the message says which field and why."""


EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _reject_unencodable(name: str, value: str) -> None:
    if "\x00" in value:
        raise EventError(f"'{name}' contains a NUL character")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise EventError(f"'{name}' contains a lone surrogate (not valid Unicode)"
                             ) from None


def check_id(name: str, value: Any, *, required: bool = True) -> str | None:
    """An id: a string or a non-negative integer, printable, at most ``MAX_ID`` long."""
    if value is None:
        if required:
            raise EventError(f"missing field '{name}'")
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < MAX_INT_ID:
            raise EventError(f"'{name}' must be a non-negative integer of at most "
                             f"{MAX_ID} digits")
        text = str(value)
    else:
        raise EventError(f"'{name}' must be a string, got {type(value).__name__}")
    limit = MAX_LENGTHS.get(name, MAX_ID)
    if not text:
        raise EventError(f"'{name}' must not be empty")
    if len(text) > limit:
        raise EventError(f"'{name}' is longer than {limit} characters")
    if not text.isprintable():
        _reject_unencodable(name, text)
        raise EventError(f"'{name}' contains control or invisible characters")
    return text


def check_text(name: str, value: Any, *, limit: int, required: bool) -> str | None:
    """Free text (a message, a display name): a string, valid Unicode, no NUL, bounded."""
    if value is None:
        if required:
            raise EventError(f"missing field '{name}'")
        return None
    if not isinstance(value, str):
        raise EventError(f"'{name}' must be a string, got {type(value).__name__}")
    if len(value) > limit:
        raise EventError(f"'{name}' is longer than {limit:,} characters")
    _reject_unencodable(name, value)
    return value


def check_list(name: str, value: Any, *, ids: bool) -> tuple[str, ...]:
    """A list of ids (mentions) or names (roles): the first ``MAX_LIST`` distinct ones."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise EventError(f"'{name}' must be a list of strings")
    kept: dict[str, None] = {}
    for item in value:
        if ids:
            text = check_id(name, item)
        else:
            text = check_text(name, item, limit=MAX_NAME, required=True)
        assert text is not None
        kept[text] = None
        if len(kept) >= MAX_LIST:
            break
    return tuple(kept)


def parse_ts(value: Any) -> datetime:
    """An ISO 8601 timestamp with an offset or ``Z`` -> an aware UTC datetime between 1990
    and 2100."""
    if not isinstance(value, str):
        raise EventError(f"'ts' must be an ISO 8601 string, got {type(value).__name__}")
    if len(value) > 40:
        raise EventError("'ts' is not an ISO 8601 timestamp (too long)")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise EventError(f"'ts' is not an ISO 8601 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise EventError(f"'ts' needs an offset or 'Z': {value!r}")
    try:
        utc = parsed.astimezone(UTC)
    except OverflowError:  # before year 1 or after 9999 once in UTC
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise EventError(f"'ts' must be between {EARLIEST.year} and {LATEST.year}: {value!r}")
    return utc
