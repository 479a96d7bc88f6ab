"""Train the reply-link model (``bot/signals/model/linker.json``) on Kummerfeld #ubuntu train.

    .venv/bin/python scripts/train_linker.py [--data DIR] [--l2 1e-4] [--steps 400] [--tune]

Data: Kummerfeld et al. 2019 IRC disentanglement corpus, ``train/`` split, read in place from
``$INNERCIRCLE_EVAL_DATA/irc-disentanglement-ubuntu`` (never copied). The model is a
conditional log-linear ranker: for each annotated message, a softmax over "unlinked" and the
candidate parents; the loss is minus the log of the probability given to any gold parent, plus
an L2 penalty; full-batch Adam in numpy. ``--tune`` holds out every 8th train file and the
Molweni dev tune part and prints scores for a few settings instead of writing the model.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.eval import kummerfeld, molweni
from bot.eval.runs import score_kummerfeld, score_molweni
from bot.signals import features
from bot.signals.links import Linker
from bot.signals.model import LinkModel
from bot.signals.questions import is_question
from bot.signals.utterance import Utterance

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bot" / "signals" / "model" / "linker.json"
MAX_OPTIONS = features.CANDIDATES + 2


def data_root(arg: str | None) -> Path:
    """The shared evaluation data folder."""
    if arg:
        return Path(arg)
    return Path(os.environ.get("INNERCIRCLE_EVAL_DATA", REPO.parent / "shared" / "eval-data"))


Rows = tuple[list[list[tuple[int, ...]]], list[list[bool]]]


def _add(
    rows: Rows, msg: Utterance, history: list[Utterance], gold_ids: set[int], own: int
) -> None:
    """One training message: its options and which of them are gold (``own`` = unlinked)."""
    opts = features.options(msg, history)
    mask = [(own in gold_ids) if pos < 0 else (int(history[pos].id) in gold_ids) for pos, _ in opts]
    if any(mask):
        rows[0].append([o[1] for o in opts][:MAX_OPTIONS])
        rows[1].append(mask[:MAX_OPTIONS])


def log_rows(logs: list[kummerfeld.Log], max_history: int) -> Rows:
    """Training rows of Kummerfeld logs (a self-link is the unlinked option)."""
    rows: Rows = ([], [])
    for log in logs:
        parents: dict[int, set[int]] = {}
        for child, parent in log.gold:
            parents.setdefault(child, set()).add(parent)
        window: list[Utterance] = []
        for index, msg in enumerate(log.messages):
            if msg is None:
                continue
            msg.is_question = is_question(msg.text)
            if index in parents:
                _add(rows, msg, window[-max_history:], parents[index], index)
            window.append(msg)
    return rows


def dialogue_rows(dialogues: list[molweni.Dialogue], max_history: int) -> Rows:
    """Training rows of Molweni dialogues (no parent = the unlinked option)."""
    rows: Rows = ([], [])
    for dialogue in dialogues:
        parents: dict[int, set[int]] = {}
        for child, parent in dialogue.links:
            parents.setdefault(child, set()).add(parent)
        for index, msg in enumerate(dialogue.utterances):
            msg.is_question = is_question(msg.text)
            gold_ids = parents.get(index, {-1})
            _add(rows, msg, dialogue.utterances[:index][-max_history:], gold_ids, -1)
    return rows


def arrays(rows: Rows) -> tuple[np.ndarray, np.ndarray]:
    """Feature indices ``(N, MAX_OPTIONS, PER_OPTION)`` and gold masks ``(N, MAX_OPTIONS)``."""
    idx_rows, gold_rows = rows
    n = len(idx_rows)
    idx = np.full((n, MAX_OPTIONS, features.PER_OPTION), -1, dtype=np.int32)
    gold = np.zeros((n, MAX_OPTIONS), dtype=bool)
    for i, (opts, mask) in enumerate(zip(idx_rows, gold_rows, strict=True)):
        idx[i, : len(opts)] = opts
        gold[i, : len(mask)] = mask
    return idx, gold


def train(
    idx: np.ndarray, gold: np.ndarray, sw: np.ndarray, l2: float, steps: int, lr: float
) -> np.ndarray:
    """Full-batch Adam on the sample-weighted softmax ranking loss; returns the weights."""
    n_feat = features.N_FEATURES
    valid = idx[:, :, 0] >= 0
    flat = np.where(idx >= 0, idx, features.PAD).reshape(-1)
    w = np.zeros(n_feat)
    m = np.zeros(n_feat)
    v = np.zeros(n_feat)
    n = sw.sum()
    for step in range(1, steps + 1):
        s = w[flat].reshape(idx.shape).sum(-1)
        s = np.where(valid, s, -1e9)
        s -= s.max(1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(1, keepdims=True)
        pg = p * gold
        q = pg / pg.sum(1, keepdims=True)
        err = (p - q) * sw[:, None]
        delta = np.repeat(err[:, :, None], features.PER_OPTION, axis=2).reshape(-1)
        grad = np.bincount(flat, weights=delta, minlength=n_feat) / n + l2 * w
        grad[features.PAD] = 0.0
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= lr * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        if step % 100 == 0 or step == steps:
            loss = -(sw * np.log(np.maximum(pg.sum(1), 1e-12))).sum() / n
            print(f"  step {step}: loss {loss:.4f}", flush=True)
    return w


def model_of(w: np.ndarray, meta: dict) -> LinkModel:
    """Wrap trained weights."""
    return LinkModel(weights=[float(x) for x in w], meta=meta)


def main() -> None:
    """Train (or, with ``--tune``, compare settings on held-out data)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data")
    parser.add_argument("--l2", type=float, default=1e-4)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--molweni-weight", type=float, default=5.0)
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--tune-weights", type=float, nargs="+", default=[0.0, 2.0, 5.0, 10.0])
    args = parser.parse_args()
    root = data_root(args.data)
    irc = root / "irc-disentanglement-ubuntu"
    raws = kummerfeld.find_logs([irc / "train"])
    started = time.perf_counter()
    logs = [kummerfeld.load_log(r) for r in raws]
    max_history = Linker.max_history
    mw_tune = molweni.load(root / "molweni-dp" / "dev.json", "tune")
    if args.tune:
        fit = [log for i, log in enumerate(logs) if i % 8]
        held = [log for i, log in enumerate(logs) if i % 8 == 0]
        mw_fit = [d for i, d in enumerate(mw_tune) if i % 2]
        mw_held = [d for i, d in enumerate(mw_tune) if i % 2 == 0]
        k_idx, k_gold = arrays(log_rows(fit, max_history))
        m_idx, m_gold = arrays(dialogue_rows(mw_fit, max_history))
        print(f"{len(k_idx)} + {len(m_idx)} rows in {time.perf_counter() - started:.0f}s")
        for l2 in (1e-4,):
            for weight in args.tune_weights:
                idx = np.concatenate([k_idx, m_idx])
                gold = np.concatenate([k_gold, m_gold])
                sw = np.concatenate([np.ones(len(k_idx)), np.full(len(m_idx), weight)])
                w = train(idx, gold, sw, l2, args.steps, args.lr)
                linker = Linker(model_of(w, {}))
                k = score_kummerfeld(held, linker).as_dict()
                mw = score_molweni(mw_held, linker).as_dict()
                print(f"l2={l2} molweni weight={weight}: held-out train {k}  molweni {mw}")
        return
    k_idx, k_gold = arrays(log_rows(logs, max_history))
    m_idx, m_gold = arrays(dialogue_rows(mw_tune, max_history))
    idx = np.concatenate([k_idx, m_idx])
    gold = np.concatenate([k_gold, m_gold])
    sw = np.concatenate([np.ones(len(k_idx)), np.full(len(m_idx), args.molweni_weight)])
    print(f"{len(k_idx)} + {len(m_idx)} rows in {time.perf_counter() - started:.0f}s")
    w = train(idx, gold, sw, args.l2, args.steps, args.lr)
    meta = {
        "trained_on": "Kummerfeld et al. 2019 #ubuntu train/ (153 logs, CC-BY-4.0) and the "
        "tune half of Molweni DP dev (Li et al. 2020, Apache-2.0)",
        "molweni_weight": args.molweni_weight,
        "script": "scripts/train_linker.py",
        "l2": args.l2,
        "steps": args.steps,
        "messages": len(idx),
        "n_features": features.N_FEATURES,
        "candidates": features.CANDIDATES,
    }
    OUT.write_text(model_of(w, meta).to_json() + "\n", encoding="utf-8")
    print(f"wrote {OUT} in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
