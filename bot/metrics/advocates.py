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

from bot.metrics.health import newcomer
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


@dataclass(slots=True)
class _Answer:
    question_id: str
    asker: str
    ts: float
    question_ts: float
    is_staff: bool
    acknowledged: bool


def _one_per_question(answers: list[AnswerFact]) -> dict[str, list[_Answer]]:
    """Per answerer, one answer per question (the first message, acknowledged if any was)."""
    pairs: dict[tuple[str, str], _Answer] = {}
    for x in answers:
        if x.answerer == x.asker:
            continue
        key = (x.question_id, x.answerer)
        found = pairs.get(key)
        if found is None:
            pairs[key] = _Answer(x.question_id, x.asker, x.ts, x.question_ts, x.answerer_is_staff,
                                 x.acknowledged)
        else:
            found.ts = min(found.ts, x.ts)
            found.acknowledged = found.acknowledged or x.acknowledged
            found.is_staff = found.is_staff or x.answerer_is_staff
    by_helper: dict[str, list[_Answer]] = defaultdict(list)
    for (_, answerer), answer in pairs.items():
        by_helper[answerer].append(answer)
    return by_helper


def rank_advocates(answers: list[AnswerFact], joined_at: dict[str, float | None],
                   *, since: float, newcomer_days: int = 30) -> list[Advocate]:
    """Peers by score (highest first), then staff by score."""
    by_helper = _one_per_question(answers)
    given: dict[tuple[str, str], int] = defaultdict(int)
    for helper, rows in by_helper.items():
        for row in rows:
            given[(helper, row.asker)] += 1
    ranked: list[Advocate] = []
    for helper, rows in by_helper.items():
        per_asker: dict[str, list[_Answer]] = defaultdict(list)
        for row in rows:
            per_asker[row.asker].append(row)
        score = 0.0
        newcomers: set[str] = set()
        for asker, helped in per_asker.items():
            helped.sort(key=lambda r: r.ts)
            back = given.get((asker, helper), 0)
            mutual = min(back, len(helped)) / max(back, len(helped)) if back else 0.0
            pair = 0.0
            for k, row in enumerate(helped, start=1):
                weight = 1.0
                if row.acknowledged:
                    weight += ACK_BONUS
                if newcomer(joined_at.get(asker), row.question_ts, newcomer_days):
                    weight += NEWCOMER_BONUS
                    newcomers.add(asker)
                pair += weight / k
            score += pair * (1 - MUTUAL_DAMPING * mutual)
        weeks = {int((r.ts - since) // WEEK) for r in rows}
        score *= 1 + WEEKLY_BONUS * (len(weeks) - 1)
        ranked.append(Advocate(
            user=helper, score=round(score, 2), is_staff=any(r.is_staff for r in rows),
            answers=len(rows), people_helped=len(per_asker),
            thanked=sum(1 for r in rows if r.acknowledged), newcomers_helped=len(newcomers),
            active_weeks=len(weeks),
        ))
    ranked.sort(key=lambda x: (x.is_staff, -x.score, -x.people_helped, x.user))
    return ranked
