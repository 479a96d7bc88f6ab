"""Acknowledgements and non-answers.

``is_thanks``: a thank-you message ("thanks!", "ty @bob", "that worked, cheers").
``is_non_answer``: a reply that is not an answer: "+1", "same here", a counter-question
from someone else with the same problem.

Both run on every message, so they look words up in sets and phrases up with ``in`` before
any regular expression.
"""

from __future__ import annotations

import re

_STRIP = ".,:;!?()[]{}\"'<>*~@"
_THANKS_WORDS = frozenset(
    {
        *("thanks", "thank", "thx", "thnx", "thanx", "tnx", "ty", "tyvm", "tysm", "cheers"),
        *("solved", "lifesaver", "merci", "danke", "gracias", "kudos"),
    }
)
_THANKS_PHRASES = (
    "thank you",
    "much appreciated",
    "appreciate it",
    "appreciate your help",
    "that worked",
    "that did it",
    "that fixed it",
    "that helped",
    "it works now",
    "works now",
    "you rock",
    "you're a star",
    "life saver",
)
_NON_ANSWER = re.compile(
    r"^\s*(?:\+1|same(?: here| problem| issue| for me)?|me too|me as well|i have the same"
    r"(?: problem| issue)?|following|bump|subscribing|any update\??|\^+)\W*$",
    re.IGNORECASE,
)
_ME_TOO_QUESTION = re.compile(
    r"\b(?:same (?:problem|issue|here)|me too|did you (?:ever )?(?:find|figure|solve)|"
    r"(?:any|did) (?:luck|solution)|anyone (?:find|found|figure))",
    re.IGNORECASE,
)


def thanks_in(words: frozenset[str] | set[str], lower: str) -> bool:
    """Thanks test on precomputed parts: lower-cased ``words`` and the lower-cased text."""
    if not words.isdisjoint(_THANKS_WORDS):
        return True
    if (
        "apprecia" not in lower
        and "that " not in lower
        and "work" not in lower
        and ("you" not in lower and "saver" not in lower)
    ):
        return False
    return any(phrase in lower for phrase in _THANKS_PHRASES)


def is_thanks(text: str) -> bool:
    """True when ``text`` thanks someone."""
    lower = text.lower()
    return thanks_in({w.strip(_STRIP) for w in lower.split()}, lower)


def is_non_answer(text: str) -> bool:
    """True when a reply to a question is plainly not an answer to it."""
    if len(text) < 40 and _NON_ANSWER.match(text):
        return True
    return "?" in text and bool(_ME_TOO_QUESTION.search(text))
