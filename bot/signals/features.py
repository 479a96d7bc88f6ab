"""Features for reply linking: what the linker knows about a message and a candidate parent.

Everything that depends on one message only (its words, its addressee, its author's name) is
computed once per message and cached by id (:func:`info`). Pair features are packed into a
few conjunction indices (distance x same author x question x latest-of-author, addressing
both ways, time gap x word overlap, ...) so that scoring a candidate is four table look-ups.
The model (:mod:`bot.signals.model`) holds one weight per index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.signals.thanks import is_thanks
from bot.signals.utterance import Utterance

_STRIP = ".,:;!?()[]{}\"'<>*~"
_NAME_STRIP = "_`^|-"
_GREETING = re.compile(
    r"^\s*(?:hi+|hello+|hey+|yo|howdy|hiya|greetings|good (?:morning|evening|afternoon)|"
    r"morning|evening)\b",
    re.IGNORECASE,
)
_STOPWORD_TEXT = """
the and for you your are was were but not with that this have has had what when where
which who why how can could would should will just like then than there their them they
its it's i'm im don't dont get got any all some out about from into been being does did
doing also too very yes yeah yep nope okay well now here one use using try tried know
need want thanks thank please anyone someone something lol hmm sure really maybe still
only more much make made see way thing things think say said going gonna wanna
n't 're 's 'm 've 'll 'd
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def norm_name(name: str) -> str:
    """A nick as people type it: lower case, no ``@``, no trailing ``_`` or punctuation."""
    name = name.strip().lstrip("@").strip(_STRIP).lower()
    return name.rstrip(_NAME_STRIP) or name


class Info:
    """Per-message facts the linker needs, computed once and cached by message id."""

    __slots__ = ("author", "content", "first", "greet", "marked", "name", "text", "thanks", "words")

    def __init__(self, msg: Utterance) -> None:
        self.text = msg.text
        self.author = msg.author
        self.name = norm_name(msg.author_name or msg.author)
        raw = msg.text.split()
        words = [norm_name(w) for w in raw]
        self.words = frozenset(w for w in words if w)
        self.content = frozenset(
            w for w in words if len(w) > 2 and w not in _STOPWORDS and not w.isdigit()
        )
        self.first = words[0] if words else ""
        first_raw = raw[0] if raw else ""
        self.marked = first_raw.startswith("@") or first_raw.endswith((":", ","))
        self.greet = bool(_GREETING.match(msg.text))
        self.thanks = is_thanks(msg.text)


_CACHE: dict[str, Info] = {}
_CACHE_LIMIT = 20_000


def info(msg: Utterance) -> Info:
    """The cached :class:`Info` of ``msg`` (recomputed if the id now holds other text)."""
    found = _CACHE.get(msg.id)
    if found is not None and found.text is msg.text and found.author == msg.author:
        return found
    if found is not None and found.text == msg.text and found.author == msg.author:
        return found
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    made = _CACHE[msg.id] = Info(msg)
    return made


# ---- feature layout -------------------------------------------------------------------------

#: candidates looked at by position (most recent first); addressed authors are found further back
CANDIDATES = 20

_DIST_BUCKET = [0, 0, 1, 2, 3, 4, 5, 6, 6, 7, 7, 7, 8, 8, 8, 8]  # index = distance (1-based)
N_DIST = 11  # 0..8 above, 9 = 16..25, 10 = farther (only reached through addressing)


def dist_bucket(distance: int) -> int:
    """Bucket of a candidate's distance in messages (1 = the message just before)."""
    if distance < len(_DIST_BUCKET):
        return _DIST_BUCKET[distance]
    return 9 if distance <= 25 else 10


def time_bucket(gap: float) -> int:
    """Bucket of a time gap in seconds: 0, <=1 min, <=2, <=5, <=10, <=30 min, more."""
    if gap <= 0:
        return 0
    if gap <= 60:
        return 1
    if gap <= 120:
        return 2
    if gap <= 300:
        return 3
    if gap <= 600:
        return 4
    if gap <= 1800:
        return 5
    return 6


N_TIME = 7
N_OVERLAP = 4

# Offsets of the feature blocks in the weight vector.
# Every candidate block is doubled by "culture": does anyone in the window address people by
# name (IRC) or not (names stripped, or a platform where people use replies instead)?
# A: distance x same author x candidate is question x candidate is its author's latest
OFF_A = 0
N_A = N_DIST * 8 * 2
# B: how msg refers to candidate (4) x how candidate refers to msg's author (3) x latest (2)
OFF_B = OFF_A + N_A
N_B = 4 * 3 * 2 * 2
# C: time gap x word overlap
OFF_C = OFF_B + N_B
N_C = N_TIME * N_OVERLAP
# D: msg is question x candidate thanks x msg author's last message addressed this author
#    x candidate is msg author's own latest message
OFF_D = OFF_C + N_C
N_D = 16 * 2
# Unlinked ("starts a conversation") option, message-level:
# E: bias x msg is question x msg addressing (none / marked name unknown / known author)
OFF_E = OFF_D + N_D
N_E = 2 * 3 * 2 * 2
# F: msg author seen in the window x gap since previous message
OFF_F = OFF_E + N_E
N_F = 2 * N_TIME
# G: greeting x thanks x history empty
OFF_G = OFF_F + N_F
N_G = 8
#: a padding index whose weight stays 0
PAD = OFF_G + N_G
N_FEATURES = PAD + 1
PER_OPTION = 4


def options(msg: Utterance, history: Sequence[Utterance]) -> list[tuple[int, tuple[int, ...]]]:
    """Candidate parents of ``msg`` and their feature indices, unlinked option first.

    Each entry is ``(position in history or -1 for unlinked, PER_OPTION feature indices)``.
    """
    m = info(msg)
    n = len(history)
    mentions = msg.mentions
    m_author = msg.author
    m_ts = msg.ts
    m_q = msg.is_question
    stop = max(0, n - CANDIDATES)
    infos: list[tuple[int, Utterance, Info]] = []
    for pos in range(n - 1, stop - 1, -1):
        cand = history[pos]
        infos.append((pos, cand, info(cand)))
    # msg's addressee: a first word matching a recent author, or a platform mention
    known = {ci.name for _, _, ci in infos}
    culture = 0
    for _, _, ci in infos:
        if ci.marked and ci.first in known:
            culture = 1
            break
    addressee = m.first if m.first in known else None
    if addressee is None and m.marked and stop > 0:
        # addressed to someone who spoke before the window: look further back once
        for pos in range(stop - 1, -1, -1):
            cand = history[pos]
            ci = info(cand)
            if ci.name == m.first:
                infos.append((pos, cand, ci))
                addressee = m.first
                break
    # msg author's previous message, and whom it addressed
    own_prev_addr = None
    for _, cand, ci in infos:
        if cand.author == m_author:
            own_prev_addr = ci.first if ci.marked else None
            break
    seen_author = False
    seen: set[str] = set()
    out: list[tuple[int, tuple[int, ...]]] = []
    any_mention = bool(mentions)
    for pos, cand, ci in infos:
        author = cand.author
        latest = author not in seen
        if latest:
            seen.add(author)
        same = author == m_author
        if same:
            seen_author = True
        cq = cand.is_question
        a = OFF_A + culture * N_A // 2 + dist_bucket(n - pos) * 8 + same * 4 + cq * 2 + latest
        if ci.name == addressee or author in mentions:
            how_m = 3
        elif ci.name and ci.name in m.words:
            how_m = 2
            any_mention = True
        elif addressee is not None or (m.marked and not same and m.first not in known):
            how_m = 1  # msg is addressed to someone else
        else:
            how_m = 0
        if m_author in cand.mentions or (ci.marked and ci.first == m.name):
            how_c = 2
        elif m.name and m.name in ci.words:
            how_c = 1
        else:
            how_c = 0
        b = OFF_B + culture * 24 + (how_m * 3 + how_c) * 2 + latest
        overlap = len(m.content & ci.content)
        c = OFF_C + time_bucket(m_ts - cand.ts) * N_OVERLAP + (overlap if overlap < 3 else 3)
        d = (
            OFF_D
            + culture * 16
            + m_q * 8
            + ci.thanks * 4
            + (own_prev_addr is not None and own_prev_addr == ci.name) * 2
            + (same and latest)
        )
        out.append((pos, (a, b, c, d)))
    addr_kind = 2 if addressee is not None or any_mention else (1 if m.marked else 0)
    gap = m_ts - history[-1].ts if n else 1e9
    e = OFF_E + culture * 12 + (m_q * 3 + addr_kind) * 2 + (n == 0)
    f = OFF_F + seen_author * N_TIME + time_bucket(gap)
    g = OFF_G + m.greet * 4 + m.thanks * 2 + (n == 0)
    out.insert(0, (-1, (e, f, g, PAD)))
    return out
