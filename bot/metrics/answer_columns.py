"""Answers as columns: the leaderboard's input without a Python object per answer.

A 90-day leaderboard of a large community reads tens of thousands of answers; turning each
into numbers (who answered, who asked, which question) cost as much as the ranking itself.
The week cache keeps each whole past day's answers in this form too, members and questions
as codes from tables it keeps per community, so a leaderboard joins ready-made blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.store.metric_reads import AnswerFact


class Codes:
    """Ids (of members, of questions) as small integers: each id keeps its code for as long
    as the table lives, so blocks coded at different times can be joined."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.codes: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def encode(self, ids: Sequence[str]) -> np.ndarray:
        """The code of each of ``ids`` (ids not seen before get the next codes)."""
        codes, known = self.codes, self.ids
        distinct = dict.fromkeys(ids)
        new = [one for one in distinct if one not in codes] if codes else list(distinct)
        if new:
            codes.update(zip(new, range(len(known), len(known) + len(new)), strict=True))
            known.extend(new)
        return np.fromiter(map(codes.__getitem__, ids), np.int64, len(ids))


@dataclass(frozen=True, slots=True)
class AnswerColumns:
    """Answer messages (the fields of ``AnswerFact``) as arrays, in time order. ``question``,
    ``helper`` and ``asker`` are codes: questions from one table, members from another,
    whose ``ids`` (``names``: the members) may hold more than these answers mention."""

    names: list[str]
    question: np.ndarray  # int64 codes
    helper: np.ndarray  # int64 codes into names
    asker: np.ndarray
    question_ts: np.ndarray  # float64
    ts: np.ndarray
    staff: np.ndarray  # bool
    acknowledged: np.ndarray

    def __len__(self) -> int:
        return len(self.ts)

    @classmethod
    def of(cls, answers: Sequence[AnswerFact], members: Codes | None = None,
           questions: Codes | None = None) -> AnswerColumns:
        """``answers`` as columns, coded with ``members`` and ``questions`` (or with tables
        of their own)."""
        members = Codes() if members is None else members
        questions = Codes() if questions is None else questions
        if not answers:
            return cls.empty(members)
        question, helper, asker, question_ts, ts, staff, ack = zip(*answers, strict=True)
        return cls(members.ids, questions.encode(question), members.encode(helper),
                   members.encode(asker), np.array(question_ts, np.float64),
                   np.array(ts, np.float64), np.array(staff, bool), np.array(ack, bool))

    @classmethod
    def empty(cls, members: Codes) -> AnswerColumns:
        none = np.empty(0, np.int64)
        return cls(members.ids, none, none, none, np.empty(0), np.empty(0),
                   np.empty(0, bool), np.empty(0, bool))

    @classmethod
    def joined(cls, blocks: Sequence[AnswerColumns], members: Codes) -> AnswerColumns:
        """The blocks one after the other (all coded with the same tables)."""
        if len(blocks) == 1:
            return blocks[0]
        if not blocks:
            return cls.empty(members)
        return cls(members.ids, *(np.concatenate([getattr(b, name) for b in blocks])
                                  for name in _ARRAYS))

    def users(self) -> set[str]:
        """Everyone who answered or asked here."""
        names = self.names
        coded = np.unique(np.concatenate((self.helper, self.asker)))
        return {names[code] for code in coded.tolist()}


_ARRAYS = ("question", "helper", "asker", "question_ts", "ts", "staff", "acknowledged")
