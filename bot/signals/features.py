"""Features for reply linking: what the linker knows about a message and a candidate parent.

Everything that depends on one message only (its words, its addressee, its author's name) is
computed once per message and cached by id (:func:`info`). What depends on the window (the
names in it, who addressed whom, each author's latest message) is carried from one message
of a channel to the next instead of being rebuilt (:class:`Window`). Every option (a
candidate parent, or "starts something new") is a few rows of the model's tables: the facts
are packed into conjunction groups (distance x same author x rank of the candidate among its
author's messages x question, addressing both ways, time gap x word overlap, the candidate's
own facts, ...) listed in :data:`GROUPS`. The model (:mod:`bot.signals.model`) sums an
option's rows and the message's own row, and scores them with one small hidden layer.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from bot.signals.message_info import (
    CACHE_LIMIT,
    OFFLINE,
    STOPWORDS,
    Info,
    SignalCache,
    info,
    norm_name,
)
from bot.signals.utterance import Utterance

# ---- feature layout -------------------------------------------------------------------------

#: candidates looked at by position (most recent first); addressed authors are found further back
CANDIDATES = 20

#: beyond this distance a candidate must be related to the message (same author, a question,
#: a name either way, a shared word) to be considered at all
NEAR = 6

_DIST_BUCKET = [0, 0, 1, 2, 3, 4, 5, 6, 6, 7, 7, 7, 8, 8, 8, 8]  # index = distance (1-based)
N_DIST = 11  # 0..8 above, 9 = 16..25, 10 = farther


def dist_bucket(distance: int) -> int:
    """Bucket of a candidate's distance in messages (1 = the message just before)."""
    if distance < len(_DIST_BUCKET):
        return _DIST_BUCKET[distance]
    return 9 if distance <= 25 else 10


def time_bucket(gap: float) -> int:
    """Bucket of a time gap in seconds: 0, <=1 min, <=2, <=5, <=10, <=30 min, more."""
    return bisect_left(_TIME_BOUNDS, gap)


N_TIME = 7
_TIME_BOUNDS = (0, 60, 120, 300, 600, 1800)

#: The conjunction groups: each a table of the model, indexed by the mixed-radix number of
#: its fields (the first field most significant). A candidate option is one row of each
#: PAIR group and of CAND; the unlinked option one row of SELF; every option of a message
#: also gets the message's MSG row.
GROUPS: dict[str, tuple[tuple[str, int], ...]] = {
    # distance bucket, same author, rank among its author's messages in the window (0 =
    # latest), candidate is a question, the message's author spoke since the candidate
    "pos": (("dist", N_DIST), ("same", 2), ("rank", 4), ("question", 2), ("spoke_since", 2)),
    # how the message refers to the candidate's author (0 not, 1 addressed to someone else,
    # 2 name anywhere, 3 addressed or mentioned); how the candidate refers to the message's
    # author (0, 1 name anywhere, 2 addressed); latest of its author; culture (does anyone in
    # the window address people by name); how often the two authors addressed each other in
    # the window; the message's author last addressed this author; the candidate addresses
    # someone else of the window
    "addr": (("how", 4), ("back", 3), ("latest", 2), ("culture", 2), ("talked", 3),
             ("prev_addr", 2), ("to_other", 2)),
    # time gap, content words shared (0..3+), share of the smaller message's content words
    # (0 none, 1 some, 2 at least half), the message is a question
    "text": (("gap", N_TIME), ("overlap", 4), ("cover", 3), ("msg_question", 2)),
    # the message is a question, the candidate thanks, the message's author last addressed
    # this author, the candidate is the message author's own latest message, culture
    "misc": (("msg_question", 2), ("thanks", 2), ("prev_addr", 2), ("own_latest", 2),
             ("culture", 2)),
    # the candidate's own facts: question, length in words (1, 2-3, 4-7, 8-15, more), URL,
    # greeting, thanks, opens with a name or a mark ("bob:", "@bob")
    "cand": (("question", 2), ("length", 5), ("url", 2), ("greet", 2), ("thanks", 2),
             ("marked", 2)),
    # the message's own facts, shared by all its options
    "msg": (("culture", 2), ("question", 2), ("length", 5), ("url", 2), ("greet", 2),
            ("thanks", 2), ("marked", 2)),
    # the unlinked option: addressing (0 none, 1 marked but unknown name, 2 a known name),
    # its author already spoke in the window, gap since the last message, empty window,
    # question, culture, greeting, thanks
    "self": (("addressing", 3), ("seen", 2), ("gap", N_TIME), ("empty", 2), ("question", 2),
             ("culture", 2), ("greet", 2), ("thanks", 2)),
}


def _size(group: str) -> int:
    n = 1
    for _, card in GROUPS[group]:
        n *= card
    return n


OFFSETS: dict[str, int] = {}
_o = 0
for _g in GROUPS:
    OFFSETS[_g] = _o
    _o += _size(_g)
#: a row that adds nothing (pads the unlinked option to PER_OPTION rows)
ZERO = _o
N_ROWS = ZERO + 1
#: table rows per option (the MSG row comes on top)
PER_OPTION = 5
del _o, _g

_POS, _ADDR, _TEXT, _MISC = OFFSETS["pos"], OFFSETS["addr"], OFFSETS["text"], OFFSETS["misc"]
_CAND, _MSG, _SELF = OFFSETS["cand"], OFFSETS["msg"], OFFSETS["self"]
_CAND_Q = _size("cand") // 2  # the candidate's question digit
#: the POS group's row base by distance (32: the stride of "dist"); farther: bucket 10
_DIST_ROW = [_POS + dist_bucket(d) * 32 for d in range(CANDIDATES + 1)]
_FAR_ROW = _POS + 10 * 32
_CAND_BASE = (_CAND, _CAND + _CAND_Q)  # by "the candidate is a question"


class Window:
    """The last ``CANDIDATES`` messages of a channel (newest first) and what is known about
    them together: author names, each author's latest message, who addressed whom by name.
    Carried from one message of the channel to the next and updated in place (:meth:`push`
    is a few dictionary updates)."""

    __slots__ = ("authors", "entries", "head", "latest", "names", "pairs", "seq")

    def __init__(self) -> None:
        #: (message, info, how many messages its author had posted by then): the rank of an
        #: entry among its author's messages is ``seq[author]`` minus that number
        self.entries: list[tuple[Utterance, Info, int]] = []
        self.head: Utterance | None = None  # the newest message pushed
        self.seq: dict[str, int] = {}  # author id -> messages pushed so far
        self.names: dict[str, int] = {}  # name -> messages in the window
        self.authors: dict[str, int] = {}  # author id -> messages in the window
        self.latest: dict[str, Info] = {}  # author id -> info of their latest message
        self.pairs: dict[tuple[str, str], int] = {}  # (name, addressed first word) -> count

    def push(self, msg: Utterance, m: Info) -> None:
        """Add ``msg`` (and drop the oldest message when full)."""
        author = msg.author
        entries = self.entries
        seq = self.seq
        count = seq[author] = seq.get(author, 0) + 1
        names = self.names
        authors = self.authors
        pairs = self.pairs
        if len(entries) >= CANDIDATES:
            old, oi, _ = entries.pop()
            _dec(names, oi.name)
            if _dec(authors, old.author):
                del self.latest[old.author]
            if oi.marked:
                _dec(pairs, (oi.name, oi.first))
        entries.insert(0, (msg, m, count))
        names[m.name] = names.get(m.name, 0) + 1
        authors[author] = authors.get(author, 0) + 1
        self.latest[author] = m
        if m.marked:
            key = (m.name, m.first)
            pairs[key] = pairs.get(key, 0) + 1
        self.head = msg


def _dec(counts: dict, key: object) -> bool:
    """Count ``key`` down; True when it is gone."""
    left = counts[key] - 1
    if left:
        counts[key] = left
        return False
    del counts[key]
    return True


def _window(history: Sequence[Utterance], cache: SignalCache) -> Window:
    """The window of the last ``CANDIDATES`` messages of ``history``.

    When ``history`` is the window of the previous call plus that call's message (the usual
    case: one channel's messages in order), the previous call's window is carried over (or
    reused as it is when the same message is scored again); otherwise it is rebuilt.
    """
    n = len(history)
    win = Window()
    if not n:
        return win
    last = history[-1]
    carried = cache.windows.get(last.id)
    if carried is not None and carried[0] is last:
        kept = carried[2]
        if kept.head is last:
            if len(kept.entries) == (n if n < CANDIDATES else CANDIDATES):
                return kept
        elif kept.head is (history[-2] if n > 1 else None) and len(kept.entries) == (
                n - 1 if n <= CANDIDATES else CANDIDATES):
            kept.push(last, carried[1])
            return kept
    for msg in history[-CANDIDATES:]:
        win.push(msg, info(msg, cache))
    return win


def carry(msg: Utterance, history: Sequence[Utterance], cache: SignalCache = OFFLINE) -> None:
    """Keep the window of a message the model does not score (an explicit reply, the first
    message of a window), so the next message of the channel carries it on instead of
    rebuilding it (see :func:`_window`). Caching only: no feature changes."""
    win = _window(history, cache)
    windows = cache.windows
    if len(windows) >= CACHE_LIMIT:
        windows.clear()
    windows[msg.id] = (msg, info(msg, cache), win)


def options(msg: Utterance, history: Sequence[Utterance], cache: SignalCache = OFFLINE
            ) -> list[tuple[int, tuple[int, ...]]]:
    """Candidate parents of ``msg`` and their table rows, unlinked option first.

    Each entry is ``(position in history or -1 for unlinked, PER_OPTION + 1 rows)``; the last
    row is the message's MSG row (the same for every option).
    """
    positions, rows, msg_row = scan(msg, history, cache)
    return [(pos, (*rows[i * PER_OPTION:(i + 1) * PER_OPTION], msg_row))
            for i, pos in enumerate(positions)]


def scan(msg: Utterance, history: Sequence[Utterance], cache: SignalCache = OFFLINE
         ) -> tuple[list[int], list[int], int]:
    """The options of ``msg``: their positions in ``history`` (-1 first: unlinked), their
    table rows (``PER_OPTION`` each, flat) and the message's MSG row."""
    positions: list[int] = []
    rows: list[int] = []
    msg_row = _scan(msg, history, cache, None, (positions, rows))
    return positions, rows, msg_row


def best(msg: Utterance, history: Sequence[Utterance], weights: Sequence[float],
         cache: SignalCache = OFFLINE) -> int:
    """Position in ``history`` of the best option of a linear model (one weight per row;
    -1: unlinked). The MSG row is the same for every option, so it is left out."""
    return _scan(msg, history, cache, weights, None)


def _scan(msg: Utterance, history: Sequence[Utterance], cache: SignalCache,
          w: Sequence[float] | None, out: tuple[list[int], list[int]] | None) -> int:
    """Enumerate the options of ``msg``: collect their positions and rows in ``out`` (and
    return the MSG row), or return the best position under the linear weights ``w``.

    One function serves training, the hidden-layer model and the linear model, so all see
    the same features. Written for speed: this runs once per chat message.
    """
    m = info(msg, cache)
    n = len(history)
    mentions = msg.mentions
    m_author = msg.author
    m_ts = msg.ts
    m_q = 1 if msg.is_question else 0
    m_name = m.name
    m_words = m.words
    m_content = m.content
    n_content = len(m_content)
    win = _window(history, cache)
    windows = cache.windows
    if len(windows) >= CACHE_LIMIT:
        windows.clear()
    windows[msg.id] = (msg, m, win)
    entries = win.entries
    known = win.names
    pairs = win.pairs
    addressee = m.first if m.first in known else None
    if addressee is not None or mentions:
        culture = 1  # this message itself addresses someone
    else:
        culture = 1 if any(to in known for _, to in pairs) else 0
    far_dist = 0
    far: tuple[Utterance, Info, int] | None = None
    if addressee is None and m.marked and n > CANDIDATES and m.first not in STOPWORDS:
        # addressed to someone who spoke before the window: look further back once
        first = m.first
        for pos in range(n - CANDIDATES - 1, -1, -1):
            cand = history[pos]
            display = cand.author_name or cand.author
            name = cache.names.get(display)
            if name is None:
                name = norm_name(display)
            if name == first:
                # its rank: all its author's messages in the window are newer
                far = (cand, info(cand, cache),
                       win.seq.get(cand.author, 0) - win.authors.get(cand.author, 0))
                far_dist = n - pos
                addressee = first
                break
    own = win.latest.get(m_author)
    own_prev_addr = own.addr if own is not None else None
    others = m.marked  # msg starts with "name:" or "@name" or similar
    dist_row = _DIST_ROW
    positions = [-1]
    rows = [0, ZERO, ZERO, ZERO, ZERO]
    best_pos = -1
    best_score = -1e300
    spoke = 0
    any_mention = bool(mentions)
    misc_base = _MISC + m_q * 16 + culture
    text_base = _TEXT + m_q
    addr_base = _ADDR + culture * 12
    cand_base = _CAND_BASE
    # beyond NEAR, only messages related to this one are candidates: the same author, a
    # question, a name either way, a shared word, a mention
    scan_list = list(enumerate(entries[:NEAR], 1))
    if len(entries) > NEAR:
        scan_list += [
            (dist, entry) for dist, entry in enumerate(entries[NEAR:], NEAR + 1)
            if entry[0].is_question
            or entry[0].author == m_author
            or entry[1].name in m_words
            or m_name in entry[1].words
            or not m_content.isdisjoint(entry[1].content)
            or (mentions and entry[0].author in mentions)
        ]
    if far is not None:
        scan_list.append((far_dist, far))
    seq = win.seq
    for dist, (cand, ci, count) in scan_list:
        author = cand.author
        r = seq.get(author, count) - count
        same = author == m_author
        name = ci.name
        q = cand.is_question
        d_row = dist_row[dist] if dist <= CANDIDATES else _FAR_ROW
        if name == addressee or (mentions and author in mentions):
            how = 432  # 3 x the stride of "how": addressed or mentioned
        elif name and name in m_words:
            how = 288  # named anywhere
            any_mention = True
        elif addressee is not None or (others and not same):
            how = 144  # msg is addressed to someone else
        else:
            how = 0
        addr = ci.addr
        if addr == m_name or (cand.mentions and m_author in cand.mentions):
            back = 96
        elif m_name and m_name in ci.words:
            back = 48
        else:
            back = 0
        prev_addr = own_prev_addr == name
        if pairs:
            talked = pairs.get((name, m_name), 0) + pairs.get((m_name, name), 0)
            if talked > 2:
                talked = 2
        else:
            talked = 0
        if n_content:
            overlap = len(m_content & ci.content)
            if overlap:
                smaller = len(ci.content)
                if n_content < smaller:
                    smaller = n_content
                cover = 4 if overlap * 2 >= smaller else 2
                if overlap > 3:
                    overlap = 3
            else:
                cover = 0
        else:
            overlap = cover = 0
        a = d_row + same * 16 + (r if r < 3 else 3) * 4 + q * 2 + spoke
        b = (addr_base + how + back + (r == 0) * 24 + talked * 4 + prev_addr * 2
             + (addr is not None and addr != m_name and addr in known))
        c = text_base + bisect_left(_TIME_BOUNDS, m_ts - cand.ts) * 24 + overlap * 6 + cover
        d = misc_base + ci.thanks * 8 + prev_addr * 4 + (same and r == 0) * 2
        e = cand_base[q] + ci.code
        if w is None:
            positions.append(n - dist)
            rows += (a, b, c, d, e)
        else:
            score = w[a] + w[b] + w[c] + w[d] + w[e]
            if score > best_score:
                best_score = score
                best_pos = n - dist
        if same:
            spoke = 1
    addr_kind = 2 if addressee is not None or any_mention else (1 if m.marked else 0)
    gap = m_ts - history[-1].ts if n else 1e9
    own_row = (_SELF + (((((((addr_kind * 2 + (m_author in win.authors)) * N_TIME
                              + bisect_left(_TIME_BOUNDS, gap)) * 2 + (n == 0)) * 2 + m_q) * 2
                          + culture) * 2 + m.greet) * 2 + m.thanks))
    if w is not None:
        return -1 if w[own_row] >= best_score else best_pos
    assert out is not None
    rows[0] = own_row
    out[0].extend(positions)
    out[1].extend(rows)
    return _MSG + (culture * 2 + m_q) * _CAND_Q + m.code


def clear_caches() -> None:
    """Forget what offline runs cached (benchmarks and tests that start afresh)."""
    OFFLINE.clear()
