"""The trained reply-link model: a softmax ranker over the candidate parents of a message.

Each option of a message (a candidate parent, or "starts something new") is a few rows of a
table (:func:`bot.signals.features.scan`: conjunctions of distance, addressing, time gap,
word overlap, the candidate's own facts...). An option's score is the sum of its rows'
linear weights plus a hidden ReLU layer over the same rows (a unit's input is the sum of the
option's rows and the message's own row; the table's last column is the linear part). The
shipped model has two hidden units, few enough to score in pure Python while the options are
enumerated (:func:`bot.signals.features.best`, faster than numpy for the dozen options of
one message); a wider layer (``train_linker.py --hidden 32``) is scored with numpy. The
best-scoring option wins, and a softmax over the options gives the confidence. Weights come
from ``scripts/train_linker.py`` and live in ``bot/signals/model/linker.json``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from bot.signals import features
from bot.signals.features import scan
from bot.signals.message_info import OFFLINE, SignalCache
from bot.signals.utterance import Utterance

MODEL_FILE = "linker.json"


@dataclass
class LinkModel:
    """Weights of the linker: ``table`` (one row per feature row, ``hidden`` + 1 columns: the
    hidden layer's inputs, then the linear score) and ``out`` (the hidden layer's weights)."""

    table: np.ndarray
    out: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.table.shape[0] != features.N_ROWS:
            raise ValueError(
                f"model has {self.table.shape[0]} rows, features need {features.N_ROWS}")
        if self.table.shape[1] != len(self.out) + 1:
            raise ValueError("model: table and output weights disagree")
        self.table = np.ascontiguousarray(self.table, dtype=np.float64)
        self.out = np.ascontiguousarray(self.out, dtype=np.float64)
        #: with at most two hidden units, the model as :func:`features.best` scores it in
        #: pure Python (faster than numpy for the dozen options of one message)
        self.packed: features.Packed | None = None
        hidden = len(self.out)
        if hidden <= 2:
            t = self.table
            u = [t[:, k] if k < hidden else np.zeros(len(t)) for k in range(2)]
            o = [float(self.out[k]) if k < hidden else 0.0 for k in range(2)]
            self.packed = ([complex(a, b) for a, b in zip(t[:, -1], u[0], strict=True)],
                           u[1].tolist(), o[0], o[1])

    def _scores(self, msg: Utterance, history: Sequence[Utterance], cache: SignalCache
                ) -> tuple[list[int], np.ndarray]:
        positions, rows, msg_row = scan(msg, history, cache)
        table = self.table
        z = table[rows].reshape(len(positions), features.PER_OPTION, -1).sum(1)
        z += table[msg_row]
        hidden = z[:, :-1]
        np.maximum(hidden, 0.0, out=hidden)
        return positions, hidden @ self.out + z[:, -1]

    def best(self, msg: Utterance, history: Sequence[Utterance],
             cache: SignalCache = OFFLINE) -> int | None:
        """Position in ``history`` of the most likely parent, or ``None`` for unlinked."""
        if self.packed is not None:
            pos = features.best(msg, history, self.packed, cache)
        else:
            positions, scores = self._scores(msg, history, cache)
            pos = positions[int(scores.argmax())]
        return None if pos < 0 else pos

    def scores(self, msg: Utterance, history: Sequence[Utterance],
               cache: SignalCache = OFFLINE) -> list[tuple[int, float]]:
        """Every option's ``(position or -1, score)``: for inspection and tests."""
        positions, scores = self._scores(msg, history, cache)
        return list(zip(positions, scores.tolist(), strict=True))

    def confidence(self, msg: Utterance, history: Sequence[Utterance], pos: int | None,
                   cache: SignalCache = OFFLINE) -> float:
        """The model's probability (softmax over the options) that ``msg`` responds to
        ``history[pos]`` (``None``: to nothing). Rescores the options: call it only for the
        few links that need it (an implicit link to an open question)."""
        positions, scores = self._scores(msg, history, cache)
        want = -1 if pos is None else pos
        if want not in positions:
            return 0.0
        p = np.exp(scores - scores.max())
        return float(p[positions.index(want)] / p.sum())

    def to_json(self) -> str:
        """The model as JSON (weights rounded to 5 decimals)."""
        data = {"meta": self.meta, "out": [round(float(x), 5) for x in self.out],
                "table": [[round(float(x), 5) for x in row] for row in self.table]}
        return json.dumps(data, separators=(",", ":")).replace("],[", "],\n[")

    @classmethod
    def from_json(cls, text: str) -> LinkModel:
        """Read a model written by :meth:`to_json`."""
        data = json.loads(text)
        return cls(table=np.array(data["table"], dtype=np.float64),
                   out=np.array(data["out"], dtype=np.float64), meta=dict(data.get("meta", {})))


def load_model(path: Path | None = None) -> LinkModel:
    """The shipped model, or the one at ``path``."""
    if path is not None:
        return LinkModel.from_json(path.read_text(encoding="utf-8"))
    text = resources.files("bot.signals").joinpath("model", MODEL_FILE).read_text("utf-8")
    return LinkModel.from_json(text)
