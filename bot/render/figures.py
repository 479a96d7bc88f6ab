"""How figures read: durations, percentages, changes. Shared by every renderer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from bot.metrics.advocates import Advocate

HEALTH_LABELS: dict[str, str] = {
    "questions": "Questions asked",
    "answered": "Answered",
    "peer_answered": "Answered by peers",
    "unanswered": "Asked and unanswered",
    "answer_rate": "Share answered",
    "peer_answer_rate": "Share answered by peers",
    "median_first_response_s": "Median first response",
    "median_first_response_peer_s": "… when a peer answered first",
    "median_first_response_staff_s": "… when staff answered first",
    "active_members": "Active members",
    "new_members": "New members",
    "newcomers_asking": "Newcomers asking",
    "newcomers_answered": "Newcomers who got an answer",
    "helpers": "Peer helpers",
    "bus_factor": "Helper bus factor",
}

RATES = {"answer_rate", "peer_answer_rate"}
DURATIONS = {"median_first_response_s", "median_first_response_peer_s",
             "median_first_response_staff_s"}


def duration(seconds: float | None) -> str:
    """``None`` -> "–"; 95 -> "1m 35s"; 7300 -> "2h 02m"."""
    if seconds is None:
        return "–"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600:02d}h"


def figure(name: str, value: float | int | None) -> str:
    """One health figure, formatted for people."""
    if value is None:
        return "–"
    if name in RATES:
        return f"{value * 100:.0f}%"
    if name in DURATIONS:
        return duration(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:.2f}"


def change(name: str, now: float | int | None, before: float | int | None) -> str:
    """How a figure moved since the previous period ("+12%", "-3", "±0", "")."""
    if now is None or before is None:
        return ""
    if name in RATES:
        delta = (now - before) * 100
        return f"{delta:+.0f} pts" if round(delta) else "±0"
    if name in DURATIONS:
        if not before:
            return ""
        return f"{(now - before) / before * 100:+.0f}%"
    delta = now - before
    return f"{delta:+,}" if delta else "±0"


def member_label(name: str | None, user: str) -> str:
    """What a member is called in text: their name, else their id."""
    return name or user


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 question``, ``3 questions``, ``1,200 people``."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def score_parts(a: Advocate, *, active_weeks: bool = True) -> str:
    """A helper's score with its parts, as every reply and DM shows it (``active_weeks``
    off for a single week, where it is always 1)."""
    weeks = f" · {plural(a.active_weeks, 'active week')}" if active_weeks else ""
    return (f"score {a.score:.1f} = helped {plural(a.people_helped, 'person', 'people')} · "
            f"{plural(a.answers, 'answer')} · thanked {a.thanked} · "
            f"newcomers helped {a.newcomers_helped}{weeks}")


SCORE_NOTE = ("Score: breadth of help over volume. Each different person helped counts fully, "
              "the same person again less (½, ⅓, …); thanked answers and answers to newcomers "
              "weigh 1.5×.")
BUS_FACTOR_NOTE = ("Bus factor: the fewest peer helpers who gave half of all peer answers "
                   "(1 or 2: the community leans on very few people).")


class Excerpted(Protocol):
    @property
    def excerpt(self) -> str | None: ...


Q = TypeVar("Q", bound=Excerpted)


def group_repeats(questions: Sequence[Q]) -> list[tuple[Q, int]]:
    """Identical questions (same excerpt, ignoring case and spacing) listed once, at the
    first (oldest) one, with how many times they were asked; order kept. Counts elsewhere
    are unchanged: this is only how lists read."""
    firsts: dict[object, Q] = {}
    counts: dict[object, int] = {}
    for index, q in enumerate(questions):
        key: object = " ".join(q.excerpt.casefold().split()) if q.excerpt else index
        firsts.setdefault(key, q)
        counts[key] = counts.get(key, 0) + 1
    return [(first, counts[key]) for key, first in firsts.items()]
