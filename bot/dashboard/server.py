"""Serving the dashboard: on its own (``innercircle dashboard serve``) or inside the bot's
event loop (``[dashboard] enabled = true`` in ``innercircle run``); and making links."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from urllib.parse import quote

from aiohttp import web

from bot import reports
from bot.config import DashboardSettings, Settings
from bot.dashboard import access
from bot.dashboard.app import DAYS, DEFAULT_DAYS, make_app
from bot.period import period_from, weeks_back
from bot.scope import Scope
from bot.store import Store

log = logging.getLogger(__name__)

#: The periods the warm-up reads ahead: the default one and the selector's longest.
WARM_DAYS = (DEFAULT_DAYS, max(int(days) for days in DAYS))


async def start(store: Store, settings: Settings, host: str | None = None,
                port: int | None = None) -> web.AppRunner:
    """Listen on ``host:port`` (default: ``[dashboard]``); stop with ``runner.cleanup()``.
    What the pages read is kept warm in the background (``keep_warm``), so that the week
    cache already holds it when a page is opened, the first after start included."""
    app = await make_app(store, settings)
    app.on_startup.append(lambda app: _begin_warming(app, store, settings))
    app.on_cleanup.append(_stop_warming)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.dashboard.host if host is None else host,
                       settings.dashboard.port if port is None else port)
    await site.start()
    return runner


WARMING: web.AppKey[asyncio.Task[None]] = web.AppKey("warming", asyncio.Task)


#: How often the background warm-up runs again. The week cache forgets what it holds after
#: ``bot.week_cache.MAX_AGE_S`` (15 minutes): run again, the warm-up reads it anew (about
#: what the first warm-up costs), so that a page opened after a quiet while does not.
REWARM_S = 60.0


async def _begin_warming(app: web.Application, store: Store, settings: Settings) -> None:
    app[WARMING] = asyncio.create_task(keep_warm(store, settings), name="dashboard-warm")


async def keep_warm(store: Store, settings: Settings, every_s: float = REWARM_S,
                    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                    clock: Callable[[], float] = time.time) -> None:
    """``warm`` now, then again every ``every_s`` seconds until cancelled (what is still
    kept costs next to nothing to ask for again)."""
    while True:
        await warm(store, settings, now=clock())
        await sleep(every_s)


async def _stop_warming(app: web.Application) -> None:
    task = app.get(WARMING)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def warm(store: Store, settings: Settings, weeks: int = 12, now: float | None = None
               ) -> None:
    """Compute every community's weekly trend once (the overview's slowest part), and the
    health of the default period and of the longest one offered, each with the one before
    it: complete weeks, and the whole past days the pages read (up to yesterday), then come
    from the week cache."""
    try:
        for scope in await store.communities():
            community = settings.community.with_overrides(await store.settings_overrides(scope))
            when = datetime.fromtimestamp(time.time() if now is None else now, UTC)
            span = weeks_back(when, community.timezone, weeks)
            await reports.weekly_series(store, scope, span, community)
            for days in WARM_DAYS:
                period = period_from(None, None, days=days, now=when)
                for shown in (period, period.previous()):
                    await reports.health(store, scope, shown, community)
    except Exception as error:  # a cold cache is slower, never broken
        log.warning("dashboard: warming the weekly trends failed: %s", error)


def link(key: bytes, settings: DashboardSettings, scope: Scope, ttl_s: float | None = None,
         now: float | None = None, base: str | None = None) -> str:
    """A signed link to ``scope``'s overview that works for ``ttl_s`` seconds."""
    now = time.time() if now is None else now
    ttl_s = settings.link_ttl_minutes * 60 if ttl_s is None else ttl_s
    token = access.sign(key, "link", scope, now + ttl_s)
    root = (base or settings.base_url()).rstrip("/")
    return (f"{root}/c/{quote(scope.platform, safe='')}/{quote(scope.community, safe='')}/"
            f"?key={token}")
