"""What the linker knows about one message on its own: its words, its addressee, its
author's name, and whether it greets, thanks or asks. Computed once per message and cached
by id (:func:`info`); :mod:`bot.signals.features` builds the candidate features on it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.signals.thanks import thanks_in
from bot.signals.utterance import Utterance

if TYPE_CHECKING:
    from bot.signals.features import Window

_STRIP = ".,:;!?()[]{}\"'<>*~@"
_NAME_STRIP = "_`^|-"
_GREETING = re.compile(
    r"^\s*(?:hi+|hello+|hey+|yo|howdy|hiya|greetings|good (?:morning|evening|afternoon)|"
    r"morning|evening)\b",
    re.IGNORECASE,
)
_GREETING_INITIALS = frozenset("hygme")  # first letters of the greetings above ("" is not in)
_STOPWORD_TEXT = """
the and for you your are was were but not with that this have has had what when where
which who why how can could would should will just like then than there their them they
its it's i'm im don't dont get got any all some out about from into been being does did
doing also too very yes yeah yep nope okay well now here one use using try tried know
need want thanks thank please anyone someone something lol hmm sure really maybe still
only more much make made see way thing things think say said going gonna wanna
n't 're 's 'm 've 'll 'd a i is to in on it of or if so do my me be at as an no ok by up we
he us am oh go u k y n s t d m re ve ll 'll 're 've - -- -> : = / + & # | 1 2 3 0 ? !
"""
#: words that say nothing about the topic (plus the empty word left by stripped punctuation)
_STOPWORDS = frozenset([*_STOPWORD_TEXT.split(), ""])
STOPWORDS = _STOPWORDS


def norm_name(name: str) -> str:
    """A nick as people type it: lower case, no ``@``, no trailing ``_`` or punctuation."""
    name = name.strip().lstrip("@").strip(_STRIP).lower()
    return name.rstrip(_NAME_STRIP) or name


class Info:
    """Per-message facts the linker needs, computed once and cached by message id."""

    __slots__ = ("addr", "author", "code", "content", "first", "greet", "marked", "name", "text",
                 "thanks", "words")

    def __init__(self, msg: Utterance, names: dict[str, str]) -> None:
        self.text = msg.text
        self.author = msg.author
        display = msg.author_name or msg.author
        name = names.get(display)
        if name is None:
            if len(names) > CACHE_LIMIT:
                names.clear()
            name = names[display] = norm_name(display)
        self.name = name
        lower = msg.text.lower()
        raw = lower.split()
        self.words = words = frozenset({w.strip(_STRIP).rstrip(_NAME_STRIP) for w in raw})
        self.content = words - _STOPWORDS
        first_raw = raw[0] if raw else ""
        self.first = first_raw.strip(_STRIP).rstrip(_NAME_STRIP)
        self.marked = first_raw.startswith("@") or first_raw.endswith((":", ","))
        #: the first word when the message opens with it as an address ("bob:", "@bob")
        self.addr = self.first if self.marked else None
        self.greet = bool(self.first[:1] in _GREETING_INITIALS and _GREETING.match(lower))
        self.thanks = thanks = thanks_in(self.words, lower)
        #: the message's own facts as a candidate parent (CAND group, question digit excluded)
        self.code = (((_length(len(raw)) * 2 + ("http" in lower or "www." in lower)) * 2
                      + self.greet) * 2 + thanks) * 2 + self.marked


def _length(n_words: int) -> int:
    """Bucket of a length in words: 1, 2-3, 4-7, 8-15, more."""
    return (0 if n_words <= 1 else 1 if n_words <= 3 else 2 if n_words <= 7
            else 3 if n_words <= 15 else 4)


CACHE_LIMIT = 20_000


class SignalCache:
    """What the linker computes once per message and reuses: each message's :class:`Info`,
    normalised author names, and the window carried from one message to the next of a
    channel. In the bot each community's memory owns one (dropped with it, so no member text
    outlives an opt-out or a forget); offline runs (training, evaluation) share ``OFFLINE``."""

    __slots__ = ("infos", "names", "windows")

    def __init__(self) -> None:
        self.infos: dict[str, Info] = {}
        self.names: dict[str, str] = {}
        #: per message id: (the message, its info, the window it was linked against)
        self.windows: dict[str, tuple[Utterance, Info, Window]] = {}

    def clear(self) -> None:
        self.infos.clear()
        self.names.clear()
        self.windows.clear()


OFFLINE = SignalCache()


def info(msg: Utterance, cache: SignalCache = OFFLINE) -> Info:
    """The cached :class:`Info` of ``msg`` (recomputed if the id now holds other text)."""
    infos = cache.infos
    found = infos.get(msg.id)
    if found is not None and found.text is msg.text and found.author == msg.author:
        return found
    if found is not None and found.text == msg.text and found.author == msg.author:
        return found
    if len(infos) >= CACHE_LIMIT:
        infos.clear()
    made = infos[msg.id] = Info(msg, cache.names)
    return made
