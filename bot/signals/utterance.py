"""What the signals see of a message: the in-memory linking window holds these."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Utterance:
    """A recent message, held in memory only while it can still be linked to.

    ``ts`` is seconds (epoch for live chat; the position for data without time).
    ``is_question`` is filled in by the question detector before the message joins a window.
    """

    id: str
    author: str
    text: str
    ts: float
    author_name: str | None = None
    reply_to: str | None = None
    thread: str | None = None
    mentions: tuple[str, ...] = ()
    is_question: bool = False
