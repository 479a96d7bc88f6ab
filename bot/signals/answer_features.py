"""What the answer decision looks at in a (question, reply) pair: named numeric cues.

Three kinds of evidence, none of them a verdict on its own (the weights are learned, see
:mod:`bot.signals.answers`):

- substance: content words, instructions ("try", "you can", "run ..."), a command, a path,
  code, a URL, a number, an error name, a yes/no to a yes/no question;
- topic: content words shared with the question;
- social: laughter, greetings and farewells, emoji or punctuation only, exclamations, a
  thank-you or an acknowledgement, a "me too", a counter-question, talk about oneself
  rather than to the asker, and how much of the reply is made of everyday words.
"""

from __future__ import annotations

import math
import re

from bot.signals.features import STOPWORDS as _STOPWORDS
from bot.signals.questions import PING_WORDS
from bot.signals.thanks import is_non_answer, is_thanks

_STRIP = ".,:;!?()[]{}\"'<>*~@`"


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_URL = re.compile(r"https?://|www\.|\bURL\b")
_PATH = re.compile(r"(?:^|\s)(?:~?/[\w.-]+|[A-Za-z]:\\|\./)|\bFILEPATH\b|\w\.(?:conf|cfg|"
                   r"ini|list|log|txt|sh|py|js|json|ya?ml|toml|deb|iso|img|so|exe|xml|d)\b|"
                   r"\w\s*(?:→|->|»|>)\s*\w")  # or a menu path: Settings → Keys
_CODE = re.compile(r"`|\$\s|(?:^|\s)--?[a-z][\w-]*|\w\(\)|\w=\S|\|\s*\w|&&|\bsudo\b")
_NUMBER = re.compile(r"\d")
_ERROR = re.compile(r"(?i:\w(?:error|exception)\b|\berrno\b|\bsegfault|\btraceback\b|"
                    r"\bpanic\b)|\bE[A-Z]{3,}\b|\b(?:40[34]|500)\b")
_SUGGEST = re.compile(
    r"\b(?:you (?:can|could|should|need|have to|must|might|may|want|will)|you'?ll|"
    r"i(?:'d| would) (?:try|use|check|go)|there(?:'s| is| are)|it(?:'s| is) (?:in|at|under|on)|"
    r"make sure|instead|should be|will be|is called|depends|by default)\b",
    re.IGNORECASE,
)
# an instruction: a verb telling the asker what to do
_INSTRUCTION = _word_set(
    "try use run install reinstall check open go click set add remove restart reboot update "
    "upgrade type press edit read see look ask download enable disable put change select "
    "delete create copy move rename mount unmount boot start stop kill make search google "
    "apply follow uninstall purge configure disable replace switch plug unplug pick choose "
    "write paste post pastebin turn"
)
_CLAUSE = re.compile(r"[,;:.!]\s+|\s+(?:and|then|or)\s+")
_YES_NO = _word_set("yes yeah yep yup no nope nah sure correct right exactly")
_AUX = _word_set("is are was were do does did can could should would will has have am")
_LAUGH = re.compile(r"\b(?:l+o+l+\w*|(?:ha){2,}\w*|(?:he){2,}\w*|lmf?ao+|rofl|xd+|kek)\b|"
                    r"[:;]-?[dp)(]\B", re.IGNORECASE)
_LAUGH_HINTS = ("lol", "ha", "he", "lmao", "rofl", "xd", "kek", ":", ";")
_SOCIAL = re.compile(
    r"^\W*(?:hi+|hello+|hey+|yo|hiya|howdy|(?:good )?(?:morning|evening|night|day)|gn|bye+|cya|"
    r"see y(?:a|ou)|"
    r"later|brb|gtg|g2g|afk|back|welcome|congrats?|congratulations|cheers|nice|cool|awesome|"
    r"great|wow|yay|woo+t?|omg|haha|lol)\b",
    re.IGNORECASE,
)
_ACK = re.compile(r"^\W*(?:ok(?:ay)?|k|ah+|oh+|i see|got it|alright|right|hmm+|makes sense|"
                  r"understood|fair enough|true)\W*$", re.IGNORECASE)
_SELF = _word_set("i i'm im i've ive i'll my me we we're our us mine")
_YOU = _word_set("you your you're youre yours u ur")

NAMES = (
    "bias", "words", "content", "content_share", "overlap", "overlap_any", "overlap_share",
    "url", "path", "code", "number", "error", "suggest", "yes_no", "yes_no_to_yes_no",
    "asks", "me_too", "thanks", "ack", "laugh", "social", "no_letters", "exclaim",
    "self_not_you", "you", "everyday_only", "question_words", "instruction", "no_substance",
)
N_FEATURES = len(NAMES)


def _tokens(text: str) -> list[str]:
    return [w for w in (w.strip(_STRIP) for w in text.lower().split()) if w]


def answer_features(question_text: str, reply_text: str, reply_is_question: bool) -> list[float]:
    """The cues of :data:`NAMES`, in that order, for one reply to one question."""
    words = _tokens(reply_text)
    q_words = _tokens(question_text)
    content = {w for w in words if w not in _STOPWORDS and not w.isdigit()}
    q_content = {w for w in q_words if w not in _STOPWORDS and not w.isdigit()}
    shared_topic = (content & q_content) - PING_WORDS  # "everyone", "today" share no topic
    shared = len(shared_topic)
    n = len(words)
    word_set = set(words)
    yes_no = bool(words) and words[0] in _YES_NO
    # cheap substring checks first: most replies hold none of these, and the expressions
    # are the costly part of a decision
    lower = reply_text.lower()
    url = ("http" in lower or "www." in lower or "URL" in reply_text) and bool(
        _URL.search(reply_text))
    path = any(c in reply_text for c in "/\\.>→»") or "FILEPATH" in reply_text
    path = path and bool(_PATH.search(reply_text))
    code = any(c in reply_text for c in "`$-()=|&") or "sudo" in lower
    code = code and bool(_CODE.search(reply_text))
    number = any(c.isdigit() for c in reply_text)
    error = ("rror" in lower or "xception" in lower or "errno" in lower or "segfault" in lower
             or "traceback" in lower or "panic" in lower or number
             or any(c.isupper() for c in reply_text)) and bool(_ERROR.search(reply_text))
    suggest = bool(_SUGGEST.search(reply_text))
    social = bool(_SOCIAL.match(reply_text))
    # an instruction opens the reply or one of its clauses ("..., turn that off")
    instruction = any(
        clause.split(maxsplit=1)[0].lower() in _INSTRUCTION and not _SOCIAL.match(clause)
        for clause in _CLAUSE.split(reply_text) if clause.strip())  # not "see you"
    # a version or a technical name alone ("migrating everything to v3") is no substance: it
    # is as common in release chit-chat as in answers
    # a word shared by a reply of one or two words ("coffee time") is too little topic
    topic = shared > 0 and n > 2
    substance = (topic or url or path or code or error or suggest or yes_no or instruction)
    return [
        1.0,
        math.log1p(n) / 3.0,
        min(len(content), 8) / 8.0,
        len(content) / n if n else 0.0,
        min(shared, 3) / 3.0,
        float(shared > 0),
        shared / len(content) if content else 0.0,
        float(url),
        float(path),
        float(code),
        float(number),
        float(error),
        float(suggest),
        float(yes_no),
        float(yes_no and bool(q_words) and q_words[0] in _AUX),
        float(reply_is_question or "?" in reply_text),
        float(is_non_answer(reply_text)),
        float(is_thanks(reply_text)),
        float(bool(_ACK.match(reply_text))),
        float(any(h in lower for h in _LAUGH_HINTS) and bool(_LAUGH.search(reply_text))),
        float(social),
        float(not any(c.isalpha() for c in reply_text.replace("EMOJI", ""))),
        float("!" in reply_text),
        float(not word_set.isdisjoint(_SELF) and word_set.isdisjoint(_YOU)),
        float(not word_set.isdisjoint(_YOU)),
        float(n > 0 and all(w in PING_WORDS or w in _STOPWORDS for w in words)),
        min(len(q_content), 8) / 8.0,
        float(instruction),
        float(not substance),
    ]
