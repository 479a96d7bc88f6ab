"""The trained reply-link model: a log-linear ranker over candidate parents, pure Python.

``weights`` holds one number per feature index of :mod:`bot.signals.features`; a candidate's
score is the sum of its indices' weights, and the best-scoring option wins (the unlinked
option included). Weights come from ``scripts/train_linker.py`` and live in
``bot/signals/model/linker.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bot.signals import features
from bot.signals.features import OFFLINE, SignalCache, options
from bot.signals.utterance import Utterance

MODEL_FILE = "linker.json"


@dataclass(slots=True)
class LinkModel:
    """Weights of the linker and the layout they were trained for."""

    weights: list[float]
    meta: dict[str, Any]

    def __post_init__(self) -> None:
        if len(self.weights) != features.N_FEATURES:
            raise ValueError(
                f"model has {len(self.weights)} weights, features need {features.N_FEATURES}"
            )

    def best(self, msg: Utterance, history: Sequence[Utterance],
             cache: SignalCache = OFFLINE) -> int | None:
        """Position in ``history`` of the most likely parent, or ``None`` for unlinked."""
        pos = features.best(msg, history, self.weights, cache)
        return None if pos < 0 else pos

    def scores(self, msg: Utterance, history: Sequence[Utterance],
               cache: SignalCache = OFFLINE) -> list[tuple[int, float]]:
        """Every option's ``(position or -1, score)``: for inspection and tests."""
        w = self.weights
        return [(pos, sum(w[i] for i in idx)) for pos, idx in options(msg, history, cache)]

    def confidence(self, msg: Utterance, history: Sequence[Utterance], pos: int | None,
                   cache: SignalCache = OFFLINE) -> float:
        """The model's probability (softmax over the options) that ``msg`` responds to
        ``history[pos]`` (``None``: to nothing). Rescores the options: call it only for the
        few links that need it (an implicit link to an open question)."""
        scored = self.scores(msg, history, cache)
        top = max(score for _, score in scored)
        total = sum(math.exp(score - top) for _, score in scored)
        want = -1 if pos is None else pos
        for option, score in scored:
            if option == want:
                return math.exp(score - top) / total
        return 0.0

    def to_json(self) -> str:
        """The model as JSON (weights rounded to 5 decimals)."""
        data = {"meta": self.meta, "weights": [round(x, 5) for x in self.weights]}
        return json.dumps(data, indent=1)

    @classmethod
    def from_json(cls, text: str) -> LinkModel:
        """Read a model written by :meth:`to_json`."""
        data = json.loads(text)
        return cls(weights=[float(x) for x in data["weights"]], meta=dict(data.get("meta", {})))


def load_model(path: Path | None = None) -> LinkModel:
    """The shipped model, or the one at ``path``."""
    if path is not None:
        return LinkModel.from_json(path.read_text(encoding="utf-8"))
    text = resources.files("bot.signals").joinpath("model", MODEL_FILE).read_text("utf-8")
    return LinkModel.from_json(text)
