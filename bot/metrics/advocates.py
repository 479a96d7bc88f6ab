"""Advocate scores: breadth of help over volume.

For each helper, answers are grouped by the person helped. The k-th answer to the same
person counts 1/k (diminishing returns), so ten people helped once outrank one person helped
ten times. An answer the asker acknowledged (thanks, a reaction, a mark) weighs 1.5, one to a
newcomer 1.5 (both: 2). Two members who mostly answer each other gain little: a pair's
weight falls by up to 75% as their help becomes mutual. Steady help over several weeks adds
5% a week after the first. Staff are ranked apart, after peers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from bot.store.metric_reads import AnswerFact

ACK_BONUS = 0.5
NEWCOMER_BONUS = 0.5
MUTUAL_DAMPING = 0.75
WEEKLY_BONUS = 0.05
WEEK = 7 * 86400


@dataclass(frozen=True, slots=True)
class Advocate:
    """One helper's score with its parts."""

    user: str
    score: float
    is_staff: bool
    answers: int
    people_helped: int
    thanked: int
    newcomers_helped: int
    active_weeks: int

    def to_json(self) -> dict[str, object]:
        return asdict(self)


# one answer per (question, answerer), as a list for speed (a month of a large community is
# tens of thousands): question_id, asker, ts, question_ts, is_staff, acknowledged
_QUESTION, _ASKER, _TS, _QUESTION_TS, _STAFF, _ACK = range(6)


def _one_per_question(answers: list[AnswerFact]) -> dict[str, list[list[Any]]]:
    """Per answerer, one answer per question (the first message, acknowledged if any was)."""
    pairs: dict[tuple[str, str], list[Any]] = {}
    for question, answerer, asker, question_ts, ts, staff, acknowledged in answers:
        if answerer == asker:
            continue
        key = (question, answerer)
        found = pairs.get(key)
        if found is None:
            pairs[key] = [question, asker, ts, question_ts, staff, acknowledged]
        else:
            found[_TS] = min(found[_TS], ts)
            found[_ACK] = found[_ACK] or acknowledged
            found[_STAFF] = found[_STAFF] or staff
    by_helper: dict[str, list[list[Any]]] = defaultdict(list)
    for (_, answerer), answer in pairs.items():
        by_helper[answerer].append(answer)
    return by_helper


def _when(row: list[Any]) -> float:
    return float(row[_TS])


def rank_advocates(answers: list[AnswerFact], joined_at: dict[str, float | None],
                   *, since: float, newcomer_days: int = 30) -> list[Advocate]:
    """Peers by score (highest first), then staff by score."""
    by_helper = _one_per_question(answers)
    given: dict[tuple[str, str], int] = defaultdict(int)
    for helper, rows in by_helper.items():
        for row in rows:
            given[(helper, row[_ASKER])] += 1
    ranked: list[Advocate] = []
    newcomer_s = newcomer_days * 86400
    for helper, rows in by_helper.items():
        per_asker: dict[str, list[list[Any]]] = {}
        for row in rows:
            found = per_asker.get(row[_ASKER])
            if found is None:
                per_asker[row[_ASKER]] = [row]
            else:
                found.append(row)
        score = 0.0
        newcomers: set[str] = set()
        for asker, helped in per_asker.items():
            if len(helped) > 1:
                helped.sort(key=_when)
            back = given.get((asker, helper), 0)
            mutual = min(back, len(helped)) / max(back, len(helped)) if back else 0.0
            joined = joined_at.get(asker)
            pair = 0.0
            for k, row in enumerate(helped, start=1):
                weight = 1.0
                if row[_ACK]:
                    weight += ACK_BONUS
                # newcomer(): asked within newcomer_days of joining
                if joined is not None and 0 <= row[_QUESTION_TS] - joined <= newcomer_s:
                    weight += NEWCOMER_BONUS
                    newcomers.add(asker)
                pair += weight / k
            score += pair * (1 - MUTUAL_DAMPING * mutual)
        weeks = {int((row[_TS] - since) // WEEK) for row in rows}
        score *= 1 + WEEKLY_BONUS * (len(weeks) - 1)
        ranked.append(Advocate(
            user=helper, score=round(score, 2), is_staff=any(row[_STAFF] for row in rows),
            answers=len(rows), people_helped=len(per_asker),
            thanked=sum(1 for row in rows if row[_ACK]), newcomers_helped=len(newcomers),
            active_weeks=len(weeks),
        ))
    ranked.sort(key=lambda x: (x.is_staff, -x.score, -x.people_helped, x.user))
    return ranked
