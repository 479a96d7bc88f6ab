"""Does a reply ANSWER a question? The one decision the engine and the evaluation share.

A reply link (explicit, thread, mention or implicit) says a message *responds to* an earlier
one; responding is not answering. :func:`answer_confidence` gives the probability that the
reply answers the question: P(it responds to the question) x P(it answers | it responds).
The first is the linker's probability for an implicit link (among the open questions it
offers, see :func:`bot.signals.credit.question_options`) and 1 for the other routes; the
second is a logistic model over the cues of :mod:`bot.signals.answer_features` (substance,
shared topic, social chatter), trained by ``scripts/train_answers.py`` on replies known to
respond to a question (weights in ``bot/signals/model/answers.json``). :func:`is_credited`
turns it into a credit with a threshold per route.

Weighted by hand, because the annotated data lacks it: the time gap (Molweni has no
timestamps) lowers the confidence of a reply that comes more than two hours after the
question; a reply with no substance at all (no shared topic word, instruction, command, path,
URL, technical token, error name or yes/no) keeps 0.3 of its confidence on an
implicit link and stays below the implicit threshold however sure the link (only the asker's
acknowledgement can make it count), and half of it on an explicit one when it also shows
a social cue (laughter, a greeting or farewell, emoji only); the support-channel data holds
too little social chatter to learn these. An explicit reply is
judged on its own text (the question's may no longer be held after a restart, and a restart
must not change a credit); for an implicit link to a question whose text is gone, the topic
cannot be judged and the discount does not apply.
By rule, as before: a counter-question or a "me too" ("+1", "same here") is never an answer,
and neither is the asker's own reply. "Mark as answer" and staff corrections never go through
here: they are authoritative.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from operator import mul

from bot.signals.answer_features import (
    NAMES,
    PAIR_CUES,
    QuestionCues,
    ReplyCues,
    pair_values,
    question_cues,
    statement_cues,
)
from bot.signals.thanks import is_non_answer

MODEL_FILE = "answers.json"

#: the routes a candidate credit can come by ("mark" is authoritative and not decided here)
ROUTES = ("reply", "thread", "forum", "mention", "implicit")

#: log-odds lost per doubling of the gap beyond :data:`GAP_FREE_S` (hand-weighted)
GAP_PENALTY = 0.25
GAP_FREE_S = 2 * 3600.0
#: an explicit reply with no substance and a social cue (laughter, a greeting or farewell or
#: emoji only) keeps this share of its confidence (hand-set: the
#: support-channel data holds too little social chatter to learn it)
NO_SUBSTANCE_FACTOR = 0.5
#: any implicit reply with no substance keeps this share: nothing but the linker says it
#: responds to the question at all
IMPLICIT_NO_SUBSTANCE = 0.3
_NO_QUESTION = QuestionCues("")
#: an implicit reply with no substance stays below this share of the implicit threshold
NO_SUBSTANCE_CAP = 0.95


@dataclass(slots=True)
class AnswerModel:
    """Weights (one per cue name) and the credit threshold of each route."""

    weights: dict[str, float]
    thresholds: dict[str, float]
    meta: dict[str, object] = field(default_factory=dict)
    _vector: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _pair: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._vector = tuple(self.weights.get(name, 0.0) for name in NAMES)
        self._pair = tuple(self.weights.get(name, 0.0) for name in PAIR_CUES)

    def logit(self, values: list[float]) -> float:
        """Log-odds of an answer for the cue values (in :data:`NAMES` order)."""
        return sum(map(mul, self._vector, values))

    def reply_logit(self, reply: ReplyCues) -> float:
        """The reply-only part of the log-odds (the same for every question it may answer)."""
        return sum(map(mul, self._vector, reply.values))

    def pair_logit(self, pair: tuple[float, ...]) -> float:
        """The part of the log-odds that depends on the question too (:data:`PAIR_CUES`)."""
        return sum(map(mul, self._pair, pair))

    def to_json(self) -> str:
        """The model as JSON."""
        return json.dumps({"meta": self.meta,
                           "thresholds": {k: round(v, 3) for k, v in self.thresholds.items()},
                           "weights": {k: round(v, 5) for k, v in self.weights.items()}},
                          indent=1)

    @classmethod
    def from_json(cls, text: str) -> AnswerModel:
        """Read a model written by :meth:`to_json`."""
        data = json.loads(text)
        return cls(weights={str(k): float(v) for k, v in data["weights"].items()},
                   thresholds={str(k): float(v) for k, v in data["thresholds"].items()},
                   meta=dict(data.get("meta", {})))


@lru_cache(maxsize=1)
def _shipped() -> AnswerModel:
    text = resources.files("bot.signals").joinpath("model", MODEL_FILE).read_text("utf-8")
    return AnswerModel.from_json(text)


_override: list[AnswerModel] = []


def use_model(model: AnswerModel | None) -> None:
    """Decide with ``model`` instead of the shipped one (training scripts); ``None`` resets."""
    _override.clear()
    if model is not None:
        _override.append(model)


def current_model() -> AnswerModel:
    """The model in use."""
    return _override[0] if _override else _shipped()


def gap_adjustment(gap_s: float | None) -> float:
    """Hand-weighted change of log-odds for the time between question and reply."""
    if gap_s is None or gap_s <= GAP_FREE_S:
        return 0.0
    return -GAP_PENALTY * math.log2(gap_s / GAP_FREE_S)


def answer_confidence(*, question_text: str, reply_text: str, route: str, gap_s: float | None,
                      reply_is_question: bool, same_author: bool,
                      link_confidence: float | None = None) -> float:
    """Probability (0..1) that ``reply_text`` answers ``question_text``.

    ``route`` is how the reply reached the question ("reply", "thread", "forum", "mention",
    "implicit"); ``gap_s`` the seconds between them (``None`` when unknown);
    ``link_confidence`` the linker's probability that an implicit reply responds to this
    question (``None``: certain).
    The probability is P(the reply responds to the question) x P(it answers it | it responds):
    the first is the linker's for an implicit link and 1 for the other routes, the second the
    text model's.
    """
    if same_author:
        return 0.0
    reply = cues_of(reply_text, reply_is_question)
    if reply is None:
        return 0.0
    return confidence_of(reply, question_text, route, gap_s,
                         link_confidence if route == "implicit" else None)


def cues_of(reply_text: str, reply_is_question: bool) -> ReplyCues | None:
    """The reply's own cues, computed once however many questions it may answer; ``None``
    when it answers none by rule: a counter-question (7% of them answer in Molweni) or a
    "+1" / "same here" / "me too, any fix?", whatever later evidence says."""
    if reply_is_question or is_non_answer(reply_text):
        return None
    return statement_cues(reply_text)


def confidence_of(reply: ReplyCues, question_text: str, route: str, gap_s: float | None,
                  link_confidence: float | None = None) -> float:
    """:func:`answer_confidence` for a reply whose cues are known (the asker's own replies
    and the replies that answer nothing by rule are left out before)."""
    implicit = route == "implicit"
    # An explicit reply is judged on its own text: the question's text may be gone after a
    # restart (beyond the excerpts kept), and a restart must not change a credit.
    question = question_cues(question_text) if implicit and question_text else _NO_QUESTION
    pair = pair_values(reply, question)
    model = current_model()
    logit = model.reply_logit(reply) + model.pair_logit(pair) + gap_adjustment(gap_s)
    answers = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))
    if implicit and link_confidence is not None:
        answers *= max(0.0, min(1.0, link_confidence))
    if pair[-1]:  # no substance
        if not implicit:
            if reply.social_cue:
                answers *= NO_SUBSTANCE_FACTOR
        elif question_text.strip():  # an unknown question: its topic cannot be judged
            # nothing but the linker says it responds, and nothing that it answers: it earns
            # no credit on arrival, however sure the link; the asker's acknowledgement may
            # lift it
            answers = min(answers * IMPLICIT_NO_SUBSTANCE,
                          NO_SUBSTANCE_CAP * model.thresholds.get("implicit", 1.0))
    return answers


def is_credited(confidence: float, route: str) -> bool:
    """True when an answer of ``confidence`` reached by ``route`` earns a credit."""
    thresholds = current_model().thresholds
    return confidence >= thresholds.get(route, thresholds["implicit"])


def credits_answer(*, reply_text: str, reply_is_question: bool, parent_is_question: bool,
                   same_author: bool) -> bool:
    """Old interface (kept until the engine moves to :func:`answer_confidence`): a reply
    credits its parent when the parent is a question by someone else and the reply is
    neither a counter-question nor a non-answer ("+1", "same here")."""
    return (parent_is_question and not same_author and not reply_is_question
            and not is_non_answer(reply_text))
