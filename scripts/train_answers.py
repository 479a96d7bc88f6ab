"""Train the answer decision (``bot/signals/model/answers.json``): does a reply ANSWER a question?

    .venv/bin/python scripts/train_answers.py [--data DIR] [--l2 0.01] [--ubuntu-weight 0.3]
    .venv/bin/python scripts/train_answers.py --check

The model is P(answers | the reply responds to the question, its text): a logistic regression
over :data:`bot.signals.answer_features.NAMES`, L2-penalised, fitted by full-batch gradient
descent in numpy. (:func:`bot.signals.answers.answer_confidence` multiplies it by the linker's
probability that an implicit reply responds to the question.) Rows are replies *known* to
respond to a detected question of someone else, read in place from ``$INNERCIRCLE_EVAL_DATA``
(never copied):

- Molweni DP dev (Li et al. 2020, Apache-2.0), the tune half only: every gold link from
  another speaker to a detected question; the label is whether the pair is a gold ``QAP``
  (question-answer) relation.
- Kummerfeld et al. 2019 #ubuntu ``train/`` (CC-BY-4.0): the annotation has reply links but
  no answer labels, so they are derived from what the asker did next. Among the gold replies
  by other people to a detected question whose asker thanked one of them (a gold-linked
  thank-you by the asker), the thanked replies are answers and the others are not. Questions
  nobody was thanked for give no rows.

Counter-questions and "me too"s are left out (never answers, by rule).

``chatter_parent`` (see :func:`bot.signals.credit.question_options`) is fitted on the #ubuntu
train links alone: the shift of the linker's log-odds for options without substance, when the
message has substance, that makes the gold parents most likely.

The implicit threshold is the lowest whose answer-credit F1 on the Molweni tune half (the
engine's own decision, through :func:`bot.eval.runs.link_and_credit`: every open question the
linker offers is weighed, the one most likely answered is credited) is within ``F1_SLACK``
points of the best: recall is favoured, since a candidate below the threshold is kept and
the asker's thanks may lift it (the F1 curve is flat there: see the lines this script
prints). The explicit routes credit at 0.5: the link is certain, so the text alone must say
"more likely an answer than not". ``--check`` prints answer-credit P/R/F1 over both halves of
the tune dialogues (each scored by a model fitted on the other) at a few thresholds instead
of writing the model.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.eval import kummerfeld, molweni
from bot.eval.runs import link_and_credit, score_molweni
from bot.eval.scoring import Counts
from bot.signals import answers
from bot.signals.answer_features import NAMES, answer_features, has_substance
from bot.signals.answers import AnswerModel
from bot.signals.links import Linker, default_linker
from bot.signals.questions import is_question
from bot.signals.thanks import is_non_answer, is_thanks
from bot.signals.utterance import Utterance

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bot" / "signals" / "model" / "answers.json"
#: the implicit threshold: the lowest whose Molweni tune F1 is within this many points of the
#: best (recall favoured: a candidate below it is kept, and the asker's thanks may lift it)
F1_SLACK = 1.0
#: with the link certain (reply, thread, forum, mention), credit when the text says "more likely
#: answers than not"
EXPLICIT_THRESHOLD = 0.5

Rows = tuple[list[list[float]], list[float]]


def data_root(arg: str | None) -> Path:
    """The shared evaluation data folder."""
    if arg:
        return Path(arg)
    return Path(os.environ.get("INNERCIRCLE_EVAL_DATA", REPO.parent / "shared" / "eval-data"))


def molweni_rows(dialogues: list[molweni.Dialogue]) -> Rows:
    """Rows of gold replies by another speaker to a detected question; label: ``QAP``."""
    xs: list[list[float]] = []
    ys: list[float] = []
    for dialogue in dialogues:
        utts = dialogue.utterances
        for u in utts:
            u.is_question = is_question(u.text)
        for child, parent in sorted(dialogue.links):
            question, reply = utts[parent], utts[child]
            if not question.is_question or question.author == reply.author:
                continue
            if reply.is_question or is_non_answer(reply.text):
                continue  # never answers, by rule
            xs.append(answer_features(question.text, reply.text, reply.is_question))
            ys.append(float((child, parent) in dialogue.qap))
    return xs, ys


def ubuntu_rows(logs: list[kummerfeld.Log]) -> Rows:
    """Rows of #ubuntu gold replies to a question, labelled by what the asker did next.

    Only questions whose asker thanked a reply count; among the gold replies by other people,
    the thanked ones are answers and the others are not.
    """
    xs: list[list[float]] = []
    ys: list[float] = []
    for log in logs:
        msgs = log.messages
        children: dict[int, list[int]] = {}
        for child, parent in log.gold:
            if child != parent:
                children.setdefault(parent, []).append(child)
        for q_index, question in enumerate(msgs):
            if question is None or not is_question(question.text):
                continue
            replies = sorted(c for c in children.get(q_index, ())
                             if (m := msgs[c]) is not None and m.author != question.author)
            thanked = {
                r for r in replies
                if any((m := msgs[c]) is not None and m.author == question.author
                       and is_thanks(m.text) for c in children.get(r, ()))
            }
            if not thanked:
                continue
            for r in replies:
                reply = msgs[r]
                assert reply is not None
                asks = is_question(reply.text)
                if asks or is_non_answer(reply.text):
                    continue
                xs.append(answer_features(question.text, reply.text, asks))
                ys.append(float(r in thanked))
    return xs, ys


def chatter_parent(logs: list[kummerfeld.Log], linker: Linker) -> float:
    """The ``chatter_parent`` weight (see :func:`bot.signals.credit.question_options`): the
    log-odds shift of the linker's options without substance, for a message with substance,
    that makes the gold parents of the #ubuntu train logs most likely (a grid, step 0.05)."""
    rows: list[tuple[list[tuple[float, bool, int]], int | None]] = []
    for log in logs:
        kept = [k for k, m in enumerate(log.messages) if m is not None]
        at = {k: j for j, k in enumerate(kept)}
        msgs = [m for m in log.messages if m is not None]
        for m in msgs:
            m.is_question = is_question(m.text)
        for child, parent in log.gold:
            if child not in at or parent not in at:
                continue
            i = at[child]
            reply = msgs[i]
            if reply.is_question or reply.reply_to or not has_substance(reply.text):
                continue
            start = max(0, i - linker.max_history)
            history = msgs[start:i]
            if not history:
                continue
            _, scored = linker.options(reply, history)
            rows.append(([(p, not history[pos].is_question and not has_substance(
                history[pos].text), start + pos) for pos, p in scored],
                None if child == parent else at[parent]))

    def likelihood(beta: float) -> float:
        total = 0.0
        for options, gold in rows:
            new = 1.0 - sum(p for p, _, _ in options)
            z = new + sum(p * math.exp(beta * chat) for p, chat, _ in options)
            p_gold = new if gold is None else next(
                (p * math.exp(beta * chat) for p, chat, k in options if k == gold), 0.0)
            total += math.log(max(p_gold / z, 1e-6))
        return total

    grid = [round(-0.05 * k, 2) for k in range(41)]
    return max(grid, key=likelihood)


def fit(x: np.ndarray, y: np.ndarray, sw: np.ndarray, l2: float) -> dict[str, float]:
    """Weighted, L2-penalised logistic regression (the bias is not penalised)."""
    w = np.zeros(x.shape[1])
    reg = np.full(x.shape[1], l2)
    reg[NAMES.index("bias")] = 0.0
    total = sw.sum()
    for _ in range(4000):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        w -= 0.5 * (x.T @ ((p - y) * sw) / total + reg * w)
    return {name: float(v) for name, v in zip(NAMES, w, strict=True)}


def prf_at(scores: list[tuple[float, bool]], gold: int, t: float) -> tuple[float, float, float]:
    """Precision, recall and F1 (percent) of crediting the scores at or above ``t``."""
    tp = sum(1 for s, label in scores if s >= t and label)
    pred = sum(1 for s, _ in scores if s >= t)
    p = 100 * tp / pred if pred else 0.0
    r = 100 * tp / gold if gold else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def lowest_near_best(scores: list[tuple[float, bool]], gold: int, slack: float) -> float:
    """The lowest threshold whose F1 is within ``slack`` points of the best one."""
    grid = [round(float(t), 2) for t in np.arange(0.05, 0.9, 0.01)]
    f1s = [prf_at(scores, gold, t)[2] for t in grid]
    best = max(f1s)
    return next(t for t, f1 in zip(grid, f1s, strict=True) if f1 >= best - slack)


def credit_scores(dialogues: list[molweni.Dialogue], linker: Linker,
                  model: AnswerModel) -> tuple[list[tuple[float, bool]], int]:
    """Confidence and QAP label of every message's candidate credit (the engine's own
    decision, :func:`bot.eval.runs.link_and_credit`), and the number of gold pairs.

    Scored with an implicit threshold of almost 0, so that a reply capped for lack of
    substance (held below the threshold, whatever it is) scores almost 0 too."""
    model.thresholds = {**model.thresholds, "implicit": 1e-9}
    answers.use_model(model)
    out: list[tuple[float, bool]] = []
    gold = 0
    for dialogue in dialogues:
        qap = dialogue.qap
        gold += len(qap)
        window: list[Utterance] = []
        for index, msg in enumerate(dialogue.utterances):
            msg.is_question = is_question(msg.text)
            _, credit = link_and_credit(linker, msg, window)
            if credit is not None:
                out.append((credit.confidence, (index, int(credit.question_id)) in qap))
            window.append(msg)
    answers.use_model(None)
    return out, gold


def main() -> None:
    """Fit and write the model (or print cross-validated scores with ``--check``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data")
    parser.add_argument("--l2", type=float, default=0.01)
    parser.add_argument("--ubuntu-weight", type=float, default=0.3)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    root = data_root(args.data)
    linker = default_linker()
    tune = molweni.load(root / "molweni-dp" / "dev.json", "tune")
    logs = [kummerfeld.load_log(r)
            for r in kummerfeld.find_logs([root / "irc-disentanglement-ubuntu" / "train"])]
    ux, uy = ubuntu_rows(logs)
    beta = chatter_parent(logs, linker)
    print(f"#ubuntu: {len(uy)} rows, {int(sum(uy))} answers; chatter_parent {beta} "
          f"({time.perf_counter() - started:.0f}s)", flush=True)

    def train(dialogues: list[molweni.Dialogue], l2: float, uw: float) -> AnswerModel:
        mx, my = molweni_rows(dialogues)
        x = np.array(mx + ux, dtype=float)
        y = np.array(my + uy, dtype=float)
        sw = np.concatenate([np.ones(len(my)), np.full(len(uy), uw)])
        weights = fit(x, y, sw, l2)
        weights["chatter_parent"] = beta
        return AnswerModel(weights=weights, thresholds={r: 0.5 for r in answers.ROUTES})

    if args.check:
        halves = [[d for i, d in enumerate(tune) if i % 2 == k] for k in (0, 1)]
        for l2 in (0.001, 0.01, 0.1):
            for uw in (0.0, 0.3, 1.0):
                models = [train(halves[1 - k], l2, uw) for k in (0, 1)]
                line = []
                for t in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4):
                    total = Counts()
                    for k in (0, 1):
                        models[k].thresholds = {r: t for r in answers.ROUTES}
                        answers.use_model(models[k])
                        total.matched += (c := score_molweni(halves[k], linker).qap).matched
                        total.predicted += c.predicted
                        total.gold += c.gold
                        answers.use_model(None)
                    line.append(f"{t:.2f}: {total.precision:.1f}/{total.recall:.1f}/{total.f1:.1f}")
                print(f"l2={l2} ubuntu={uw}: " + "  ".join(line), flush=True)
        return
    model = train(tune, args.l2, args.ubuntu_weight)
    scores, gold = credit_scores(tune, linker, model)
    implicit = lowest_near_best(scores, gold, F1_SLACK)
    for t in (0.1, 0.15, implicit, 0.2, 0.25, 0.3, 0.4):
        p, r, f1 = prf_at(scores, gold, t)
        print(f"Molweni tune, implicit threshold {t:.2f}: P {p:.1f} R {r:.1f} F1 {f1:.1f}")
    model.thresholds = {r: round(implicit, 3) if r == "implicit" else EXPLICIT_THRESHOLD
                        for r in answers.ROUTES}
    model.meta = {
        "trained_on": "tune half of Molweni DP dev (Li et al. 2020, Apache-2.0; QAP labels) and "
        "Kummerfeld et al. 2019 #ubuntu train/ (CC-BY-4.0; answer labels derived from the "
        "asker's thanks)",
        "script": "scripts/train_answers.py",
        "l2": args.l2,
        "ubuntu_weight": args.ubuntu_weight,
        "implicit_threshold": f"lowest within {F1_SLACK} F1 of the best on Molweni tune",
    }
    OUT.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"wrote {OUT}: thresholds {model.thresholds} ({time.perf_counter() - started:.0f}s)")


if __name__ == "__main__":
    main()
