"""When a reply counts as an answer: the one rule the engine and the evaluation share."""

from __future__ import annotations

from bot.signals.thanks import is_non_answer


def credits_answer(*, reply_text: str, reply_is_question: bool, parent_is_question: bool,
                   same_author: bool) -> bool:
    """A reply answers its parent when the parent is a question by someone else and the
    reply is neither a counter-question nor a non-answer ("+1", "same here")."""
    return (parent_is_question and not same_author and not reply_is_question
            and not is_non_answer(reply_text))
