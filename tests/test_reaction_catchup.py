"""Which stored answers the reaction catch-up reads back (``bot.reaction_catchup``): those
one acknowledgement could still change, one row per message."""

from __future__ import annotations

import math

from bot.reaction_catchup import to_recheck, worth_rechecking
from bot.signals.answers import current_model
from bot.store.reaction_reads import AnswerToRecheck


def row(answer: str, active: bool, confidence: float | None, via: str = "reply"
        ) -> AnswerToRecheck:
    return AnswerToRecheck(answer, "C1", None, 1000.0, active, confidence, via)


def below_threshold(logits: float, route: str = "reply") -> float:
    """A confidence ``logits`` below the route's credit threshold, in log-odds."""
    threshold = current_model().thresholds.get(route, current_model().thresholds["implicit"])
    logit = math.log(threshold / (1 - threshold)) - logits
    return 1 / (1 + math.exp(-logit))


def test_counted_answers_and_liftable_candidates_are_read_back() -> None:
    assert worth_rechecking(row("a", True, 0.9))
    assert worth_rechecking(row("b", False, below_threshold(0.5)))  # one thank-you lifts it


def test_candidates_one_acknowledgement_cannot_lift_are_not() -> None:
    assert not worth_rechecking(row("c", False, below_threshold(4.0)))
    assert not worth_rechecking(row("d", False, None))  # stored before confidences
    assert not worth_rechecking(row("e", False, 0.0))  # unmarked or deleted: final
    assert not worth_rechecking(row("f", False, 1.0, via="mark"))  # a mark is final


def test_one_row_per_message_newest_first() -> None:
    rows = [row("m2", False, below_threshold(4.0)), row("m2", True, 0.9),
            row("m1", True, 0.8), row("m1", True, 0.7)]
    assert [r.answer_id for r in to_recheck(rows)] == ["m2", "m1"]
