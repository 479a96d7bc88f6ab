"""Features for reply linking: what the linker knows about a message and a candidate parent.

Everything that depends on one message only (its words, its addressee, its author's name) is
computed once per message and cached by id (:func:`info`). What depends on the window (the
names in it, who addressed whom, each author's latest message) is carried from one message
of a channel to the next instead of being rebuilt (:class:`Window`). Every option (a
candidate parent, or "starts something new") is a few rows of the model's tables: the facts
are packed into conjunction groups (distance x same author x rank of the candidate among its
author's messages x question, addressing both ways, time gap x word overlap, the candidate's
own facts, ...) listed in :data:`GROUPS`, each group with its own table per kind of
message (question, opens with a name, short). The model (:mod:`bot.signals.model`) sums an
option's rows and the message's own row, and scores them with two hidden units; the live
linker does that in pure Python while it enumerates the options (:func:`best`).
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

#: beyond this distance a candidate must be related to the message (same author, a name
#: either way, a shared word, a mention) to be considered at all
NEAR = 4

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

#: kinds of message (question x opens with a name x at most three words): each kind has its
#: own candidate tables ("mtype", the first field of every candidate group)
N_MTYPE = 8
_MT = ("mtype", N_MTYPE)

#: The conjunction groups: each a table of the model, indexed by the mixed-radix number of
#: its fields (the first field most significant). A candidate option is one row of each
#: PAIR group and of CAND; the unlinked option one row of SELF; every option of a message
#: also gets the message's MSG row.
GROUPS: dict[str, tuple[tuple[str, int], ...]] = {
    # distance bucket, same author, rank among its author's messages in the window (0 =
    # latest), candidate is a question, the message's author spoke since the candidate
    "pos": (_MT, ("dist", N_DIST), ("same", 2), ("rank", 4), ("question", 2),
            ("spoke_since", 2)),
    # how the message refers to the candidate's author (0 not, 1 addressed to someone else,
    # 2 name anywhere, 3 addressed or mentioned); how the candidate refers to the message's
    # author (0, 1 name anywhere, 2 addressed); latest of its author; culture (does anyone in
    # the window address people by name); how often the two authors addressed each other in
    # the window; the message's author last addressed this author; the candidate addresses
    # someone else of the window
    "addr": (_MT, ("how", 4), ("back", 3), ("latest", 2), ("culture", 2), ("talked", 3),
             ("prev_addr", 2), ("to_other", 2)),
    # time gap, content words shared (0..3+), share of the smaller message's content words
    # (0 none, 1 some, 2 at least half), the message is a question
    "text": (_MT, ("gap", N_TIME), ("overlap", 4), ("cover", 3), ("msg_question", 2)),
    # the message is a question, the candidate thanks, the message's author last addressed
    # this author, the candidate is the message author's own latest message, culture
    "misc": (_MT, ("msg_question", 2), ("thanks", 2), ("prev_addr", 2), ("own_latest", 2),
             ("culture", 2)),
    # the candidate's own facts: question, length in words (1, 2-3, 4-7, 8-15, more), URL,
    # greeting, thanks, opens with a name or a mark ("bob:", "@bob")
    "cand": (_MT, ("question", 2), ("length", 5), ("url", 2), ("greet", 2), ("thanks", 2),
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
_INNER = {g: _size(g) // N_MTYPE for g in ("pos", "addr", "text", "misc", "cand")}
_CAND_Q = _INNER["cand"] // 2  # the candidate's question digit
#: the POS group's row base by distance (32: the stride of "dist"); farther: bucket 10
_FAR_ROW = 10 * 32
#: per message kind, the POS group's row base by distance 1..CANDIDATES
_POS_ROWS = [[_POS + t * _INNER["pos"] + dist_bucket(d) * 32 for d in range(1, 65)]
             for t in range(N_MTYPE)]
#: the rank field's part of a POS row (ranks beyond 3 share the last value)
_RANK4 = (0, 4, 8, *([12] * 64))


class Window:
    """The last ``CANDIDATES`` messages of a channel (newest first) and what is known about
    them together: the messages by author name and by the name they open with, each
    author's latest message, who addressed whom by name. Carried from one message of the
    channel to the next and updated in place (:meth:`push` is a few dictionary updates)."""

    __slots__ = ("authors", "by_addr", "by_name", "entries", "head", "own", "pushed", "seq",
                 "talk")

    def __init__(self) -> None:
        #: one :data:`Entry` per message, newest first
        self.entries: list[Entry] = []
        self.head: Utterance | None = None  # the newest message pushed
        self.pushed = 0  # messages pushed so far (an entry's distance: pushed - its number + 1)
        self.seq: dict[str, int] = {}  # author id -> messages pushed so far
        self.authors: dict[str, int] = {}  # author id -> messages in the window
        self.own: dict[str, Entry] = {}  # author id -> their latest message
        self.by_name: dict[str, list[Entry]] = {}  # author name -> their messages, oldest first
        #: first word of the messages that open with a name ("bob:") -> those, oldest first
        self.by_addr: dict[str, list[Entry]] = {}
        #: name -> {name or first word: times one addressed the other in the window}
        self.talk: dict[str, dict[str, int]] = {}

    def push(self, msg: Utterance, m: Info) -> None:
        """Add ``msg`` (and drop the oldest message when full)."""
        author = msg.author
        entries = self.entries
        seq = self.seq
        count = seq[author] = seq.get(author, 0) + 1
        authors = self.authors
        by_name = self.by_name
        if len(entries) >= CANDIDATES:
            old = entries.pop()
            oi = old[1]
            _drop_oldest(by_name, oi.name)
            if _dec(authors, old[3]):
                del self.own[old[3]]
            if oi.marked:
                _drop_oldest(self.by_addr, oi.first)
                self._talked(oi.name, oi.first, -1)
        self.pushed += 1
        entry = _entry(msg, m, count, self.pushed)
        entries.insert(0, entry)
        found = by_name.get(m.name)
        if found is None:
            by_name[m.name] = [entry]
        else:
            found.append(entry)
        authors[author] = authors.get(author, 0) + 1
        self.own[author] = entry
        if m.marked:
            found = self.by_addr.get(m.first)
            if found is None:
                self.by_addr[m.first] = [entry]
            else:
                found.append(entry)
            self._talked(m.name, m.first, 1)
        self.head = msg

    def _talked(self, name: str, to: str, step: int) -> None:
        """Count ``name`` addressing ``to`` (its first word) up or down by ``step``."""
        talk = self.talk
        for a, b in ((name, to), (to, name)):
            row = talk.get(a)
            if row is None:
                row = talk[a] = {}
            left = row[b] = row.get(b, 0) + step
            if not left:
                del row[b]
                if not row:
                    del talk[a]


def _drop_oldest(index: dict[str, list[Entry]], key: str) -> None:
    found = index[key]
    if len(found) > 1:
        del found[0]
    else:
        del index[key]


#: a window entry: (message, info, how many messages its author had posted by then -- the
#: entry's rank among its author's messages is ``seq[author]`` minus that number --, then
#: copies of what the linker reads for every candidate: author, name, question (0 or 2: its
#: part of the POS row), addressee, words, content words, time, mentions, CAND row within
#: its message kind, the thanks digit of the MISC row; last the entry's number in the window)
Entry = tuple[Utterance, Info, int, str, str, int, "str | None", frozenset[str], frozenset[str],
              float, "tuple[str, ...]", int, int, int]


def _entry(msg: Utterance, m: Info, count: int, number: int) -> Entry:
    q = 1 if msg.is_question else 0
    return (msg, m, count, msg.author, m.name, q * 2, m.addr, m.words, m.content, msg.ts,
            msg.mentions, q * _CAND_Q + m.code, m.thanks * 8, number)


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


#: a model with at most two hidden units in the form :func:`best` scores it: per table row,
#: its linear weight plus ``1j`` times its first hidden input (a complex number: two weights
#: for one lookup and one addition), and its second hidden input; then the two hidden units'
#: output weights
Packed = tuple[Sequence[complex], Sequence[float], float, float]


def best(msg: Utterance, history: Sequence[Utterance], model: Packed,
         cache: SignalCache = OFFLINE) -> int:
    """Position in ``history`` of the best option (-1: unlinked) under a model with at most
    two hidden units, scored in pure Python while the options are enumerated: an option's
    score is its rows' linear weights plus each hidden unit's output weight times the unit's
    input (its rows' and the message row's, when positive)."""
    return _scan(msg, history, cache, model, None)


def scored(msg: Utterance, history: Sequence[Utterance], model: Packed,
           cache: SignalCache = OFFLINE) -> tuple[int, list[tuple[int, float]]]:
    """:func:`best`, and every option's ``(position or -1, score)`` under the same model
    (the unlinked option first; the message row's linear part, the same for every option,
    left out), from the same pass."""
    found: list[tuple[int, float]] = []
    return _scan(msg, history, cache, model, None, found), found


def _scan(msg: Utterance, history: Sequence[Utterance], cache: SignalCache,
          model: Packed | None, out: tuple[list[int], list[int]] | None,
          found: list[tuple[int, float]] | None = None) -> int:
    """Enumerate the options of ``msg``: collect their positions and rows in ``out`` (and
    return the MSG row), or return the best position under ``model`` (see :func:`best`).

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
    known = win.by_name
    addressee = m.first if m.first in known else None
    if addressee is not None or mentions:
        culture = 1  # this message itself addresses someone
    else:
        culture = 1 if any(to in known for to in win.by_addr) else 0
    mtype = m_q * 4 + m.marked * 2 + (m.code < 32)
    prow = _POS_ROWS[mtype]  # the POS row base by distance - 1
    own = win.own.get(m_author)
    # the NEAR latest messages, then older ones related to this one: the same author, a name
    # either way, a shared word, a mention
    scan: list[Entry] = entries[:NEAR]
    dists: list[int] = list(range(1, len(scan) + 1))
    if len(entries) > NEAR:
        dist = NEAR
        for entry in entries[NEAR:]:
            dist += 1
            if (entry[3] == m_author or entry[4] in m_words or m_name in entry[7]
                    or (n_content and not m_content.isdisjoint(entry[8]))
                    or (mentions and entry[3] in mentions)):
                scan.append(entry)
                dists.append(dist)
    drows = [prow[d - 1] for d in dists]
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
                scan.append(_entry(cand, info(cand, cache), win.seq.get(cand.author, 0)
                                   - win.authors.get(cand.author, 0), 0))
                dists.append(n - pos)
                drows.append(_POS + mtype * _INNER["pos"] + _FAR_ROW)
                addressee = first
                break
    own_prev_addr = own[6] if own is not None else None
    positions = [-1]
    rows = [0, ZERO, ZERO, ZERO, ZERO]
    best_pos = -1
    best_score = -1e300
    spoke = 0
    any_mention = bool(mentions)
    misc_base = _MISC + mtype * _INNER["misc"] + m_q * 16 + culture
    text_base = _TEXT + mtype * _INNER["text"] + m_q
    addr_base = _ADDR + mtype * _INNER["addr"] + culture * 12
    cand_base = _CAND + mtype * _INNER["cand"]
    msg_row = _MSG + (culture * 2 + m_q) * _CAND_Q + m.code
    if model is not None:
        wp, wq, o1, o2 = model
        m1 = wp[msg_row].imag
        m2 = wq[msg_row]
    # "how" for a candidate the message does not name: 144 (addressed to someone else) when
    # the message is addressed (for the message's own author: only to a known name)
    how_own = 144 if addressee is not None else 0
    how_other = 144 if addressee is not None or m.marked else 0
    talk = win.talk.get(m_name)
    seq = win.seq
    rank4 = _RANK4
    for dist, drow, (_, _, count, author, name, q2, addr, words, content, ts, c_mentions, code,
                     thanks8, _) in zip(dists, drows, scan, strict=True):
        same = author == m_author
        r = seq.get(author, count) - count
        latest = r == 0
        if name == addressee or (mentions and author in mentions):
            how = 432  # 3 x the stride of "how": addressed or mentioned
        elif name and name in m_words:
            how = 288  # named anywhere
            any_mention = True
        else:
            how = how_own if same else how_other
        if addr == m_name or (c_mentions and m_author in c_mentions):
            back = 96
        elif m_name and m_name in words:
            back = 48
        else:
            back = 0
        prev_addr = own_prev_addr == name
        if talk:
            talked = talk.get(name, 0)
            if talked > 2:
                talked = 2
        else:
            talked = 0
        if n_content and not m_content.isdisjoint(content):
            overlap = len(m_content & content)
            smaller = len(content)
            if n_content < smaller:
                smaller = n_content
            cover = 4 if overlap * 2 >= smaller else 2
            if overlap > 3:
                overlap = 3
        else:
            overlap = cover = 0
        a = drow + same * 16 + rank4[r] + q2 + spoke
        b = (addr_base + how + back + latest * 24 + talked * 4 + prev_addr * 2
             + (addr is not None and addr != m_name and addr in known))
        c = text_base + bisect_left(_TIME_BOUNDS, m_ts - ts) * 24 + overlap * 6 + cover
        d = misc_base + thanks8 + prev_addr * 4 + (same and latest) * 2
        e = cand_base + code
        if model is None:
            positions.append(n - dist)
            rows += (a, b, c, d, e)
        else:
            z = wp[a] + wp[b] + wp[c] + wp[d] + wp[e]
            h = z.imag + m1
            y = wq[a] + wq[b] + wq[c] + wq[d] + wq[e] + m2
            score = z.real + (o1 * h if h > 0.0 else 0.0) + (o2 * y if y > 0.0 else 0.0)
            if found is not None:
                found.append((n - dist, score))
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
    if model is not None:
        z = wp[own_row]
        y = wq[own_row]
        score = z.real + o1 * max(z.imag + m1, 0.0) + o2 * max(y + m2, 0.0)
        if found is not None:
            found.insert(0, (-1, score))
        return -1 if score >= best_score else best_pos
    assert out is not None
    rows[0] = own_row
    out[0].extend(positions)
    out[1].extend(rows)
    return msg_row


def clear_caches() -> None:
    """Forget what offline runs cached (benchmarks and tests that start afresh)."""
    OFFLINE.clear()
