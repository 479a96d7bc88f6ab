"""Advocate scores: breadth of help over volume.

For each helper, answers are grouped by the person helped. The k-th answer to the same
person counts 1/k (diminishing returns), so ten people helped once outrank one person helped
ten times. An answer the asker acknowledged (thanks, a reaction, a mark) weighs 1.5, one to a
newcomer 1.5 (both: 2). Two members who mostly answer each other gain little: a pair's
weight falls by up to 75% as their help becomes mutual. Steady help over several weeks adds
5% a week after the first. Staff are ranked apart, after peers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from bot.metrics.answer_columns import AnswerColumns
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


def rank_advocates(answers: list[AnswerFact] | AnswerColumns,
                   joined_at: dict[str, float | None], *, since: float,
                   newcomer_days: int = 30) -> list[Advocate]:
    """Peers by score (highest first), then staff by score.

    Computed over arrays (a 90-day leaderboard of a large community is tens of thousands of
    answers; the week cache gives them as ``AnswerColumns`` already), in the order the rules
    above read: every sum adds its terms one by one in the order a loop over the answers
    would (the k-th answer to a person by time, the people a helper helped by their first
    answer), so scores round the same way whatever the size."""
    columns = answers if isinstance(answers, AnswerColumns) else AnswerColumns.of(answers)
    n = len(columns)
    if not n:
        return []
    names = columns.names
    users = len(names)
    helper, asker = columns.helper, columns.asker
    counted = np.flatnonzero(helper != asker)  # nobody answers themselves
    if not len(counted):
        return []
    question = columns.question

    # One answer per (question, answerer): the first message's time, its question's asker
    # and time from the first row, staff or acknowledged if any message was. ``first`` (the
    # first row's position) keeps the order a loop over the rows would meet them in.
    key = question[counted] * users + helper[counted]
    order = counted[np.argsort(key, kind="stable")]
    key = question[order] * users + helper[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    first = order[starts]
    d_helper, d_asker = helper[first], asker[first]
    d_qts = columns.question_ts[first]
    d_ts = np.minimum.reduceat(columns.ts[order], starts)
    d_staff = np.logical_or.reduceat(columns.staff[order], starts)
    d_ack = np.logical_or.reduceat(columns.acknowledged[order], starts)

    # The k-th answer to the same person (by time; ties in first-row order) weighs 1/k.
    joined = np.array([joined_at.get(u) for u in names], np.float64)  # None -> nan
    waited = d_qts - joined[d_asker]
    to_newcomer = (waited >= 0) & (waited <= newcomer_days * 86400)  # nan: False
    weight = 1.0 + ACK_BONUS * d_ack + NEWCOMER_BONUS * to_newcomer
    pair_key = d_helper * users + d_asker
    by_pair = np.lexsort((first, d_ts, pair_key))
    p_key = pair_key[by_pair]
    p_starts = np.flatnonzero(np.r_[True, p_key[1:] != p_key[:-1]])
    p_sizes = np.diff(np.r_[p_starts, len(p_key)])
    rank = np.arange(len(p_key)) - np.repeat(p_starts, p_sizes) + 1
    pair_sum = _sums_in_order(weight[by_pair] / rank, p_starts, p_sizes)
    pairs = p_key[p_starts]
    p_helper, p_asker = pairs // users, pairs % users
    p_newcomer = np.logical_or.reduceat(to_newcomer[by_pair], p_starts)
    # mutual help: what the asker gave the helper back, against what they got
    back_key = p_asker * users + p_helper
    found = np.minimum(np.searchsorted(pairs, back_key), len(pairs) - 1)
    back = np.where(pairs[found] == back_key, p_sizes[found], 0)
    mutual = np.where(back > 0, np.minimum(back, p_sizes) / np.maximum(back, p_sizes), 0.0)
    contribution = pair_sum * (1 - MUTUAL_DAMPING * mutual)

    # A helper's score adds their pairs in the order of each pair's first answer.
    p_first = np.minimum.reduceat(first[by_pair], p_starts)
    by_helper = np.argsort(p_helper * n + p_first)  # p_first: unique, below n
    h_key = p_helper[by_helper]
    h_starts = np.flatnonzero(np.r_[True, h_key[1:] != h_key[:-1]])
    h_sizes = np.diff(np.r_[h_starts, len(h_key)])
    score = _sums_in_order(contribution[by_helper], h_starts, h_sizes)
    h_users = h_key[h_starts]

    def per_helper(values: np.ndarray, of: np.ndarray) -> np.ndarray:
        return np.bincount(of, weights=values, minlength=users)[h_users]

    newcomers = per_helper(p_newcomer, p_helper)
    answers_n = np.bincount(d_helper, minlength=users)[h_users]
    thanked = per_helper(d_ack, d_helper)
    is_staff = per_helper(d_staff, d_helper) > 0
    weeks = np.floor_divide(d_ts - since, WEEK).astype(np.int64)
    weeks -= weeks.min()
    seen = np.zeros((users, int(weeks.max()) + 1), bool)
    seen[d_helper, weeks] = True
    active = seen.sum(axis=1)[h_users]

    ranked = []
    for i, user_code in enumerate(h_users.tolist()):
        weeks_active = int(active[i])
        total = float(score[i]) * (1 + WEEKLY_BONUS * (weeks_active - 1))
        ranked.append(Advocate(
            user=names[user_code], score=round(total, 2), is_staff=bool(is_staff[i]),
            answers=int(answers_n[i]), people_helped=int(h_sizes[i]),
            thanked=int(thanked[i]), newcomers_helped=int(newcomers[i]),
            active_weeks=weeks_active,
        ))
    ranked.sort(key=lambda x: (x.is_staff, -x.score, -x.people_helped, x.user))
    return ranked


def _sums_in_order(values: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Each group's sum, adding its values one by one from the first (as a loop would, so
    that the result is the same to the last bit; numpy's own sums add in another order)."""
    total = np.zeros(len(starts))
    for k in range(int(sizes.max()) if len(sizes) else 0):
        open_ = sizes > k
        total[open_] += values[starts[open_] + k]
    return total
