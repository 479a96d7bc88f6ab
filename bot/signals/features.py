"""Features for reply linking: what the linker knows about a message and a candidate parent.

Everything that depends on one message only (its words, its addressee, its author's name) is
computed once per message and cached by id (:func:`info`). Pair features are packed into a
few conjunction indices (distance x same author x question x latest-of-author, addressing
both ways, time gap x word overlap, ...) so that scoring a candidate is four table look-ups.
The model (:mod:`bot.signals.model`) holds one weight per index.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from bot.signals.thanks import thanks_in
from bot.signals.utterance import Utterance

_STRIP = ".,:;!?()[]{}\"'<>*~@"
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

    __slots__ = ("author", "content", "first", "greet", "marked", "name", "text", "thanks", "words")

    def __init__(self, msg: Utterance, names: dict[str, str]) -> None:
        self.text = msg.text
        self.author = msg.author
        display = msg.author_name or msg.author
        name = names.get(display)
        if name is None:
            if len(names) > _CACHE_LIMIT:
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
        self.greet = bool(_GREETING.match(lower))
        self.thanks = thanks_in(self.words, lower)


_CACHE_LIMIT = 20_000


class SignalCache:
    """What the linker computes once per message and reuses: each message's :class:`Info`,
    normalised author names, and the window carried from one message to the next of a
    channel. In the bot each community's memory owns one (dropped with it, so no member text
    outlives an opt-out or a forget); offline runs (training, evaluation) share ``OFFLINE``."""

    __slots__ = ("infos", "names", "windows")

    def __init__(self) -> None:
        self.infos: dict[str, Info] = {}
        self.names: dict[str, str] = {}
        #: per message id: (the message, its window newest first, itself included)
        self.windows: dict[str, tuple[Utterance, list[tuple[Utterance, Info]]]] = {}

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
    if len(infos) >= _CACHE_LIMIT:
        infos.clear()
    made = infos[msg.id] = Info(msg, cache.names)
    return made


# ---- feature layout -------------------------------------------------------------------------

#: candidates looked at by position (most recent first); addressed authors are found further back
CANDIDATES = 12

#: beyond this distance a candidate must be related to the message (same author, a question,
#: a name either way, a shared word) to be considered at all
NEAR = 6

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


_TIME_BOUNDS = (0, 60, 120, 300, 600, 1800)
_A_BASE = [
    [OFF_A + culture * (N_A // 2) + dist_bucket(d) * 8 for d in range(CANDIDATES + 1)]
    for culture in (0, 1)
]


def options(msg: Utterance, history: Sequence[Utterance], cache: SignalCache = OFFLINE
            ) -> list[tuple[int, tuple[int, ...]]]:
    """Candidate parents of ``msg`` and their feature indices, unlinked option first.

    Each entry is ``(position in history or -1 for unlinked, PER_OPTION feature indices)``.
    """
    out: list[tuple[int, tuple[int, ...]]] = []
    _scan(msg, history, None, out, cache)
    return out


def best(msg: Utterance, history: Sequence[Utterance], weights: Sequence[float],
         cache: SignalCache = OFFLINE) -> int:
    """Position in ``history`` of the best-scoring option under ``weights`` (-1: unlinked)."""
    return _scan(msg, history, weights, None, cache)


def _scan(
    msg: Utterance,
    history: Sequence[Utterance],
    w: Sequence[float] | None,
    out: list[tuple[int, tuple[int, ...]]] | None,
    cache: SignalCache,
) -> int:
    """Enumerate the options; collect them in ``out`` or return the best under ``w``.

    One function serves training (``out``) and the live linker (``w``), so both always see
    the same features. Written for speed: this runs once per chat message.
    """
    m = info(msg, cache)
    n = len(history)
    mentions = msg.mentions
    m_author = msg.author
    m_ts = msg.ts
    m_q = msg.is_question
    m_name = m.name
    m_words = m.words
    m_content = m.content
    infos = _window(history, n, cache)
    # msg's addressee: a first word matching a recent author, or a platform mention
    known = {ci.name for _, ci in infos}
    culture = 0
    for _, ci in infos:
        if ci.marked and ci.first in known:
            culture = 1
            break
    addressee = m.first if m.first in known else None
    if addressee is not None or mentions:
        culture = 1  # this message itself addresses someone
    dists: Sequence[int] = range(1, len(infos) + 1)
    scan = infos
    if addressee is None and m.marked and n > CANDIDATES and m.first not in _STOPWORDS:
        # addressed to someone who spoke before the window: look further back once
        first = m.first
        for pos in range(n - CANDIDATES - 1, -1, -1):
            cand = history[pos]
            display = cand.author_name or cand.author
            name = cache.names.get(display)
            if name is None:
                name = norm_name(display)
            if name == first:
                ci = info(cand, cache)
                scan = [*infos, (cand, ci)]
                dists = [*dists, n - pos]
                addressee = m.first
                break
    windows = cache.windows
    if len(windows) >= _CACHE_LIMIT:
        windows.clear()
    windows[msg.id] = (msg, [(msg, m), *infos[: CANDIDATES - 1]])
    # msg author's previous message, and whom it addressed
    own_prev_addr = None
    for cand, ci in infos:
        if cand.author == m_author:
            own_prev_addr = ci.first if ci.marked else None
            break
    others = m.marked  # msg starts with "name:" or "@name" or similar
    a_base = _A_BASE[culture]
    b_base = OFF_B + culture * 24
    d_base = OFF_D + culture * 16 + m_q * 8
    seen_author = False
    seen: set[str] = set()
    any_mention = bool(mentions)
    best_pos = -1
    best_score = -1e300
    for dist, (cand, ci) in zip(dists, scan, strict=True):
        author = cand.author
        if author in seen:
            latest = 0
        else:
            latest = 1
            seen.add(author)
        if author == m_author:
            same = 1
            seen_author = True
        else:
            same = 0
        if (
            dist > NEAR
            and not same
            and not cand.is_question
            and ci.name not in m_words
            and m_name not in ci.words
            and m_content.isdisjoint(ci.content)
            and not (mentions and author in mentions)
        ):
            continue  # far and unrelated: not a candidate
        a = (a_base[dist] if dist <= CANDIDATES else _far(culture, dist)) + same * 4 + latest
        if cand.is_question:
            a += 2
        name = ci.name
        if name == addressee or (mentions and author in mentions):
            how = 9
        elif name and name in m_words:
            how = 6
            any_mention = True
        elif addressee is not None or (others and not same):
            how = 3  # msg is addressed to someone else
        else:
            how = 0
        if (ci.marked and ci.first == m_name) or (cand.mentions and m_author in cand.mentions):
            how += 2
        elif m_name and m_name in ci.words:
            how += 1
        b = b_base + how * 2 + latest
        if m_content:
            overlap = len(m_content & ci.content)
            if overlap > 3:
                overlap = 3
        else:
            overlap = 0
        c = OFF_C + bisect_left(_TIME_BOUNDS, m_ts - cand.ts) * N_OVERLAP + overlap
        d = d_base + same * latest
        if ci.thanks:
            d += 4
        if own_prev_addr is not None and own_prev_addr == name:
            d += 2
        if w is None:
            assert out is not None
            out.append((n - dist, (a, b, c, d)))
        else:
            score = w[a] + w[b] + w[c] + w[d]
            if score > best_score:
                best_score = score
                best_pos = n - dist
    addr_kind = 2 if addressee is not None or any_mention else (1 if m.marked else 0)
    gap = m_ts - history[-1].ts if n else 1e9
    e = OFF_E + culture * 12 + (m_q * 3 + addr_kind) * 2 + (n == 0)
    f = OFF_F + seen_author * N_TIME + time_bucket(gap)
    g = OFF_G + m.greet * 4 + m.thanks * 2 + (n == 0)
    if w is None:
        assert out is not None
        out.insert(0, (-1, (e, f, g, PAD)))
        return -1
    if w[e] + w[f] + w[g] >= best_score:
        return -1
    return best_pos


def _window(history: Sequence[Utterance], n: int, cache: SignalCache
            ) -> list[tuple[Utterance, Info]]:
    """The last ``CANDIDATES`` messages of ``history`` with their info, newest first.

    When ``history`` is the window of the previous call plus that call's message (the usual
    case: one channel's messages in order), the list is carried over instead of rebuilt.
    """
    if not n:
        return []
    last = history[-1]
    carried = cache.windows.get(last.id)
    if carried is not None and carried[0] is last:
        window = carried[1]
        if len(window) == (n if n < CANDIDATES else CANDIDATES) and (
            len(window) < 2 or window[1][0] is history[-2]
        ):
            return window
    stop = n - CANDIDATES if n > CANDIDATES else 0
    return [(cand, info(cand, cache)) for cand in reversed(history[stop:])]


def clear_caches() -> None:
    """Forget what offline runs cached (benchmarks and tests that start afresh)."""
    OFFLINE.clear()


def _far(culture: int, dist: int) -> int:
    return OFF_A + culture * (N_A // 2) + dist_bucket(dist) * 8
