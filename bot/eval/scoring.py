"""Precision, recall and F1 counted over sets of items (micro-averaged by adding counts)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(slots=True)
class Counts:
    """Matched, predicted and gold counts; add several together to micro-average."""

    matched: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, predicted: Iterable[Hashable], gold: Iterable[Hashable]) -> None:
        """Count one unit (e.g. one file) of predicted and gold items."""
        pred_set = set(predicted)
        gold_set = set(gold)
        self.matched += len(pred_set & gold_set)
        self.predicted += len(pred_set)
        self.gold += len(gold_set)

    @property
    def precision(self) -> float:
        """Matched / predicted, in percent (0 when nothing was predicted)."""
        return 100.0 * self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        """Matched / gold, in percent (0 when there is no gold item)."""
        return 100.0 * self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall, in percent."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        """``{"precision", "recall", "f1"}`` in percent, rounded to two places."""
        return {
            "precision": round(self.precision, 2),
            "recall": round(self.recall, 2),
            "f1": round(self.f1, 2),
        }


def prf(predicted: Iterable[Hashable], gold: Iterable[Hashable]) -> Counts:
    """Counts for one set of predictions against one set of gold items."""
    counts = Counts()
    counts.add(predicted, gold)
    return counts
