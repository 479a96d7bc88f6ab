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
from datetime import UTC, datetime
from typing import Any, ClassVar

from bot.signals.emoji import normalize_emoji

CHANNEL_KINDS = ("chat", "help", "forum")


class EventError(ValueError):
    """A malformed event: the message says which field and why."""


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


def parse_ts(value: Any) -> datetime:
    """An ISO 8601 timestamp with an offset or ``Z`` -> an aware UTC datetime."""
    if not isinstance(value, str):
        raise EventError(f"'ts' must be an ISO 8601 string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise EventError(f"'ts' is not an ISO 8601 timestamp: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        raise EventError(f"'ts' needs an offset or 'Z': {value[:40]!r}")
    return parsed.astimezone(UTC)


def _text_field(obj: Mapping[str, Any], name: str, *, required: bool, allow_empty: bool = False
                ) -> str | None:
    value = obj.get(name)
    if value is None:
        if required:
            raise EventError(f"missing field '{name}'")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise EventError(f"'{name}' must be a string, got {type(value).__name__}")
    text = str(value)
    if not text and not allow_empty:
        raise EventError(f"'{name}' must not be empty")
    return text


def _string_list(obj: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = obj.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise EventError(f"'{name}' must be a list of strings")
    return tuple(str(v) for v in value)


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
        "community": _text_field(obj, "community", required=True),
        "ts": parse_ts(obj.get("ts")) if "ts" in obj else _missing("ts"),
        "platform": _text_field(obj, "platform", required=False) or "other",
        "raw": obj.get("raw"),
    }
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in _COMMON or f.name == "raw":
            continue
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if f.name in ("mentions", "author_roles"):
            fields[f.name] = _string_list(obj, f.name)
        elif f.name in ("author_is_staff", "author_is_bot", "by_staff"):
            fields[f.name] = _bool(obj, f.name)
        elif f.name == "text":
            fields[f.name] = _text_field(obj, f.name, required=True, allow_empty=True)
        else:
            fields[f.name] = _text_field(obj, f.name, required=required)
    if cls is Message:
        kind_value = fields.get("channel_kind") or "chat"
        if kind_value not in CHANNEL_KINDS:
            raise EventError(f"'channel_kind' must be one of {', '.join(CHANNEL_KINDS)}")
        fields["channel_kind"] = kind_value
    if issubclass(cls, Reaction):
        emoji = normalize_emoji(fields["emoji"])
        if not emoji:
            raise EventError("'emoji' must not be empty")
        fields["emoji"] = emoji
    return cls(**common, **fields)


def _missing(name: str) -> Any:
    raise EventError(f"missing field '{name}'")
