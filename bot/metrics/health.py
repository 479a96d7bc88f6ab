"""Community health for a period: are questions answered, and by peers?

An *answer* is one (question, answerer) pair: a helper who answers one question in three
messages gave one answer. Rates and medians are ``None`` when there is nothing to measure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from statistics import median

from bot.store.metric_reads import QuestionFact


@dataclass(frozen=True, slots=True)
class Health:
    """The health figures of one community over one period."""

    questions: int
    answered: int
    peer_answered: int
    unanswered: int
    answer_rate: float | None
    peer_answer_rate: float | None
    median_first_response_s: float | None
    median_first_response_peer_s: float | None
    median_first_response_staff_s: float | None
    active_members: int
    new_members: int
    newcomers_asking: int
    newcomers_answered: int
    helpers: int
    bus_factor: int

    def to_json(self) -> dict[str, float | int | None]:
        return asdict(self)


def first_response(q: QuestionFact, window_s: float) -> tuple[float, bool] | None:
    """(seconds to the first answer, whether a peer gave it), within the answer window; a
    peer and staff at the same moment: the peer. Called once per question of a period, so
    written without temporary lists."""
    peer = q.first_peer_answer_ts
    staff = q.first_staff_answer_ts
    by_peer = peer - q.ts if peer is not None and peer - q.ts <= window_s else None
    by_staff = staff - q.ts if staff is not None and staff - q.ts <= window_s else None
    if by_peer is None:
        return None if by_staff is None else (by_staff, False)
    if by_staff is None or by_peer <= by_staff:
        return (by_peer, True)
    return (by_staff, False)


def bus_factor(answers_per_helper: Iterable[int]) -> int:
    """Fewest helpers whose answers make at least half of all answers (0 when none)."""
    counts = sorted((n for n in answers_per_helper if n > 0), reverse=True)
    total = sum(counts)
    running = 0
    for index, count in enumerate(counts, start=1):
        running += count
        if 2 * running >= total:
            return index
    return 0


def newcomer(joined_at: float | None, asked_at: float, newcomer_days: int) -> bool:
    """Asked within ``newcomer_days`` of joining (no join date: not a newcomer)."""
    return joined_at is not None and 0 <= asked_at - joined_at <= newcomer_days * 86400


def compute_health(
    questions: list[QuestionFact],
    peer_answers: Mapping[str, int],
    *,
    active_members: int,
    new_members: int,
    joined_at: dict[str, float | None],
    answer_window_s: float,
    newcomer_days: int = 30,
) -> Health:
    """Health over the questions asked in the period and the answers peers gave in it
    (``peer_answers``: per peer helper, the questions they answered; see
    ``count_peer_answers`` in the store, the one definition of a peer answer)."""
    # One pass over the questions (a month of a large community is tens of thousands).
    by_peer: list[float] = []  # first response times, in question order
    by_staff: list[float] = []
    peer_answered = 0
    asking: set[str] = set()
    helped: set[str] = set()
    for q in questions:
        first = first_response(q, answer_window_s)
        if first is not None:
            (by_peer if first[1] else by_staff).append(first[0])
        peer = q.first_peer_answer_ts
        if peer is not None and peer - q.ts <= answer_window_s:
            peer_answered += 1
        joined = joined_at.get(q.author)
        if joined is not None and newcomer(joined, q.ts, newcomer_days):
            asking.add(q.author)
            if first is not None:
                helped.add(q.author)
    total = len(questions)
    answered = len(by_peer) + len(by_staff)
    per_helper = {helper: n for helper, n in peer_answers.items() if n > 0}

    def _median(values: list[float]) -> float | None:
        return float(median(values)) if values else None

    return Health(
        questions=total,
        answered=answered,
        peer_answered=peer_answered,
        unanswered=total - answered,
        answer_rate=answered / total if total else None,
        peer_answer_rate=peer_answered / total if total else None,
        median_first_response_s=_median(by_peer + by_staff),
        median_first_response_peer_s=_median(by_peer),
        median_first_response_staff_s=_median(by_staff),
        active_members=active_members,
        new_members=new_members,
        newcomers_asking=len(asking),
        newcomers_answered=len(helped),
        helpers=len(per_helper),
        bus_factor=bus_factor(per_helper.values()),
    )
