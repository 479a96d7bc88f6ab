"""Train the answer decision (``bot/signals/model/answers.json``): does a reply ANSWER a question?

    .venv/bin/python scripts/train_answers.py [--data DIR] [--l2 0.001] [--ubuntu-weight 0.3]
                                              [--chatter-penalty 1] [--check]

Data, read in place from ``$INNERCIRCLE_EVAL_DATA`` (never copied):

- Molweni DP dev (Li et al. 2020, Apache-2.0), the tune half only: every reply the bot's linker
  links to a detected question of another speaker, and every gold link to such a question, is
  a row; the label is whether the pair is a gold ``QAP`` (question-answer) relation.
- Kummerfeld et al. 2019 #ubuntu ``train/`` (CC-BY-4.0): the annotation has reply links but no
  answer labels, so they are derived from what the asker did next. Among the gold replies by
  other people to a detected question, a reply is an answer when the asker later thanks it (a
  gold-linked thank-you by the asker), and not one when the asker thanked another reply to the
  same question but not this one. Questions nobody was thanked for give no rows.

The model is a logistic regression over :data:`bot.signals.answer_features.NAMES`, L2-penalised,
fitted by full-batch gradient descent in numpy. The implicit-route threshold is the one that
maximises answer-credit F1 on the Molweni tune half among thresholds keeping precision >= 65;
on the gold links of the tune half taken as certain (as an explicit reply is), precision stays
near 73 at every threshold (the text alone does not tell QAP from other replies there), so the
explicit routes share the highest threshold that still keeps 90% of those answers: it drops the
replies with the least substance at little cost. A hand-set penalty (``--chatter-penalty``) lowers
the log-odds of a reply with no substance at all (see :mod:`bot.signals.answer_features`).
The linker's confidence in an implicit #ubuntu row is the shipped linker's. ``--check``
prints answer-credit P/R/F1 over both halves of the tune dialogues (each scored by a model
fitted on the other) at a few thresholds instead of writing the model.
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
from bot.eval.runs import score_molweni
from bot.eval.scoring import Counts
from bot.signals import answers
from bot.signals.answer_features import NAMES, answer_features
from bot.signals.answers import AnswerModel
from bot.signals.links import Linker, default_linker
from bot.signals.questions import is_question
from bot.signals.thanks import is_thanks
from bot.signals.utterance import Utterance

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bot" / "signals" / "model" / "answers.json"
MIN_PRECISION = 65.0  # percent; the implicit threshold keeps at least this on Molweni tune
EXPLICIT_MIN_RECALL = 90.0  # percent of the tune half's gold-linked answers kept (see above)

Rows = tuple[list[list[float]], list[float]]


def data_root(arg: str | None) -> Path:
    """The shared evaluation data folder."""
    if arg:
        return Path(arg)
    return Path(os.environ.get("INNERCIRCLE_EVAL_DATA", REPO.parent / "shared" / "eval-data"))


def molweni_rows(dialogues: list[molweni.Dialogue], linker: Linker) -> Rows:
    """Rows of replies linked (by the linker or by the gold) to a question of someone else."""
    xs: list[list[float]] = []
    ys: list[float] = []
    for dialogue in dialogues:
        qap = dialogue.qap
        gold_parent = {child: parent for child, parent in dialogue.links}
        utts = dialogue.utterances
        for u in utts:
            u.is_question = is_question(u.text)
        for index, msg in enumerate(utts):
            history = utts[:index][-linker.max_history:]
            if not history:
                continue
            predicted = linker.link(msg, history)
            parents = {int(predicted)} if predicted is not None else set()
            if index in gold_parent:
                parents.add(gold_parent[index])
            for parent in parents:
                question = utts[parent]
                if not question.is_question or question.author == msg.author:
                    continue
                conf = linker.link_confidence(msg, history, question.id)
                xs.append(answer_features(question.text, msg.text, msg.is_question, conf))
                ys.append(float((index, parent) in qap))
    return xs, ys


def ubuntu_rows(logs: list[kummerfeld.Log], linker: Linker, follow: int = 8) -> Rows:
    """Rows of #ubuntu messages after a question, labelled by what the asker did next.

    Only questions whose asker thanked a reply count. The messages by other people among
    the next ``follow`` ones are rows: an answer when gold-linked to the question and thanked
    by the asker; not one when gold-linked but not thanked (another reply was), or when the
    annotators linked it elsewhere (chatter and other conversations in the same channel).
    """
    xs: list[list[float]] = []
    ys: list[float] = []
    for log in logs:
        msgs = log.messages
        for m in msgs:
            if m is not None:
                m.is_question = is_question(m.text)
        parent_of: dict[int, set[int]] = {}
        children: dict[int, list[int]] = {}
        for child, parent in log.gold:
            parent_of.setdefault(child, set()).add(parent)
            if child != parent:
                children.setdefault(parent, []).append(child)
        for q_index, question in enumerate(msgs):
            if question is None or not question.is_question:
                continue
            replies = {c for c in children.get(q_index, ()) if (m := msgs[c]) is not None
                       and m.author != question.author}
            thanked = {
                r for r in replies
                if any((m := msgs[c]) is not None and m.author == question.author
                       and is_thanks(m.text) for c in children.get(r, ()))
            }
            if not thanked:
                continue
            later = [i for i in range(q_index + 1, min(len(msgs), q_index + 1 + follow))
                     if (m := msgs[i]) is not None and m.author != question.author
                     and i in parent_of]
            for r in later:
                reply = msgs[r]
                assert reply is not None
                history = [m for m in msgs[max(0, r - linker.max_history):r] if m is not None]
                conf = linker.link_confidence(reply, history, question.id)
                xs.append(answer_features(question.text, reply.text, reply.is_question, conf))
                ys.append(float(r in thanked))
    return xs, ys


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


def best_threshold(scores: list[tuple[float, bool]], gold: int, min_precision: float) -> float:
    """The threshold with the best F1 among those keeping ``min_precision`` (percent);
    ``gold`` < 0: every positive is among ``scores``."""
    if gold < 0:
        gold = sum(1 for _, label in scores if label)
    best, best_f1 = 0.5, -1.0
    for t in np.arange(0.2, 0.9, 0.02):
        tp = sum(1 for s, label in scores if s >= t and label)
        pred = sum(1 for s, _ in scores if s >= t)
        p = 100 * tp / pred if pred else 0.0
        r = 100 * tp / gold if gold else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if p >= min_precision and f1 > best_f1:
            best, best_f1 = float(t), f1
    return best


def keep_recall_threshold(scores: list[tuple[float, bool]], min_recall: float) -> float:
    """The highest threshold that keeps ``min_recall`` percent of the positives."""
    positives = sorted((s for s, label in scores if label), reverse=True)
    if not positives:
        return 0.5
    keep = max(1, int(len(positives) * min_recall / 100.0))
    return float(np.floor(positives[keep - 1] * 100) / 100)


def credit_scores(dialogues: list[molweni.Dialogue], linker: Linker,
                  model: AnswerModel) -> tuple[list[tuple[float, bool]], int]:
    """Confidence and QAP label of every credit candidate the engine would see, and gold."""
    from bot.eval.runs import molweni_confidence

    answers.use_model(model)
    out: list[tuple[float, bool]] = []
    gold = 0
    for dialogue in dialogues:
        qap = dialogue.qap
        gold += len(qap)
        window: list[Utterance] = []
        for index, msg in enumerate(dialogue.utterances):
            msg.is_question = is_question(msg.text)
            history = window[-linker.max_history:]
            parent = linker.link(msg, history) if history else None
            if parent is not None:
                question = dialogue.utterances[int(parent)]
                if question.is_question:
                    conf = molweni_confidence(linker, msg, window, question)
                    out.append((conf, (index, int(parent)) in qap))
            window.append(msg)
    answers.use_model(None)
    return out, gold


def gold_link_scores(dialogues: list[molweni.Dialogue],
                     model: AnswerModel) -> list[tuple[float, bool]]:
    """Confidence (link taken as certain, as for an explicit reply) and QAP label of every
    gold link from another speaker to a detected question."""
    out: list[tuple[float, bool]] = []
    answers.use_model(model)
    for dialogue in dialogues:
        utts = dialogue.utterances
        for u in utts:
            u.is_question = is_question(u.text)
        for child, parent in dialogue.links:
            question, reply = utts[parent], utts[child]
            if question.is_question and question.author != reply.author:
                conf = answers.answer_confidence(
                    question_text=question.text, reply_text=reply.text, route="reply",
                    gap_s=None, reply_is_question=reply.is_question, same_author=False)
                out.append((conf, (child, parent) in dialogue.qap))
    answers.use_model(None)
    return out


def main() -> None:
    """Fit and write the model (or print cross-validated scores with ``--check``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data")
    parser.add_argument("--l2", type=float, default=0.001)
    parser.add_argument("--ubuntu-weight", type=float, default=0.3)
    parser.add_argument("--chatter-penalty", type=float, default=1.0)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    root = data_root(args.data)
    linker = default_linker()
    tune = molweni.load(root / "molweni-dp" / "dev.json", "tune")
    logs = [kummerfeld.load_log(r)
            for r in kummerfeld.find_logs([root / "irc-disentanglement-ubuntu" / "train"])]
    ux, uy = ubuntu_rows(logs, linker)
    print(f"#ubuntu: {len(uy)} rows, {int(sum(uy))} answers "
          f"({time.perf_counter() - started:.0f}s)", flush=True)

    def train(dialogues: list[molweni.Dialogue], l2: float, uw: float) -> AnswerModel:
        mx, my = molweni_rows(dialogues, linker)
        x = np.array(mx + ux, dtype=float)
        y = np.array(my + uy, dtype=float)
        sw = np.concatenate([np.ones(len(my)), np.full(len(uy), uw)])
        weights = fit(x, y, sw, l2)
        weights["no_substance"] -= args.chatter_penalty
        return AnswerModel(weights=weights, thresholds={r: 0.5 for r in answers.ROUTES})

    if args.check:
        halves = [[d for i, d in enumerate(tune) if i % 2 == k] for k in (0, 1)]
        for l2 in (0.001,):
            for uw in (0.3, 1.0):
                models = [train(halves[1 - k], l2, uw) for k in (0, 1)]
                line = []
                for t in (0.3, 0.4, 0.5, 0.6):
                    total = Counts()
                    for k in (0, 1):
                        models[k].thresholds = {r: t for r in answers.ROUTES}
                        answers.use_model(models[k])
                        total.matched += (c := score_molweni(halves[k], linker).qap).matched
                        total.predicted += c.predicted
                        total.gold += c.gold
                        answers.use_model(None)
                    line.append(f"{t:.1f}: {total.precision:.1f}/{total.recall:.1f}/{total.f1:.1f}")
                print(f"l2={l2} ubuntu={uw}: " + "  ".join(line), flush=True)
        return
    model = train(tune, args.l2, args.ubuntu_weight)
    scores, gold = credit_scores(tune, linker, model)
    implicit = best_threshold(scores, gold, MIN_PRECISION)
    explicit = keep_recall_threshold(gold_link_scores(tune, model), EXPLICIT_MIN_RECALL)
    model.thresholds = {r: round(implicit if r == "implicit" else explicit, 3)
                        for r in answers.ROUTES}
    model.meta = {
        "trained_on": "tune half of Molweni DP dev (Li et al. 2020, Apache-2.0; QAP labels) and "
        "Kummerfeld et al. 2019 #ubuntu train/ (CC-BY-4.0; answer labels derived from the "
        "asker's thanks)",
        "script": "scripts/train_answers.py",
        "l2": args.l2,
        "ubuntu_weight": args.ubuntu_weight,
        "chatter_penalty_hand_set": args.chatter_penalty,
        "min_precision_implicit": MIN_PRECISION,
    }
    OUT.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"wrote {OUT}: thresholds {model.thresholds} ({time.perf_counter() - started:.0f}s)")


if __name__ == "__main__":
    main()
