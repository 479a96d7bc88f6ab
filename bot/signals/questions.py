"""Question detection: is this message asking something?

Rule-based: a question mark, interrogative wording at the start of a sentence (stronger
when it opens the message: "where to find ...", "can you post ..."), or help phrasing
("anyone know", "how do I"). Help and forum channels, and the
first message of a thread, lower the bar.

A message with no content of its own, only pronouns, presence and social words ("anyone
around?", "u there?", "lol?", "hello??"), is a ping, not a request for help, and an opening
"what a ..." is an exclamation ("what a day"): neither opens a question.
(A learned logistic model over these cues and the opening words was tried and scored no
better in cross-validation on the Molweni tune half; see docs/accuracy.md.)
"""

from __future__ import annotations

import re

_QUESTION_START = re.compile(
    r"(?:^|[.!?]\s+)(?:who|what|when|where|why|how|which|whose|is|are|was|were|do|does|did|"
    r"can|could|should|would|will|has|have|any(?:one|body)|is there|has anyone)\b",
    re.IGNORECASE,
)
_HELP_PHRASE = re.compile(
    r"\b(?:any(?:one|body) (?:know|have|tried|got|here)|help(?: me)? with|i need help|"
    r"how (?:do|can|to) (?:i|you|we)|is it possible|i(?:'m| am) (?:stuck|trying to)|"
    r"doesn'?t work|not working|wondering)\b",
    re.IGNORECASE,
)
# A message that opens with a question word or an inverted "can you / is there" asks something
# even without a question mark ("where to find the device manager", "can you post the log").
_STRONG_START = re.compile(
    r"(?:^|[,;]\s*)(?:(?:ok|okay|so|hey|hi|and|but|well|also|btw|um+|hmm+)\W+)?"
    r"(?:(?:who|what|when|where|why|how|which)\b(?!\s+(?:ever|about it)\b)|"
    r"(?:can|could|would|will|do|does|did|is|are|should|has|have)\s+"
    r"(?:you|u|i|we|someone|anyone|anybody|somebody|one|it|there|this|that|he|she|they)\b)",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://\S+|<[@#!:][^>]*>")
_EXCLAIM = re.compile(r"^\W*what an?\b", re.IGNORECASE)
_STRIP = ".,:;!?()[]{}\"'<>*~@`"
# Words that carry no topic of their own: pronouns, presence and social words (also used by
# the answer decision: sharing only these with a question shares no topic). A message made
# only of these pings people; it asks for no help.
_PING_TEXT = """
anyone anybody someone somebody everyone everybody any one you u ya y'all yall guys folks
people all i me we us it is are am r was there here around online awake alive home back still
up ok okay hey hi hello helo hallo yo sup hiya howdy ping pong lol lmao rofl haha hehe heh hah
xd wat what wut huh eh hm hmm hmmm um umm so well oh ah the a an really seriously right now
yet today tonight
"""
PING_WORDS = frozenset(_PING_TEXT.split())
_MAX_PING_WORDS = 5
_MAX_PING_CHARS = 60  # five words of presence and social talk fit: skip the check beyond

THRESHOLD = 0.5


def is_ping(text: str) -> bool:
    """True for a contentless ping ("anyone around?", "u there?", "lol?", "hello??")."""
    words = [w for w in (w.strip(_STRIP) for w in _URL.sub(" ", text).lower().split()) if w]
    return len(words) <= _MAX_PING_WORDS and all(w in PING_WORDS for w in words)


def question_score(text: str, *, channel_kind: str = "chat", thread_start: bool = False) -> float:
    """How likely ``text`` is a question, from 0 to 1."""
    clean = _URL.sub(" ", text).strip()
    if not clean or (len(clean) <= _MAX_PING_CHARS and is_ping(clean)) or (
            "?" not in clean and _EXCLAIM.match(clean)):
        return 0.0
    score = 0.0
    if "?" in clean:
        score += 0.6
    if _QUESTION_START.search(clean):
        score += 0.3
    if _HELP_PHRASE.search(clean):
        score += 0.3
    if _STRONG_START.search(clean):
        score += 0.25
    if channel_kind in ("help", "forum") or thread_start:
        score += 0.15
    return min(score, 1.0)


def is_question(text: str, *, channel_kind: str = "chat", thread_start: bool = False) -> bool:
    """True when ``text`` reads as a question in its context.

    The same decision as ``question_score(...) >= THRESHOLD``, computed with early exits (it
    runs on every message): a question mark alone reaches the threshold, the channel's bonus
    never decides it, and without a question mark two of the three wordings must match.
    """
    clean = (_URL.sub(" ", text) if "://" in text or "<" in text else text).strip()
    if not clean or (len(clean) <= _MAX_PING_CHARS and is_ping(clean)):
        return False
    if "?" in clean:
        return True
    if _EXCLAIM.match(clean):
        return False
    strong = _STRONG_START.search(clean) is not None
    start = _QUESTION_START.search(clean) is not None
    if strong and start:
        return True
    if not (strong or start):
        return False
    return _HELP_PHRASE.search(clean) is not None
