"""What the answer decision looks at in a (question, reply) pair: named numeric cues.

Three kinds of evidence, none of them a verdict on its own (the weights are learned, see
:mod:`bot.signals.answers`):

- substance: content words, instructions ("try", "you can", "run ..."), a command, a path,
  code, a URL, a number, an error name, a technical token (words joined by "-", "_" or ".",
  a version, an "=" setting), a yes/no to a yes/no question;
- topic: content words shared with the question;
- social: laughter, greetings and farewells, emoji or punctuation only, exclamations, a
  thank-you or an acknowledgement, a "me too", a counter-question, talk about oneself
  rather than to the asker, and how much of the reply is made of everyday words.
"""

from __future__ import annotations

import math
import re

from bot.signals.message_info import STOPWORDS as _STOPWORDS
from bot.signals.questions import PING_WORDS
from bot.signals.thanks import thanks_in

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
# a technical token: words joined inside by "-", "_" or "." ("gnome-system-monitor",
# "rc.local", "max_wal_senders"), a version ("4.2.3"), or an "=" setting
_TECHNICAL = re.compile(r"[a-z][-_.][a-z]|\d\.\d|\s=\s", re.IGNORECASE)
_CLAUSE = re.compile(r"[,;:.!]\s+|\s+(?:and|then|or)\s+")
_YES_NO = _word_set("yes yeah yep yup no nope nah sure correct right exactly")
_AUX = _word_set("is are was were do does did can could should would will has have am")
_LAUGH = re.compile(r"\b(?:l+o+l+\w*|(?:ha){2,}\w*|(?:he){2,}\w*|lmf?ao+|rofl|xd+|kek)\b|"
                    r"[:;]-?[dp)(]\B", re.IGNORECASE)
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
    "technical",
)
N_FEATURES = len(NAMES)


def _tokens(text: str) -> list[str]:
    return [w for w in (w.strip(_STRIP) for w in text.lower().split()) if w]


#: words without which :data:`_SUGGEST` cannot match ("it is in ..." aside)
_SUGGEST_WORDS = _word_set("you you'll youll i'd would there there's it's sure instead should "
                           "will called depends default")
_LAUGH_STARTS = ("lol", "loo", "haha", "hehe", "lmao", "lmfao", "rofl", "xd", "kek")
_EMOTICONS = (":d", ":p", ":)", ":(", ";)", ";(", ";d", ";p", ":-", ";-")
_DIGITS = frozenset("0123456789")
_CODE_MARKS = frozenset("`$=|")
_PATH_MARKS = frozenset("/\\>→»")
_EXTENSIONS = _word_set("conf cfg ini list log txt sh py js json yml yaml toml deb iso img so exe "
                        "xml d")
_ERROR_HINTS = ("rror", "xception", "errno", "segfault", "traceback", "panic")
_EVERYDAY = PING_WORDS | _STOPWORDS
_CLAUSE_ENDS = (",", ";", ":", ".", "!")
_CLAUSE_WORDS = frozenset(("and", "then", "or"))
#: cues that depend on the question too (the rest depend on the reply only)
PAIR_CUES = ("overlap", "overlap_any", "overlap_share", "yes_no_to_yes_no", "question_words",
             "no_substance")
_INDEX = {name: i for i, name in enumerate(NAMES)}


class ReplyCues:
    """What a reply says on its own, computed once per message (:func:`reply_cues`): the
    reply-only cue values (pair cues left at 0, see :func:`pair_values`), its content words,
    its length in words, and whether it has substance of its own (anything but a shared
    topic)."""

    __slots__ = ("content", "n", "own_substance", "social_cue", "values", "yes_no")

    def __init__(self, values: list[float], content: frozenset[str], n: int, yes_no: bool,
                 own_substance: bool, social_cue: bool) -> None:
        self.values = values
        self.content = content
        self.n = n
        self.yes_no = yes_no
        self.own_substance = own_substance
        self.social_cue = social_cue


class QuestionCues:
    """What the answer decision needs of a question: its content words, and whether it
    opens with an auxiliary verb (a yes/no question). :func:`question_cues` remembers them."""

    __slots__ = ("aux", "content")

    def __init__(self, text: str) -> None:
        words = _tokens(text)
        self.content = frozenset(w for w in words if w not in _STOPWORDS and not w.isdigit())
        self.aux = bool(words) and words[0] in _AUX


_QUESTIONS: dict[str, QuestionCues] = {}


def question_cues(text: str) -> QuestionCues:
    """:class:`QuestionCues` of ``text``, remembered (an open question is weighed for each
    message after it)."""
    found = _QUESTIONS.get(text)
    if found is None:
        if len(_QUESTIONS) >= 4096:
            _QUESTIONS.clear()
        found = _QUESTIONS[text] = QuestionCues(text)
    return found


def _instruction(raw: list[str]) -> bool:
    """An instruction opens the reply or one of its clauses ("..., turn that off"); "see
    you" is no instruction."""
    opens = True
    last = len(raw) - 1
    for i, token in enumerate(raw):
        word = token.strip(_STRIP)
        if opens and word in _INSTRUCTION and not (
                word == "see" and i < last and raw[i + 1].startswith(("ya", "you"))):
            return True
        opens = token.endswith(_CLAUSE_ENDS) or token in _CLAUSE_WORDS
    return False


def reply_cues(reply_text: str, reply_is_question: bool) -> ReplyCues:
    """The reply-only cues of ``reply_text``. Cheap substring tests guard every pattern:
    most replies hold none of them, and the patterns are the costly part."""
    text = reply_text
    lower = text.lower()
    raw = lower.split()
    words = [w for w in (t.strip(_STRIP) for t in raw) if w]
    content = frozenset(w for w in words if w not in _STOPWORDS and not w.isdigit())
    n = len(words)
    word_set = set(words)
    yes_no = n > 0 and words[0] in _YES_NO
    chars = frozenset(text)
    number = not chars.isdisjoint(_DIGITS)
    url = ("http" in lower or "www." in lower or "URL" in text) and bool(_URL.search(text))
    path = (not chars.isdisjoint(_PATH_MARKS) or "FILEPATH" in text
            or any("." in w and w.rsplit(".", 1)[1] in _EXTENSIONS for w in words)
            ) and bool(_PATH.search(text))
    code = (not chars.isdisjoint(_CODE_MARKS) or " -" in text or text.startswith("-")
            or "()" in text or "&&" in text or "sudo" in lower) and bool(_CODE.search(text))
    error = (any(h in lower for h in _ERROR_HINTS) or "E" in text
             or (number and ("40" in text or "500" in text))) and bool(_ERROR.search(text))
    suggest = (not word_set.isdisjoint(_SUGGEST_WORDS) or "it is " in lower) and bool(
        _SUGGEST.search(text))
    social = bool(_SOCIAL.match(text))
    instruction = not word_set.isdisjoint(_INSTRUCTION) and _instruction(raw)
    laugh = (any(w.startswith(_LAUGH_STARTS) for w in words) or (
        (":" in chars or ";" in chars) and any(e in lower for e in _EMOTICONS))
             ) and bool(_LAUGH.search(text))
    technical = (("-" in text or "_" in text or "." in text or "=" in text)
                 and bool(_TECHNICAL.search(text)))
    no_letters = not any(c.isalpha() for c in chars) or (
        "EMOJI" in text and not any(c.isalpha() for c in text.replace("EMOJI", "")))
    values = [
        1.0,  # bias
        math.log1p(n) / 3.0,  # words
        min(len(content), 8) / 8.0,  # content
        len(content) / n if n else 0.0,  # content_share
        0.0, 0.0, 0.0,  # overlap, overlap_any, overlap_share: pair cues
        float(url), float(path), float(code), float(number), float(error), float(suggest),
        float(yes_no),
        0.0,  # yes_no_to_yes_no: pair cue
        float(reply_is_question or "?" in text),  # asks
        0.0,  # me_too: a "me too" never reaches the model (no answer, by rule)
        float(thanks_in(word_set, lower)),  # thanks
        float(n <= 3 and bool(_ACK.match(text))),  # ack
        float(laugh), float(social), float(no_letters),
        float("!" in text),  # exclaim
        float(not word_set.isdisjoint(_SELF) and word_set.isdisjoint(_YOU)),  # self_not_you
        float(not word_set.isdisjoint(_YOU)),  # you
        float(n > 0 and word_set <= _EVERYDAY),  # everyday_only
        0.0,  # question_words: pair cue
        float(instruction),
        0.0,  # no_substance: pair cue
        float(technical),
    ]
    own = url or path or code or error or suggest or yes_no or instruction or technical
    return ReplyCues(values, content, n, yes_no, own, social or laugh or no_letters)


_SUBSTANCE: dict[str, bool] = {}
_SUBSTANCE_LIMIT = 20_000
_LAST: list[tuple[str, ReplyCues]] = []


def statement_cues(text: str) -> ReplyCues:
    """:func:`reply_cues` of a message that is no question, the latest one remembered (the
    answer decision asks for a message's cues twice in a row)."""
    if _LAST and _LAST[0][0] == text:
        return _LAST[0][1]
    cues = reply_cues(text, False)
    _LAST[:] = [(text, cues)]
    return cues


def has_substance(text: str) -> bool:
    """Whether a message says something of its own (an instruction, a command, a path, a
    URL, a technical token, an error name, a suggestion, a yes or no): the reply cues'
    ``own_substance``, remembered by text (a message is weighed again as a candidate parent
    of the messages after it)."""
    found = _SUBSTANCE.get(text)
    if found is None:
        if len(_SUBSTANCE) >= _SUBSTANCE_LIMIT:
            _SUBSTANCE.clear()
        found = _SUBSTANCE[text] = statement_cues(text).own_substance
    return found


def shared_topic(reply: ReplyCues, question: QuestionCues) -> int:
    """How many content words the reply shares with the question (ping words such as
    "everyone" or "today" share no topic)."""
    if reply.content.isdisjoint(question.content):
        return 0
    return len((reply.content & question.content) - PING_WORDS)


def pair_values(reply: ReplyCues, question: QuestionCues) -> tuple[float, ...]:
    """The cues of :data:`PAIR_CUES`, in that order. A word shared by a reply of one or two
    words ("coffee time") is too little topic to count as substance, and so is one shared by
    a reply that opens with a greeting, laughter or emoji: the shared word is part of the
    small talk ("good morning!" to a question about a failure "since this morning")."""
    shared = shared_topic(reply, question)
    topic = shared > 0 and reply.n > 2 and not reply.social_cue
    return (min(shared, 3) / 3.0, float(shared > 0),
            shared / len(reply.content) if reply.content else 0.0,
            float(reply.yes_no and question.aux), min(len(question.content), 8) / 8.0,
            float(not (topic or reply.own_substance)))


_PAIR_INDEX = tuple(_INDEX[name] for name in PAIR_CUES)


def answer_features(question_text: str, reply_text: str, reply_is_question: bool) -> list[float]:
    """The cues of :data:`NAMES`, in that order, for one reply to one question."""
    reply = reply_cues(reply_text, reply_is_question)
    values = list(reply.values)
    for index, value in zip(_PAIR_INDEX, pair_values(reply, QuestionCues(question_text)),
                            strict=True):
        values[index] = value
    return values
