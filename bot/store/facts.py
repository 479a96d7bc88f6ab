"""What the engine hands the store to write in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bot.scope import Scope


@dataclass(slots=True)
class MessageInfo:
    """What the engine needs to know of an earlier message (no text)."""

    id: str
    channel: str
    author: str
    ts: float
    thread: str | None = None
    is_question: bool = False
    not_question: bool = False
    deleted: bool = False
    author_is_staff: bool = False
    parent: str | None = None


@dataclass(slots=True)
class AnswerInfo:
    """An answer row: ``answer_id`` answers ``question_id``."""

    question_id: str
    answer_id: str
    answerer: str
    asker: str
    question_ts: float
    ts: float
    via: str  # the route: reply, thread, forum, mention, implicit, mark
    answerer_is_staff: bool
    active: bool = True  # counts: credited, not unmarked, not deleted
    confidence: float | None = None  # the answer decision's (None: stored before it existed)
    acknowledged: bool = False


class Ack(NamedTuple):
    """An acknowledgement: ``user_id`` thanked ``helper`` for answering ``question_id``.
    ``source`` names what acknowledged it (a thank-you message, a reaction, a mark, a
    ``/circle thanks``); the same source is stored once, so a re-run adds nothing."""

    source: str
    question_id: str
    helper: str
    user_id: str
    ts: float


@dataclass(slots=True)
class MemberSeen:
    """A member as seen in this batch; the store merges it with what it has."""

    name: str | None = None
    is_staff: bool | None = None
    joined_at: float | None = None
    left_at: float | None = None
    rejoined: bool = False
    first_seen_at: float | None = None
    last_seen_at: float | None = None
    seen_in_catchup: bool = False


@dataclass(slots=True)
class FactBatch:
    """Facts for one community, written together."""

    scope: Scope
    # one tuple a new message, in the column order of ``writes.MESSAGE_ROW``
    messages: list[tuple[Any, ...]] = field(default_factory=list)
    message_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, MemberSeen] = field(default_factory=dict)
    answers: list[AnswerInfo] = field(default_factory=list)
    marked_answers: list[AnswerInfo] = field(default_factory=list)  # (re)activated by a mark
    revised_answers: list[AnswerInfo] = field(default_factory=list)  # confidence moved later
    deactivated_answers: set[str] = field(default_factory=set)  # answer message ids
    deactivated_questions: set[str] = field(default_factory=set)  # all answers to these
    acks: list[Ack] = field(default_factory=list)
    removed_acks: set[str] = field(default_factory=set)
    excerpts: dict[str, tuple[str, float] | None] = field(default_factory=dict)  # None: drop
    corrections: list[dict[str, Any]] = field(default_factory=list)
    cursors: dict[str, tuple[float, str]] = field(default_factory=dict)
    channel_names: dict[str, str] = field(default_factory=dict)  # new or renamed channels
    touched_questions: set[str] = field(default_factory=set)
    # the earliest message (or question answered by it) an edit or delete here changed
    edited_since: float | None = None
    # the earliest question whose answers an acknowledgement here marks
    acked_since: float | None = None

    def __bool__(self) -> bool:
        return bool(
            self.messages or self.message_updates or self.members or self.answers
            or self.marked_answers or self.revised_answers
            or self.deactivated_answers or self.deactivated_questions or self.acks
            or self.removed_acks or self.excerpts or self.corrections or self.cursors
            or self.channel_names
            or self.touched_questions
        )

    def health_changed_since(self) -> float:
        """The earliest time whose report figures (health, the leaderboard) this batch may
        change (-inf: any time).

        New messages and answers change their own time and their question's; edits and
        deletes the times the engine noted; acknowledgements the time of the questions whose
        answers they mark; corrections, joins and leaves (a newcomer's status in any week)
        are taken to change everything."""
        if (self.corrections or self.marked_answers or self.removed_acks
                or self.touched_questions
                or any(m.joined_at is not None or m.left_at is not None
                       for m in self.members.values())):
            return float("-inf")
        since = float("inf")
        if self.message_updates or self.deactivated_answers or self.deactivated_questions:
            if self.edited_since is None:
                return float("-inf")
            since = self.edited_since
        if self.acks:
            if self.acked_since is None:  # added without their questions' time
                return float("-inf")
            since = min(since, self.acked_since)
        if self.messages:
            since = min(since, min(row[6] for row in self.messages))
        for answers in (self.answers, self.revised_answers):
            if answers:
                since = min(since, min(x.question_ts for x in answers))
        return since

    def edited(self, ts: float, answers: Iterable[AnswerInfo]) -> None:
        """Note an edit or delete of the message at ``ts`` (with the answers it gave)."""
        since = min((ts, *(x.question_ts for x in answers)))
        self.edited_since = since if self.edited_since is None else min(self.edited_since, since)

    def acknowledge(self, ack: Ack, question_ts: float) -> None:
        """Add ``ack``, which marks answers to the question asked at ``question_ts``."""
        self.acks.append(ack)
        self.acked_since = (question_ts if self.acked_since is None
                            else min(self.acked_since, question_ts))

    def member(self, user: str) -> MemberSeen:
        seen = self.members.get(user)
        if seen is None:
            seen = self.members[user] = MemberSeen()
        return seen
