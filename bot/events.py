"""Neutral chat events (JSONL v1): what every platform adapter turns its payloads into.

One JSON object a line. Every event has ``type``, ``community``, ``ts`` (ISO 8601 with an
offset or ``Z``) and an optional ``platform`` (default ``"other"``). ``parse_event`` checks a
decoded object and returns a frozen dataclass, or raises ``EventError`` with a reason a person
can act on. ``raw`` keeps the native payload for the rare special case; it never reaches the
store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from bot.event_limits import (
    MAX_EMOJI,
    MAX_NAME,
    MAX_TEXT,
    EventError,
    check_id,
    check_list,
    check_text,
    parse_ts,
)
from bot.signals.emoji import normalize_emoji

__all__ = ["EVENT_TYPES", "Event", "EventError", "parse_event", "parse_ts"]

CHANNEL_KINDS = ("chat", "help", "forum")


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Fields every event carries."""

    type: ClassVar[str] = ""
    community: str
    ts: datetime
    platform: str = "other"
    raw: Any = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        """The JSONL v1 object for this event (``raw`` left out)."""
        out: dict[str, Any] = {"type": self.type}
        for f in dataclasses.fields(self):
            if f.name == "raw":
                continue
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.isoformat().replace("+00:00", "Z")
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(Event):
    """A chat message. ``thread`` is the id of the message that started its thread."""

    type: ClassVar[str] = "message"
    id: str
    channel: str
    author: str
    text: str
    author_name: str | None = None
    reply_to: str | None = None
    thread: str | None = None
    mentions: tuple[str, ...] = ()
    author_roles: tuple[str, ...] = ()
    author_is_staff: bool = False
    author_is_bot: bool = False
    channel_kind: str = "chat"
    channel_name: str | None = None  # as the platform shows it ("general"), for reports


@dataclass(frozen=True, slots=True, kw_only=True)
class Reaction(Event):
    """An emoji reaction added to a message; ``emoji`` is normalised to a Unicode emoji."""

    type: ClassVar[str] = "reaction"
    channel: str
    message: str
    user: str
    emoji: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionRemove(Reaction):
    """An emoji reaction taken back."""

    type: ClassVar[str] = "reaction_remove"


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberJoin(Event):
    """A member joined the community."""

    type: ClassVar[str] = "member_join"
    user: str
    user_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberLeave(Event):
    """A member left the community."""

    type: ClassVar[str] = "member_leave"
    user: str
    user_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageEdit(Event):
    """A message's text changed: the signals run again on the new text."""

    type: ClassVar[str] = "message_edit"
    id: str
    channel: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDelete(Event):
    """A message was deleted: it counts for nothing from now on."""

    type: ClassVar[str] = "message_delete"
    id: str
    channel: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkAnswer(Event):
    """``user`` marked ``answer`` as the answer to ``question`` (or to the question it replies
    to, else the latest open question before it in the channel by someone else)."""

    type: ClassVar[str] = "mark_answer"
    user: str
    answer: str
    question: str | None = None
    by_staff: bool = False  # the platform verified ``user`` is staff


@dataclass(frozen=True, slots=True, kw_only=True)
class UnmarkAnswer(Event):
    """``user`` said ``answer`` is not an answer (undoes a mark or a detected answer)."""

    type: ClassVar[str] = "unmark_answer"
    user: str
    answer: str
    by_staff: bool = False  # the platform verified ``user`` is staff


@dataclass(frozen=True, slots=True, kw_only=True)
class NotQuestion(Event):
    """``user`` said ``message`` is not a question."""

    type: ClassVar[str] = "not_question"
    user: str
    message: str
    by_staff: bool = False  # the platform verified ``user`` is staff


@dataclass(frozen=True, slots=True, kw_only=True)
class Thanks(Event):
    """``user`` thanked ``helper``: acknowledges the helper's latest answer to the user."""

    type: ClassVar[str] = "thanks"
    user: str
    helper: str


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        Message,
        Reaction,
        ReactionRemove,
        MemberJoin,
        MemberLeave,
        MessageEdit,
        MessageDelete,
        MarkAnswer,
        UnmarkAnswer,
        NotQuestion,
        Thanks,
    )
}

_COMMON = ("type", "community", "ts", "platform")


_NAMES = ("author_name", "user_name", "channel_name")
_FLAGS = ("author_is_staff", "author_is_bot", "by_staff")


def _bool(obj: Mapping[str, Any], name: str) -> bool:
    value = obj.get(name, False)
    if not isinstance(value, bool):
        raise EventError(f"'{name}' must be true or false")
    return value


def parse_event(obj: Any) -> Event:
    """Check one decoded JSON object and return its event, or raise ``EventError``."""
    if not isinstance(obj, Mapping):
        raise EventError(f"an event must be a JSON object, got {type(obj).__name__}")
    kind = obj.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        known = ", ".join(EVENT_TYPES)
        raise EventError(f"unknown event type {kind!r} (known: {known})")
    common: dict[str, Any] = {
        "community": check_id("community", obj.get("community")),
        "ts": parse_ts(obj["ts"]) if "ts" in obj else _missing("ts"),
        "platform": check_id("platform", obj.get("platform"), required=False) or "other",
        "raw": obj.get("raw"),
    }
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in _COMMON or f.name == "raw":
            continue
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        value = obj.get(f.name)
        if f.name in _FLAGS:
            fields[f.name] = _bool(obj, f.name)
        elif f.name == "text":
            fields[f.name] = check_text("text", value, limit=MAX_TEXT, required=True)
        elif f.name in _NAMES:
            fields[f.name] = check_text(f.name, value, limit=MAX_NAME, required=False) or None
        elif f.name == "mentions":
            fields[f.name] = check_list(f.name, value, ids=True)
        elif f.name == "author_roles":
            fields[f.name] = check_list(f.name, value, ids=False)
        elif f.name == "emoji":
            fields[f.name] = check_text(f.name, value, limit=MAX_EMOJI, required=True)
        elif f.name == "channel_kind":
            fields[f.name] = value
        else:
            fields[f.name] = check_id(f.name, value, required=required)
    if cls is Message:
        kind_value = fields.get("channel_kind") or "chat"
        if not isinstance(kind_value, str) or kind_value not in CHANNEL_KINDS:
            raise EventError(f"'channel_kind' must be one of {', '.join(CHANNEL_KINDS)}")
        fields["channel_kind"] = kind_value
    if issubclass(cls, Reaction):
        emoji = normalize_emoji(fields["emoji"])
        if not emoji:
            raise EventError("'emoji' must not be empty")
        if len(emoji) > MAX_EMOJI:
            raise EventError(f"'emoji' is longer than {MAX_EMOJI} characters")
        fields["emoji"] = emoji
    return cls(**common, **fields)


def _missing(name: str) -> Any:
    raise EventError(f"missing field '{name}'")
