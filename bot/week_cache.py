"""What completed days and weeks cannot change, kept in memory per community: each whole
past day's facts (questions, answers, who posted), each complete week's health figures and
the trend chart drawn from them.

A report over any period reads its whole past days from here and only the partial days at
either end from the database: a 90-day leaderboard asked twice reads two partial days the
second time, not 90 days. Missing days are read with one query per kind for each run of
consecutive days.

Everything of a community from a time on is dropped when this process writes something that
may change it (see ``Store.on_change``), and after ``MAX_AGE_S`` in any case (another
process, an import, may have written). The chart is kept by the figures it shows: same
figures, same picture.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from weakref import WeakKeyDictionary

from bot.metrics.answer_columns import AnswerColumns, Codes
from bot.metrics.health import Health
from bot.period import Period
from bot.scope import Scope
from bot.store import AnswerFact, QuestionFact, Store

MAX_AGE_S = 15 * 60
MAX_WEEKS = 2000  # cached week figures, all communities together (a few hundred bytes each)
MAX_CHARTS = 32  # cached PNGs (tens of kilobytes each)
# Facts held for whole days, all communities together (a question, an answer or a member
# active that day; 150 bytes on average): at most some 60 MB. A 90-day leaderboard and
# 12 weeks of health of a community with 1M stored messages hold about 170,000; the
# dashboard's 90-day pages with the 90 days before them (its change column) about 330,000.
MAX_FACTS = 400_000
DAY = 86400

WeekKey = tuple[Scope, float, float, tuple[object, ...]]
DayKey = tuple[Scope, str, int]  # community, kind of facts, day (since 1970-01-01 UTC)
# A day's facts: questions and answers as tuples, who posted as a frozenset.
DayFacts = tuple[Any, ...] | frozenset[str]
Part = tuple[DayKey | None, Any]  # a kept day and its facts, or facts read live (None)
# Question codes a community's answer blocks may use before the tables start afresh (a
# dict entry each, about 100 bytes; the ids are those the kept days hold anyway).
MAX_QUESTION_CODES = 300_000


class WeekCache:
    """Per community: whole past days' facts, complete weeks' health (per settings that shape
    it), charts; the least recently used dropped first."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock  # ages of what is kept
        self.today: Callable[[], float] = time.time  # the time whose day is not past yet
        self.weeks: OrderedDict[WeekKey, tuple[Health, float]] = OrderedDict()
        self.days: OrderedDict[DayKey, tuple[DayFacts, float]] = OrderedDict()
        self.facts = 0  # held in self.days
        self.charts: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self.joined: dict[Scope, tuple[dict[str, float | None], float]] = {}
        self.generation: dict[Scope, int] = {}  # invalidations so far, per community
        self.loading: dict[Scope, asyncio.Lock] = {}
        self.keep_days = True
        # Whole days' answers as columns too (made when a leaderboard first asks), coded with
        # the community's tables of members and questions.
        self.blocks: dict[DayKey, AnswerColumns] = {}
        self.codes: dict[Scope, tuple[Codes, Codes]] = {}
        store.on_change(self.invalidate)

    def one_shot(self) -> None:
        """This process makes a report or two and exits (``innercircle report``): each
        period's facts are read straight from the database, a query per kind, and no day is
        kept (splitting a month into days to keep them costs more than the read itself)."""
        self.keep_days = False

    def invalidate(self, scope: Scope, since: float) -> None:
        """Forget the days and weeks of ``scope`` that end after ``since``."""
        self.generation[scope] = self.generation.get(scope, 0) + 1
        for key in [k for k in self.weeks if k[0] == scope and k[2] > since]:
            del self.weeks[key]
        for day_key in [k for k in self.days if k[0] == scope and (k[2] + 1) * DAY > since]:
            self._drop(day_key)
        if since == float("-inf"):  # joins, leaves, forget and opt-out change join dates
            self.joined.pop(scope, None)
            self.codes.pop(scope, None)  # (every block of the community went with its day)

    def clear(self) -> None:
        """Forget everything (a benchmark measuring the reports' cold path)."""
        self.joined.clear()
        self.weeks.clear()
        self.days.clear()
        self.charts.clear()
        self.blocks.clear()
        self.codes.clear()
        self.facts = 0

    def _drop(self, key: DayKey) -> None:
        facts, _ = self.days.pop(key)
        self.facts -= len(facts)
        self.blocks.pop(key, None)

    # -- facts of a period --------------------------------------------------------------
    # ``keep``: False reads what is not kept yet straight from the database and keeps
    # nothing (a complete week's figures, computed once: its days are not asked again).
    async def questions(self, store: Store, scope: Scope, since: float, until: float,
                        keep: bool = True) -> list[QuestionFact]:
        """Live questions asked in [since, until) (``Store.question_facts``)."""
        return _joined(await self._parts(store, scope, "questions", since, until, keep))

    async def answers(self, store: Store, scope: Scope, since: float, until: float,
                      keep: bool = True) -> list[AnswerFact]:
        """Counted answers given in [since, until) (``Store.answer_facts``)."""
        return _joined(await self._parts(store, scope, "answers", since, until, keep))

    async def answer_columns(self, store: Store, scope: Scope, since: float, until: float
                             ) -> AnswerColumns:
        """``answers`` as columns: each kept day's block is made once."""
        parts = await self._parts(store, scope, "answers", since, until)
        # no await from here on: the tables and blocks cannot change under us
        members, questions = self.codes.get(scope) or (Codes(), Codes())
        if len(questions) > MAX_QUESTION_CODES:  # start afresh (blocks are made again)
            for stale in [k for k in self.blocks if k[0] == scope]:
                del self.blocks[stale]
            members, questions = Codes(), Codes()
        self.codes[scope] = (members, questions)
        blocks = []
        for day, facts in parts:
            block = None if day is None else self.blocks.get(day)
            if block is None:
                block = AnswerColumns.of(facts, members, questions)
                if day is not None:
                    self.blocks[day] = block
            blocks.append(block)
        return AnswerColumns.joined(blocks, members)

    async def active(self, store: Store, scope: Scope, since: float, until: float,
                     keep: bool = True) -> set[str]:
        """Humans who posted in [since, until) (``Store.active_users``)."""
        parts = await self._parts(store, scope, "active", since, until, keep)
        if len(parts) == 1:
            return set(parts[0][1])
        users: set[str] = set()
        for _, part in parts:
            users |= part
        return users

    async def joined_at(self, store: Store, scope: Scope) -> dict[str, float | None]:
        """When each stored member joined (``None``: not known). Only a join or leave, a
        forget or an opt-out changes these (each clears the whole community: see
        ``FactBatch.health_changed_since``); members first seen later are simply missing."""
        found = self.joined.get(scope)
        now = self.clock()
        if found is not None and now - found[1] < MAX_AGE_S:
            return found[0]
        generation = self.generation.get(scope, 0)
        joined = await store.join_dates(scope)
        if self.generation.get(scope, 0) == generation:
            self.joined[scope] = (joined, now)
        return joined

    async def _parts(self, store: Store, scope: Scope, kind: str, since: float, until: float,
                     keep: bool = True) -> list[Part]:
        """The facts of [since, until) in time order: past days from the cache (read now if
        missing), today from the database. Questions and answers of a day the period covers
        in part are that whole day's, kept, cut to the period (each has its time): the next
        period to start or end in that day finds it. Who posted has no time: the partial
        days at either end are read from the database."""
        today = math.floor(self.today() / DAY)
        timed = kind != "active"
        first = math.floor(since / DAY) if timed else math.ceil(since / DAY)
        last = min(math.ceil(until / DAY) if timed else math.floor(until / DAY), today)
        if first >= last or not self.keep_days:
            return [(None, await _read(store, scope, kind, since, until))]
        if not keep and any((scope, kind, day) not in self.days for day in range(first, last)):
            return [(None, await _read(store, scope, kind, since, until))]
        parts: list[Part] = []
        if since < first * DAY:
            parts.append((None, await _read(store, scope, kind, since, first * DAY)))
        days = await self._days(store, scope, kind, first, last)
        if timed and since > first * DAY:
            days[0] = (None, tuple(x for x in days[0][1] if x.ts >= since))
        if timed and until < last * DAY:
            days[-1] = (None, tuple(x for x in days[-1][1] if x.ts < until))
        parts.extend(days)
        if last * DAY < until:
            parts.append((None, await _read(store, scope, kind, last * DAY, until)))
        return parts

    async def _days(self, store: Store, scope: Scope, kind: str, first: int, last: int
                    ) -> list[Part]:
        lock = self.loading.setdefault(scope, asyncio.Lock())
        async with lock:  # one reader of missing days per community (warm-up and a request)
            now = self.clock()
            missing = []
            for day in range(first, last):
                found = self.days.get((scope, kind, day))
                if found is None or now - found[1] >= MAX_AGE_S:
                    missing.append(day)
            for start, end in _runs(missing):
                generation = self.generation.get(scope, 0)
                read = await _read_days(store, scope, kind, start, end)
                if self.generation.get(scope, 0) != generation:
                    # written to meanwhile: these may be stale already, not kept
                    return [(None, await _read(store, scope, kind, first * DAY, last * DAY))]
                for day in range(start, end):
                    self._keep((scope, kind, day), read.get(day, _EMPTY[kind]), now)
            out: list[Part] = []
            for day in range(first, last):
                key = (scope, kind, day)
                found = self.days.get(key)
                if found is None:  # dropped to make room for later days of this same read
                    return [(None, await _read(store, scope, kind, first * DAY, last * DAY))]
                self.days.move_to_end(key)
                out.append((key, found[0]))
            return out

    def _keep(self, key: DayKey, facts: DayFacts, made: float) -> None:
        if key in self.days:
            self._drop(key)
        self.days[key] = (facts, made)
        self.facts += len(facts)
        while self.facts > MAX_FACTS and self.days:
            self._drop(next(iter(self.days)))

    # -- weeks and charts --------------------------------------------------------------
    async def health(self, scope: Scope, week: Period, shape: tuple[object, ...],
                     compute: Callable[[], Awaitable[Health]], now: float) -> Health:
        """The week's figures, computed once while they stay valid (only complete weeks:
        ``now`` is the wall-clock time the week is compared with)."""
        if week.end > now:
            return await compute()
        key = (scope, week.start, week.end, shape)
        found = self.weeks.get(key)
        if found is not None and self.clock() - found[1] < MAX_AGE_S:
            self.weeks.move_to_end(key)
            return found[0]
        made, generation = self.clock(), self.generation.get(scope, 0)
        figures = await compute()
        if self.generation.get(scope, 0) != generation:
            return figures  # written to meanwhile: these may be stale already, not kept
        self.weeks[key] = (figures, made)
        while len(self.weeks) > MAX_WEEKS:
            self.weeks.popitem(last=False)
        return figures

    async def chart(self, figures: tuple[object, ...], draw: Callable[[], bytes]) -> bytes:
        """The chart of ``figures``, drawn off the event loop the first time."""
        found = self.charts.get(figures)
        if found is not None:
            self.charts.move_to_end(figures)
            return found
        png = await asyncio.to_thread(draw)
        self.charts[figures] = png
        while len(self.charts) > MAX_CHARTS:
            self.charts.popitem(last=False)
        return png


async def _read(store: Store, scope: Scope, kind: str, since: float, until: float) -> Any:
    """One kind of facts of [since, until), from the database."""
    if kind == "questions":
        return await store.question_facts(scope, since, until)
    if kind == "answers":
        return await store.answer_facts(scope, since, until)
    return await store.active_users(scope, since, until)

async def _read_days(store: Store, scope: Scope, kind: str, first: int, last: int
                     ) -> dict[int, DayFacts]:
    """Whole days [first, last) of one kind, in one query, split by day."""
    # Held for up to MAX_AGE_S: the same member's id is kept once, not once a row (the
    # database gives each row its own strings), which halves what a day of facts weighs.
    names: dict[str, str] = {}
    one = names.setdefault
    if kind == "active":
        by_day = await store.active_users_by_day(scope, first, last)
        return {day: frozenset(one(u, u) for u in users) for day, users in by_day.items()}
    rows = await _read(store, scope, kind, first * DAY, last * DAY)
    if kind == "answers":
        rows = [AnswerFact(q, one(h, h), one(k, k), qts, ts, staff, ack)
                for q, h, k, qts, ts, staff, ack in rows]
    else:
        rows = [QuestionFact(q, one(c, c), one(a, a), ts, peer, staff)
                for q, c, a, ts, peer, staff in rows]
    split: dict[int, list[Any]] = {}
    for row in rows:  # time order is kept within each day
        day = int(row.ts // DAY)
        found = split.get(day)
        if found is None:
            split[day] = [row]
        else:
            found.append(row)
    return {day: tuple(facts) for day, facts in split.items()}


_EMPTY: dict[str, DayFacts] = {"questions": (), "answers": (), "active": frozenset()}


def _runs(days: list[int]) -> Iterable[tuple[int, int]]:
    """Consecutive days as [start, end) ranges."""
    start = None
    for index, day in enumerate(days):
        if start is None:
            start = day
        if index + 1 == len(days) or days[index + 1] != day + 1:
            yield start, day + 1
            start = None


def _joined(parts: list[Part]) -> list[Any]:
    if len(parts) == 1:
        return list(parts[0][1])
    out: list[Any] = []
    for _, part in parts:
        out.extend(part)
    return out


_caches: WeakKeyDictionary[Store, WeekCache] = WeakKeyDictionary()


def week_cache(store: Store) -> WeekCache:
    """The cache of ``store`` (one per open store)."""
    found = _caches.get(store)
    if found is None:
        found = _caches[store] = WeekCache(store)
    return found
