"""The dashboard's background warm-up: it fills the week cache with what the pages read,
and fills it again each round (the cache forgets everything after a quarter of an hour)."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.config import Settings
from bot.dashboard import server
from bot.store import Store
from bot.week_cache import week_cache
from tests.dashboard.community import build, utc_now


async def test_keep_warm_fills_the_week_cache_again_each_round(store: Store) -> None:
    await build(store, utc_now())
    cache = week_cache(store)
    cache.clear()
    held: list[tuple[int, int]] = []
    scopes = await store.communities()
    yesterday = int(time.time() // 86400) - 1

    async def sleep(seconds: float) -> None:
        assert seconds == server.REWARM_S
        held.append((len(cache.days), len(cache.weeks)))
        for scope in scopes:  # the default period's days, up to yesterday
            assert {(scope, kind, yesterday) for kind in ("questions", "answers", "active")
                    } <= set(cache.days)
        if len(held) == 2:
            raise asyncio.CancelledError
        cache.clear()  # as if a quarter of an hour had gone by

    with pytest.raises(asyncio.CancelledError):
        await server.keep_warm(store, Settings(), sleep=sleep)
    # both rounds: every community's 12 weeks, and the days of the default period and the
    # one before it (three kinds of facts a day)
    for days, weeks in held:
        assert weeks == 12 * len(scopes)
        assert days >= 3 * 60
    assert held[0] == held[1]
