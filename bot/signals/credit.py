"""The answer-credit policy: which question, if any, a message answers, by which route, and
how sure we are. One pure function for every route; the engine only applies its result.

A reply link (explicit, thread, mention, implicit) is necessary for credit, never
sufficient: for every candidate the answer decision (:mod:`bot.signals.answers`) gives a
confidence, and only :func:`~bot.signals.answers.is_credited` confidences earn credit. A
candidate below it is still linked for context and credits nobody; it is kept with its
confidence when the asker's acknowledgement could still lift it (see :func:`revise`).

Evidence used **when the message arrives** (:func:`decide_credit`): the route, the question's
and the reply's text, the time gap, whether the reply is itself a question, same author, and
whether the question already moved to its own thread (then later channel messages are not
its answers: no implicit credit). A message at channel level with no explicit reply weighs
every open question the linker offers (not only its first choice, which in a busy channel is
often the chatter between a question and its answer) and credits the one it most likely
answers; the linker's probabilities for it come from the same scoring pass as the link.

Evidence used **later**, while the answer window is open (:func:`revise`, weighted by hand:
the annotated data has no such signal): the asker reacted to the reply or thanked it in a
reply to it (up), the asker asked again without acknowledging it (down). "Mark as answer"
and staff corrections do not go through here: they are authoritative (confidence 1 and 0).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.signals.answer_features import has_substance
from bot.signals.answers import (
    answer_confidence,
    confidence_of,
    cues_of,
    current_model,
    is_credited,
)
from bot.signals.message_info import STOPWORDS, norm_name
from bot.signals.thanks import is_non_answer
from bot.signals.utterance import Utterance
from bot.store.facts import MessageInfo

_PUNCTUATION = ".,:;!?()[]{}\"'<>*~@`"

# Without a reply, a thread or a mention, credit needs closeness: a message hours after a
# question in a quiet channel is rarely its answer.
IMPLICIT_REACH_S = 6 * 3600
#: later evidence, weighted by hand: how far each moves a candidate's log-odds (an
#: acknowledgement multiplies the odds by about 4.5, asking again divides them by about 2.7)
ACKNOWLEDGED_LOGIT = 1.5
ASKED_AGAIN_LOGIT = -1.0
#: how soon after an answer the asker asking again in the same place counts against it
ASKED_AGAIN_REACH_S = 30 * 60
#: a thank-you addressed to nobody (no reply, no mention, not linked to a helper) acknowledges
#: the latest counted answer its author got in the same channel or thread this long before
UNADDRESSED_THANKS_REACH_S = 30 * 60


@dataclass(frozen=True, slots=True)
class Incoming:
    """The new message as the policy sees it."""

    id: str
    author: str
    text: str
    ts: float
    is_question: bool
    reply_to: str | None = None
    thread: str | None = None  # the thread it is posted in (None at channel level)
    mentions: tuple[str, ...] = ()
    channel_kind: str = "chat"


@dataclass(frozen=True, slots=True)
class Candidate:
    """An earlier message the new one may answer, with what memory holds of it."""

    info: MessageInfo
    text: str = ""  # "" when the text is no longer held (after a restart, beyond retention)
    author_name: str | None = None
    threaded: bool = False  # it has a thread of its own


@dataclass(frozen=True, slots=True)
class Credit:
    """A candidate credit: ``credited`` says whether it counts; ``kept`` whether it is
    stored (it counts, or the asker's acknowledgement could still make it count)."""

    question_id: str
    route: str  # reply, thread, forum, mention, implicit (mark comes from corrections)
    confidence: float
    credited: bool
    kept: bool


def _open(candidate: Candidate | None, author: str) -> bool:
    return (candidate is not None and candidate.info.is_question and not candidate.info.deleted
            and candidate.info.author != author)


def _addresses(message: Incoming, candidate: Candidate) -> bool:
    """``@asker`` or ``asker:`` / ``asker,`` at the start of the reply."""
    if candidate.info.author in message.mentions:
        return True
    if not candidate.author_name:
        return False
    first = message.text.split(maxsplit=1)[0] if message.text.strip() else ""
    marked = first.startswith("@") or first.endswith((":", ","))
    return marked and norm_name(first) == norm_name(candidate.author_name)


def route_of(message: Incoming, linked: Candidate | None, root: Candidate | None
             ) -> tuple[Candidate, str] | None:
    """Which question ``message`` may answer and by which route, before any confidence.

    In a thread: the linked message when it is an open question (``reply`` if replied to),
    else the thread's first message (``forum`` in a forum channel). At channel level: an
    explicit reply, a message addressing the asker, or an implicit link within
    ``IMPLICIT_REACH_S`` to a question that has not moved to a thread of its own.
    """
    if message.thread is not None:
        if linked is not None and linked.info.id != message.thread and _open(linked,
                                                                             message.author):
            return linked, "reply" if linked.info.id == message.reply_to else "thread"
        if root is not None and _open(root, message.author):
            return root, "forum" if message.channel_kind == "forum" else "thread"
        return None
    if linked is None or not _open(linked, message.author):
        return None
    if linked.info.id == message.reply_to:
        return linked, "reply"
    if _addresses(message, linked):
        return linked, "mention"
    if message.ts - linked.info.ts <= IMPLICIT_REACH_S and not linked.threaded:
        return linked, "implicit"
    return None


@dataclass(frozen=True, slots=True)
class Option:
    """An open question the linker says a message may respond to, with the ``probability``
    that it does."""

    candidate: Candidate
    probability: float


def question_options(text: str, scored: Sequence[tuple[int, float]],
                     window: Sequence[Utterance]) -> list[tuple[int, float]]:
    """The questions among the linker's options (``scored``: ``(position in window,
    probability)``, see ``Linker.options``) with the probability that a message of ``text``
    responds to each. A message with substance of its own rarely responds to one without
    (a "lol", a "brb", small talk): the probability the linker gives to such options is
    shifted to the others by the learned ``chatter_parent`` weight (log-odds, fitted on the
    #ubuntu train links by ``scripts/train_answers.py``)."""
    model = current_model()
    beta = model.weights.get("chatter_parent", 0.0)
    # A question whose probability is too low to be credited, or kept for the asker's
    # thanks, whatever the text says (the text model's probability is at most 1), is left
    # out: it cannot be the one credited.
    floor = keep_floor(model.thresholds["implicit"])
    questions = [(pos, p) for pos, p in scored
                 if window[pos].is_question and p * math.exp(-min(0.0, beta)) >= floor]
    if not questions:
        return []
    factor = 1.0
    if beta and has_substance(text):
        chatter = sum(p for pos, p in scored
                      if not window[pos].is_question and not has_substance(window[pos].text))
        factor = 1.0 / (1.0 - chatter * (1.0 - math.exp(beta)))
    return [(pos, min(1.0, p * factor)) for pos, p in questions if p * factor >= floor]


def implicit_open(message: Incoming, candidate: Candidate) -> bool:
    """Whether ``candidate`` may take an implicit credit from ``message``: an open question
    of someone else, within ``IMPLICIT_REACH_S``, that has not moved to a thread of its own."""
    return (_open(candidate, message.author) and not candidate.threaded
            and message.ts - candidate.info.ts <= IMPLICIT_REACH_S)


def weighs_options(text: str) -> bool:
    """Whether a message at channel level with no explicit reply, not a question, may be an
    implicit answer ("+1" and "me too" are not): only then are the linker's options worth
    a scoring pass (see ``options`` in :func:`decide_credit`)."""
    return not is_non_answer(text)


@lru_cache(maxsize=8)
def keep_floor(threshold: float) -> float:
    """The lowest confidence that the asker's acknowledgement could still lift to
    ``threshold`` (see :func:`revise`), a little lower for its rounding."""
    logit = math.log(threshold / (1.0 - threshold)) - ACKNOWLEDGED_LOGIT
    return 0.99 / (1.0 + math.exp(-logit))


def decide_credit(message: Incoming, linked: Candidate | None, root: Candidate | None = None,
                  link_confidence: Callable[[str], float] | None = None,
                  options: list[Option] | None = None) -> Credit | None:
    """The candidate credit of ``message`` (``None`` when it reaches no open question).

    ``linked`` is the message the linker says it responds to; ``root`` the first message of
    the thread it is posted in; ``link_confidence(question_id)`` the linker's confidence in
    an implicit link to ``linked``. ``options``, when given, are the open questions the
    linker weighs for a message with no explicit reply (see :func:`weighs_options`): an implicit
    credit then goes to the one it most likely answers (responds to, and answers), whether
    or not it is the linker's first choice: in a busy channel the link often goes to the
    chatter between a question and its answer.
    """
    found = route_of(message, linked, root)
    if options is not None and (found is None or found[1] == "implicit"):
        return _best_option(message, options)
    if found is None:
        return None
    question, route = found
    if route == "implicit" and (message.is_question or is_non_answer(message.text)):
        # never an answer, by rule: not worth the linker's second pass
        return _credit(question.info.id, route, 0.0)
    confidence = answer_confidence(
        question_text=question.text, reply_text=message.text, route=route,
        gap_s=max(0.0, message.ts - question.info.ts), reply_is_question=message.is_question,
        same_author=question.info.author == message.author,
        link_confidence=link_confidence(question.info.id)
        if route == "implicit" and link_confidence is not None else None)
    return _credit(question.info.id, route, confidence)


def _best_option(message: Incoming, options: list[Option]) -> Credit | None:
    reply = cues_of(message.text, message.is_question)
    best: tuple[float, str] | None = None
    for option in options:
        question = option.candidate
        if not implicit_open(message, question):
            continue
        if reply is None:
            confidence = 0.0
        else:
            confidence = confidence_of(reply, question.text, "implicit",
                                       max(0.0, message.ts - question.info.ts),
                                       option.probability)
        if best is None or confidence > best[0]:
            best = (confidence, question.info.id)
    return None if best is None else _credit(best[1], "implicit", best[0])


def _credit(question_id: str, route: str, confidence: float) -> Credit:
    credited = is_credited(confidence, route)
    kept = credited or (confidence > 0.0 and revise(confidence, route, acknowledged=True)[1])
    return Credit(question_id, route, confidence, credited, kept)


def revise(confidence: float, route: str, *, acknowledged: bool = False,
           asked_again: bool = False) -> tuple[float, bool]:
    """A candidate's confidence after later evidence, and whether it now earns credit.

    The asker's thank-you or acknowledging reaction adds ``ACKNOWLEDGED_LOGIT`` to its
    log-odds; the asker asking again soon after adds ``ASKED_AGAIN_LOGIT``. In log-odds a
    sure answer stays sure and a plain "lol" stays far below any threshold. Hand-weighted:
    no annotated data says what askers did next.
    """
    if 0.0 < confidence < 1.0:
        logit = math.log(confidence / (1.0 - confidence))
        logit += ACKNOWLEDGED_LOGIT * acknowledged + ASKED_AGAIN_LOGIT * asked_again
        confidence = round(1.0 / (1.0 + math.exp(-logit)), 4)
    return confidence, is_credited(confidence, route)


def asks_again(new_question: str, earlier_question: str) -> bool:
    """Whether a new question asks about the same thing as an earlier one: they share a
    content word (not a stopword, not a short word). ``""`` (text no longer held): no."""
    return not _content(new_question).isdisjoint(_content(earlier_question))


def _content(text: str) -> set[str]:
    words = (w.strip(_PUNCTUATION) for w in text.lower().split())
    return {w for w in words if len(w) > 3 and w not in STOPWORDS}


def revisable(confidence: float | None, active: bool, route: str) -> bool:
    """Whether later evidence may still move a stored candidate. Marks (1) and corrections
    or deletions (0) are final; so are rows from before confidences were kept (``None``)."""
    if confidence is None or route == "mark" or confidence <= 0.0:
        return False
    # inactive yet confident enough: it was unmarked, deleted or edited away
    return active or not is_credited(confidence, route)
