"""The week cache serves complete weeks' health until a write touches them: a late answer,
an edit, a delete or a forget gives the same figures as computing afresh."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

import bot.week_cache as week_cache_module
import cogs.health as health_cog
from bot import reports
from bot.app import build_runtime
from bot.config import CommunitySettings, Settings
from bot.engine import Engine
from bot.features import Invoker
from bot.metrics.health import Health
from bot.period import Period
from bot.runtime import Runtime
from bot.scope import Scope
from bot.store import Store
from bot.week_cache import week_cache
from tests.chat import START, Chat
from tests.fake_platform import FakePlatform

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


async def test_complete_weeks_keep_their_figures_not_their_days(store: Store) -> None:
    chat = Chat(start=WEEKS[0].since + timedelta(days=1))
    question = chat.msg("ann", "How do I reset my password?")
    chat.msg("bob", "Settings, then reset", reply_to=question)
    chat.msg("cat", "Is there a dark mode?", after=timedelta(days=7))
    await Engine(store).ingest(chat.take())
    series = await cached(store)
    cache = week_cache(store)
    assert len(cache.weeks) == 2
    assert not cache.days  # asked once: the week's figures are kept, not its days
    assert [h.questions for h in series] == [1, 1] and series == await fresh(store)


async def test_question_codes_start_afresh_past_their_cap(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    chat = Chat()
    for day in range(4):
        q = chat.msg(f"asker{day}", f"How do I fix thing {day}?", after=timedelta(days=1))
        chat.msg("bob", f"Restart thing {day}", reply_to=q)
        chat.msg("cat", f"Or reinstall thing {day}", reply_to=q)
    await Engine(store).ingest(chat.take())
    first = await reported(store)
    assert first == await afresh(store)
    monkeypatch.setattr(week_cache_module, "MAX_QUESTION_CODES", 2)
    cache = week_cache(store)
    blocks = dict(cache.blocks)
    assert await reported(store) == first
    assert cache.blocks and all(cache.blocks[k] is not blocks[k] for k in cache.blocks)


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


PERIOD = Period(START - timedelta(days=1, hours=5), START + timedelta(days=4, hours=7))


async def reported(store: Store) -> tuple[Health, list[reports.NamedAdvocate]]:
    return (await reports.health(store, SCOPE, PERIOD, SETTINGS),
            await reports.helpers(store, SCOPE, PERIOD, SETTINGS))


async def afresh(store: Store) -> tuple[Health, list[reports.NamedAdvocate]]:
    """The same reports from a second store on the same database: nothing cached; and the
    same again as ``innercircle report`` makes them (one-shot: the period read at once, no
    day kept)."""
    other = await Store.open(store.engine.url.render_as_string(hide_password=False))
    try:
        kept = await reported(other)
        cache = week_cache(other)
        assert cache.days
        cache.clear()
        cache.one_shot()
        assert await reported(other) == kept
        assert not cache.days
        return kept
    finally:
        await other.close()


async def test_whole_days_are_cached_and_writes_that_touch_them_clear_them(store: Store
                                                                          ) -> None:
    chat = Chat()
    engine = Engine(store)
    q1 = chat.msg("ann", "How do I reset my password?")
    a1 = chat.msg("bob", "Settings, then reset", reply_to=q1)
    q2 = chat.msg("cat", "Is there a dark mode?")
    q3 = chat.msg("dan", "Where are the logs kept?", after=timedelta(days=1))
    chat.msg("bob", "Under /var/log", reply_to=q3)
    q4 = chat.msg("eve", "Can I export my data?", after=timedelta(days=1))
    a4 = chat.msg("ann", "Yes, from your profile", reply_to=q4)
    chat.msg("fay", "Does the API have a rate limit?", after=timedelta(days=1, hours=3))
    await engine.ingest(chat.take())
    first = await reported(store)
    assert first == await afresh(store)
    assert first[0].questions == 5 and [e.advocate.user for e in first[1]] == ["bob", "ann"]
    cache = week_cache(store)
    held = {(kind, day) for (_, kind, day) in cache.days}
    assert {kind for kind, _ in held} == {"questions", "answers", "active"}
    whole = {day for kind, day in held if kind == "active"}
    assert len(whole) == 4  # who posted: the whole days; the partial ends are read live
    for kind in ("questions", "answers"):  # facts with a time: the partial ends' days cut
        assert {day for k, day in held if k == kind} == whole | {min(whole) - 1, max(whole) + 1}
    assert {kind for (_, kind, _) in cache.blocks} == {"answers"}  # as columns too
    assert await reported(store) == first  # from the cache

    steps = [
        ("a thank-you days later for an answer of the first day",
         lambda: chat.thanks("ann", "bob", after=timedelta(days=2))),
        ("a late answer to a question of the first day",
         lambda: chat.msg("gus", "Try the theme menu", reply_to=q2)),
        ("a reaction acknowledging an answer", lambda: chat.react("eve", a4)),
        ("an edit that makes a question no question",
         lambda: chat.edit(q2, "I found the dark mode, all good")),
        ("a deleted answer", lambda: chat.delete(a1)),
        ("an answer marked by the asker", lambda: chat.mark("eve", a4, q4)),
        ("a member who joins and asks",
         lambda: (chat.join("zed"), chat.msg("zed", "How do I get started here?"))),
    ]
    for what, step in steps:
        step()
        await engine.ingest(chat.take())
        assert await reported(store) == await afresh(store), what

    # an import of an old day: messages written now with times of the cached days
    old = Chat(start=START + timedelta(hours=2))
    oq = old.msg("hal", "Old question: how do I log out?", id="old-q")
    old.msg("bob", "Top right menu", reply_to=oq, id="old-a")
    await Engine(store).ingest(old.take())
    imported = await reported(store)
    assert imported == await afresh(store)
    assert imported[0].questions == first[0].questions  # q2 stopped being one, old-q came

    await store.forget(SCOPE, "bob", START.timestamp() + 86400 * 6)
    assert await reported(store) == await afresh(store)
    assert "bob" not in {e.advocate.user for e in (await reported(store))[1]}


async def test_days_a_period_covers_in_part_are_cut_to_it(store: Store) -> None:
    since, until = PERIOD.since, PERIOD.until
    chat = Chat(start=since - timedelta(hours=2))
    early = chat.msg("ann", "How do I reset my password?")  # before the period, that day
    chat.msg("bob", "Settings, then reset", reply_to=early, after=timedelta(hours=2))
    logs = chat.msg("eve", "Where are the logs kept?", after=timedelta(hours=1))
    chat.msg("cat", "Under /var/log", reply_to=logs, after=timedelta(minutes=10))
    late = chat.msg("fay", "Can I export my data?",
                    after=until - timedelta(hours=1) - chat.now)
    chat.msg("bob", "Yes, from your profile", reply_to=late, after=timedelta(minutes=30))
    out = chat.msg("gus", "Does the API have a rate limit?", after=timedelta(minutes=60))
    chat.msg("dan", "Yes: 50 calls a minute", reply_to=out, after=timedelta(minutes=10))
    await Engine(store).ingest(chat.take())
    first = await reported(store)
    assert first[0].questions == 2  # logs and late: not early, not out
    assert sorted(e.advocate.user for e in first[1]) == ["bob", "cat"]
    assert first == await afresh(store)  # kept and cut, and read live, alike
    assert await reported(store) == first  # from the kept days


async def _runtime_after_four_weeks_of_help(store: Store) -> Runtime:
    """A runtime over 28 days, each with a question answered by a reply."""
    chat = Chat(start=START - timedelta(days=30))
    for day in range(28):
        q = chat.msg(f"asker{day % 5}", f"How do I repair thing {day}?", after=timedelta(days=1))
        chat.msg(f"helper{day % 3}", f"Run the repair of thing {day} from Settings.",
                 reply_to=q)
    runtime = build_runtime(Settings(), store, clock=lambda: START.timestamp())
    await runtime.engine.ingest(chat.take())
    return runtime


async def test_warm_up_leaves_the_first_commands_nothing_to_compute_again(
        sqlite_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = await _runtime_after_four_weeks_of_help(sqlite_store)
    await runtime.warm()
    cache = week_cache(sqlite_store)
    assert len(cache.charts) == 1 and cache.weeks
    held = {day for (_, kind, day) in cache.days if kind == "answers"}
    assert len(held) >= 28  # helpers 90's whole days

    def no_drawing(*_: object) -> bytes:
        raise AssertionError("the chart was drawn again")

    async def no_reading(*_: object) -> object:
        raise AssertionError("whole days were read again")

    monkeypatch.setattr(health_cog, "weekly_trend_png", no_drawing)
    monkeypatch.setattr(week_cache_module, "_read_days", no_reading)
    for name, args in (("health", {}), ("helpers", {"period": "90"})):
        reply = await runtime.run_command(FakePlatform(), SCOPE, Invoker("x"), name, args)
        assert reply.tone != "error", reply.plain_text()
    assert reply.lines[0].startswith("1. <@helper")


async def test_the_warm_up_runs_again_and_reads_back_what_the_cache_forgot(
        sqlite_store: Store) -> None:
    runtime = await _runtime_after_four_weeks_of_help(sqlite_store)
    cache = week_cache(sqlite_store)
    rounds: list[tuple[int, int, int]] = []

    async def sleep(seconds: float) -> None:
        rounds.append((len(cache.days), len(cache.weeks), len(cache.charts)))
        if len(rounds) == 2:
            raise asyncio.CancelledError
        cache.clear()  # as if a quarter of an hour had gone by

    with pytest.raises(asyncio.CancelledError):
        await runtime.keep_warm(every_s=1.0, sleep=sleep)
    assert rounds[0] == rounds[1] and rounds[0][0] >= 28 and rounds[0][2] == 1
