"""Alerts for moderators (pure): questions left unanswered, an advocate drifting away, a
community leaning on too few helpers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.metrics.health import Health
from bot.reports import OpenQuestion

RECENT_WEEKS = 2  # "lately"
USUAL_WEEKS = 8  # "usually": the weeks before
DRIFT_MIN_USUAL = 1.0  # answers a week, on average, before a drop counts as drifting


def overdue(open_questions: list[OpenQuestion], hours: float) -> list[OpenQuestion]:
    """Open questions waiting longer than ``hours``, oldest first."""
    return sorted((q for q in open_questions if q.age_s > hours * 3600), key=lambda q: q.ts)


@dataclass(frozen=True, slots=True)
class Drift:
    """A peer helper whose recent weekly answers fell well below their own usual."""

    user: str
    recent_per_week: float
    usual_per_week: float


def weekly_answer_counts(per_week: Sequence[Mapping[str, int]]) -> dict[str, list[int]]:
    """Per peer helper, their answers in each week (oldest first), from each week's
    ``Store.peer_answer_counts``."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(per_week))
    for index, week in enumerate(per_week):
        for user, count in week.items():
            counts[user][index] = count
    return dict(counts)


def drifting(counts: dict[str, list[int]], ratio: float, *,
             recent_weeks: int = RECENT_WEEKS, min_usual: float = DRIFT_MIN_USUAL
             ) -> list[Drift]:
    """Helpers whose answers in the last ``recent_weeks`` weeks (a weekly average) fell
    below ``ratio`` × their weekly average over the weeks before, when that average was at
    least ``min_usual``. ``counts``: per helper, answers per week, oldest first."""
    found = []
    for user, weekly in counts.items():
        usual_weeks = weekly[:-recent_weeks]
        recent = weekly[-recent_weeks:]
        if not usual_weeks or len(recent) < recent_weeks:
            continue
        usual = sum(usual_weeks) / len(usual_weeks)
        lately = sum(recent) / len(recent)
        if usual >= min_usual and lately < ratio * usual:
            found.append(Drift(user, lately, usual))
    found.sort(key=lambda d: (-d.usual_per_week, d.user))
    return found


@dataclass(frozen=True, slots=True)
class BusFactorAlert:
    bus_factor: int
    peer_answers: int


def bus_factor_alert(health: Health, peer_answers: Mapping[str, int], threshold: int,
                     min_answers: int) -> BusFactorAlert | None:
    """Half the week's peer answers came from ``threshold`` helpers or fewer, in a week with
    at least ``min_answers`` peer answers (``peer_answers``: the week's, per helper)."""
    total = sum(peer_answers.values())
    if total >= max(min_answers, 1) and 0 < health.bus_factor <= threshold:
        return BusFactorAlert(health.bus_factor, total)
    return None
