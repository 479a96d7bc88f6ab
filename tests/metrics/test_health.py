"""Health metric definitions on hand-made facts."""

from __future__ import annotations

from bot.metrics.health import bus_factor, compute_health
from bot.store.metric_reads import QuestionFact

WINDOW = 72 * 3600.0


def q(qid: str, author: str, ts: float, peer: float | None = None, staff: float | None = None
      ) -> QuestionFact:
    return QuestionFact(qid, "general", author, ts, peer, staff)


def health(questions: list[QuestionFact], peer_answers: dict[str, int] | None = None,
           joined: dict[str, float | None] | None = None):  # type: ignore[no-untyped-def]
    return compute_health(questions, peer_answers or {}, active_members=5,
                          new_members=1, joined_at=joined or {}, answer_window_s=WINDOW)


def test_nothing_to_measure_gives_nulls() -> None:
    figures = health([])
    assert figures.questions == 0
    assert figures.answer_rate is None and figures.peer_answer_rate is None
    assert figures.median_first_response_s is None
    assert figures.bus_factor == 0 and figures.helpers == 0


def test_rates_and_first_response_split_by_who_answered_first() -> None:
    figures = health([
        q("a", "u1", 0, peer=100),  # peer first
        q("b", "u2", 0, peer=500, staff=50),  # staff first, peer answered too
        q("c", "u3", 0, staff=300),  # staff only
        q("d", "u4", 0),  # unanswered
        q("e", "u5", 0, peer=WINDOW + 1),  # too late: not answered
    ])
    assert (figures.questions, figures.answered, figures.peer_answered,
            figures.unanswered) == (5, 3, 2, 2)
    assert figures.answer_rate == 0.6
    assert figures.peer_answer_rate == 0.4
    assert figures.median_first_response_s == 100
    assert figures.median_first_response_peer_s == 100
    assert figures.median_first_response_staff_s == 175


def test_newcomers_asking_and_answered() -> None:
    day = 86400.0
    joined = {"new1": 0.0, "new2": 0.0, "old": -90 * day}
    figures = health([q("a", "new1", 5 * day, peer=5 * day + 60), q("b", "new2", 6 * day),
                      q("c", "old", 6 * day, peer=6 * day + 5)], joined=joined)
    assert figures.newcomers_asking == 2
    assert figures.newcomers_answered == 1


def test_bus_factor() -> None:
    assert bus_factor([]) == 0
    assert bus_factor([10]) == 1
    assert bus_factor([5, 5]) == 1
    assert bus_factor([4, 3, 3]) == 2
    assert bus_factor([1] * 10) == 5


def test_helpers_and_bus_factor_from_peer_answer_counts() -> None:
    figures = health([], {"p1": 3, "p2": 1, "p3": 0})  # p3: no answer, not a helper
    assert figures.helpers == 2
    assert figures.bus_factor == 1
