"""What completed weeks cannot change, kept in memory: each week's health figures and the
trend chart drawn from them, per community.

A week's figures are dropped when this process writes something that may change them (see
``Store.on_change``) and after ``MAX_AGE_S`` in any case (another process, an import, may
have written). The chart is kept by the figures it shows: same figures, same picture.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from weakref import WeakKeyDictionary

from bot.metrics.health import Health
from bot.period import Period
from bot.scope import Scope
from bot.store import Store

MAX_AGE_S = 15 * 60
MAX_WEEKS = 2000  # cached week figures, all communities together (a few hundred bytes each)
MAX_CHARTS = 32  # cached PNGs (tens of kilobytes each)

WeekKey = tuple[Scope, float, float, tuple[object, ...]]


class WeekCache:
    """Health per (community, completed week, settings that shape it), oldest dropped first."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.weeks: OrderedDict[WeekKey, tuple[Health, float]] = OrderedDict()
        self.charts: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self.generation: dict[Scope, int] = {}  # invalidations so far, per community
        store.on_change(self.invalidate)

    def invalidate(self, scope: Scope, since: float) -> None:
        """Forget the weeks of ``scope`` that end after ``since``."""
        self.generation[scope] = self.generation.get(scope, 0) + 1
        for key in [k for k in self.weeks if k[0] == scope and k[2] > since]:
            del self.weeks[key]

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


_caches: WeakKeyDictionary[Store, WeekCache] = WeakKeyDictionary()


def week_cache(store: Store) -> WeekCache:
    """The cache of ``store`` (one per open store)."""
    found = _caches.get(store)
    if found is None:
        found = _caches[store] = WeekCache(store)
    return found
