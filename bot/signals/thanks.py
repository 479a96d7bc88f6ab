"""Acknowledgements and non-answers.

``is_thanks``: a thank-you message ("thanks!", "ty @bob", "that worked, cheers").
``is_non_answer``: a reply that is not an answer: "+1", "same here", a counter-question
from someone else with the same problem.
"""

from __future__ import annotations

import re

_THANKS = re.compile(
    r"\b(?:thanks?|thank you|thx|tnx|ty|tyvm|cheers|much appreciated|appreciate it|"
    r"that (?:worked|did it|fixed it|helped)|it works now|works now|solved|you rock|"
    r"lifesaver|merci|danke|gracias)\b",
    re.IGNORECASE,
)
_NON_ANSWER = re.compile(
    r"^\s*(?:\+1|same(?: here| problem| issue| for me)?|me too|me as well|i have the same"
    r"(?: problem| issue)?|following|bump|subscribing|any update\??|\^+)\W*$",
    re.IGNORECASE,
)
_ME_TOO_QUESTION = re.compile(
    r"\b(?:same (?:problem|issue|here)|me too|did you (?:ever )?(?:find|figure|solve))\b",
    re.IGNORECASE,
)


def is_thanks(text: str) -> bool:
    """True when ``text`` thanks someone."""
    return bool(_THANKS.search(text))


def is_non_answer(text: str) -> bool:
    """True when a reply to a question is plainly not an answer to it."""
    if _NON_ANSWER.match(text):
        return True
    return "?" in text and bool(_ME_TOO_QUESTION.search(text))
