"""The week cache serves complete weeks' health until a write touches them: a late answer,
an edit, a delete or a forget gives the same figures as computing afresh."""

from __future__ import annotations

from datetime import timedelta

from bot import reports
from bot.config import CommunitySettings
from bot.engine import Engine
from bot.metrics.health import Health
from bot.period import Period
from bot.scope import Scope
from bot.store import Store
from bot.week_cache import week_cache
from tests.chat import START, Chat

SCOPE = Scope("other", "c1")
WEEKS = [Period(START - timedelta(days=7 * back, hours=10),
                START - timedelta(days=7 * (back - 1), hours=10)) for back in (1, 0)]
SETTINGS = CommunitySettings()


async def cached(store: Store) -> list[Health]:
    return [h for _, h in await reports.weekly_series(store, SCOPE, WEEKS, SETTINGS)]


async def fresh(store: Store) -> list[Health]:
    return [await reports.health(store, SCOPE, week, SETTINGS) for week in WEEKS]


async def test_writes_touching_a_cached_week_clear_it(store: Store) -> None:
    chat = Chat()
    question = chat.msg("ann", "How do I reset my password?")
    other = chat.msg("cat", "Is there a dark mode?")
    engine = Engine(store)
    await engine.ingest(chat.take())
    first = await cached(store)
    assert first == await fresh(store)
    assert first[1].questions == 2 and first[1].answered == 0
    assert len(week_cache(store).weeks) == 2

    # an answer hours later
    answer = chat.msg("bob", "Settings, then reset", reply_to=question, after=timedelta(hours=2))
    await engine.ingest(chat.take())
    after_answer = await cached(store)
    assert after_answer == await fresh(store)
    assert after_answer[1].active_members == first[1].active_members + 1  # bob
    assert after_answer[0] == first[0]  # the week before was not touched: still cached

    chat.delete(answer)
    await engine.ingest(chat.take())
    after_delete = await cached(store)
    assert after_delete == await fresh(store)

    chat.edit(other, "I found the dark mode, thanks")
    await engine.ingest(chat.take())
    after_edit = await cached(store)
    assert after_edit == await fresh(store)
    assert after_edit[1].questions == 1

    await store.forget(SCOPE, "ann", START.timestamp() + 86400 * 5)
    assert await cached(store) == await fresh(store)


async def test_same_figures_same_chart(store: Store) -> None:
    drawn: list[int] = []

    def draw() -> bytes:
        drawn.append(1)
        return b"png"

    cache = week_cache(store)
    assert await cache.chart(("a", 1), draw) == b"png"
    assert await cache.chart(("a", 1), draw) == b"png"
    assert await cache.chart(("a", 2), draw) == b"png"
    assert len(drawn) == 2
