"""Does a reply ANSWER a question? The one decision the engine and the evaluation share.

A reply link (explicit, thread, mention or implicit) says a message *responds to* an earlier
one; responding is not answering. :func:`answer_confidence` gives the probability that the
reply answers the question; :func:`is_credited` turns it into a credit with a threshold per
route (an implicit link must be surer). "Mark as answer" and staff corrections never go
through here: they are authoritative.
"""

from __future__ import annotations

from bot.signals.thanks import is_non_answer

#: the routes a candidate credit can come by ("mark" is authoritative and not decided here)
ROUTES = ("reply", "thread", "forum", "mention", "implicit")

#: minimum confidence for a credit, per route
THRESHOLDS = {"reply": 0.5, "thread": 0.5, "forum": 0.5, "mention": 0.5, "implicit": 0.5}


def answer_confidence(*, question_text: str, reply_text: str, route: str, gap_s: float | None,
                      reply_is_question: bool, same_author: bool,
                      link_confidence: float | None = None) -> float:
    """Probability (0..1) that ``reply_text`` answers ``question_text``.

    ``route`` is how the reply reached the question ("reply", "thread", "forum", "mention",
    "implicit"); ``gap_s`` the seconds between them (``None`` when unknown);
    ``link_confidence`` the linker's confidence in an implicit link.
    """
    if same_author:
        return 0.0
    if reply_is_question or is_non_answer(reply_text):
        return 0.1
    confidence = 0.8
    if route == "implicit" and link_confidence is not None:
        confidence *= min(1.0, max(0.0, link_confidence) + 0.5)
    return confidence


def is_credited(confidence: float, route: str) -> bool:
    """True when an answer of ``confidence`` reached by ``route`` earns a credit."""
    return confidence >= THRESHOLDS.get(route, THRESHOLDS["implicit"])


def credits_answer(*, reply_text: str, reply_is_question: bool, parent_is_question: bool,
                   same_author: bool) -> bool:
    """Old interface (kept until the engine moves to :func:`answer_confidence`): a reply
    credits its parent when the parent is a question by someone else and the reply is
    neither a counter-question nor a non-answer ("+1", "same here")."""
    return (parent_is_question and not same_author and not reply_is_question
            and not is_non_answer(reply_text))
