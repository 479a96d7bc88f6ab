"""The weekly post: its content, the scheduler firing it at the local hour, and exactly once
across restarts, downtime and two bot processes on one database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import time_machine
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

from bot.runtime import Runtime
from bot.store import Store
from bot.store.database import make_engine
from bot.weekly.run import run_week
from cogs.weekly import fire_week, sync_weekly
from tests.fake_platform import FakePlatform
from tests.weekly.helpers import SCOPE, joins, make_runtime, qa

# The week of Monday 25 March 2024 (Berlin), with the DST change on Sunday 31 March.
WEEK = datetime(2024, 3, 25, 8, tzinfo=UTC)  # Monday 09:00 CET
POST_AT = datetime(2024, 4, 1, 7, tzinfo=UTC)  # Monday 09:00 CEST
BERLIN = {"timezone": "Europe/Berlin"}


async def seed(runtime: Runtime) -> None:
    events = [*joins(WEEK - timedelta(days=60), "alice", "bob", "carol", "dave", "mod1"),
              *joins(WEEK + timedelta(hours=1), "newbie")]
    events += qa(WEEK - timedelta(days=6), "alice", "bob")  # the week before
    events += qa(WEEK + timedelta(hours=2), "alice", "bob", thanks=True)
    events += qa(WEEK + timedelta(hours=3), "carol", "bob")
    events += qa(WEEK + timedelta(hours=4), "newbie", "carol")
    events += qa(WEEK + timedelta(days=1), "dave", "mod1")
    events += qa(WEEK + timedelta(days=2), "carol", None, text="Why does the build break?")
    await runtime.engine.ingest(sorted(events, key=lambda e: e.ts))


async def test_post_content(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake, **BERLIN)
    await seed(runtime)
    outcome = await run_week(runtime, SCOPE, "p1", POST_AT.timestamp())
    assert outcome.posted == "m-post-1"
    [(scope, channel, reply)] = fake.posts
    assert (scope, channel, reply.public) == (SCOPE, "C-report", True)
    assert reply.title == "Community health: 25 – 31 Mar 2024 (Europe/Berlin)"
    fields = {f.name: f.value for f in reply.fields}
    assert fields["Questions asked"] == "5 (+4)"
    assert fields["Share answered"] == "80% (-20 pts)"
    assert fields["Share answered by peers"] == "60% (-40 pts)"
    assert fields["Newcomers who got an answer"] == "1 of 1"
    assert fields["Median first response"].startswith("5m")
    text = reply.plain_text()
    assert "<@bob> (helped 2 people)" in text and "<@carol>" in text
    shout_outs = text.split("Asked this week and still without an answer")[0]
    assert "<@mod1>" not in shout_outs  # staff get no shout-out
    assert "“Why does the build break?”" in text
    assert "https://chat.example/guild1/c1/" in text
    assert reply.chart is not None and reply.chart.startswith(b"\x89PNG")


async def test_scheduler_fires_once_at_local_hour_across_dst(store: Store,
                                                             fake: FakePlatform) -> None:
    with time_machine.travel(POST_AT - timedelta(minutes=1), tick=False) as traveller:
        runtime = make_runtime(store, fake, **BERLIN)
        await seed(runtime)
        await runtime.start_jobs()
        try:
            await sync_weekly(runtime)  # what the start-up run does; not due yet
            assert fake.posts == []
            assert runtime.scheduler.next_weekly_run(SCOPE) == POST_AT  # 09:00 CEST
            done = asyncio.Event()
            runtime.scheduler.scheduler.add_listener(
                lambda e: done.set() if e.job_id.startswith("weekly:") else None,
                EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
            traveller.move_to(POST_AT)
            runtime.scheduler.wakeup()
            # The weekly job fires now; the start-up sync run may also find the week due at
            # this moment. Whichever claims the week posts; the other must not.
            await asyncio.wait_for(fake.posted.wait(), 10)
            await asyncio.wait_for(done.wait(), 10)
            assert len(fake.posts) == 1
            # the next run is the following Monday 09:00 local; a second wake-up and a
            # catch-up now post nothing more
            assert runtime.scheduler.next_weekly_run(SCOPE) == POST_AT + timedelta(days=7)
            runtime.scheduler.wakeup()
            await sync_weekly(runtime)
            assert len(fake.posts) == 1
        finally:
            await runtime.stop_jobs()
    [run] = await store.week_runs(SCOPE, "post")
    assert (run.week_start, run.result) == ("2024-03-25", "m-post-1")


async def test_exactly_once_across_restart(store: Store) -> None:
    first = FakePlatform()
    runtime = make_runtime(store, first, **BERLIN)
    await seed(runtime)
    await run_week(runtime, SCOPE, "process-a", POST_AT.timestamp())
    assert len(first.posts) == 1
    # the bot restarts half an hour later (a new process, a new runtime)
    again = FakePlatform()
    restarted = make_runtime(store, again, **BERLIN)
    with time_machine.travel(POST_AT + timedelta(minutes=30), tick=False):
        await sync_weekly(restarted)
        await fire_week(restarted, SCOPE)
    assert again.posts == []


async def test_caught_up_once_after_downtime_within_grace(store: Store,
                                                          fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake, post_grace_hours=24, **BERLIN)
    await seed(runtime)
    with time_machine.travel(POST_AT + timedelta(hours=23), tick=False):
        await runtime.start_jobs()  # start-up: the sync job runs at once and catches up
        try:
            await asyncio.wait_for(fake.posted.wait(), 10)
            await sync_weekly(runtime)
            await sync_weekly(runtime)
        finally:
            await runtime.stop_jobs()
    assert len(fake.posts) == 1
    assert fake.posts[0][2].title == "Community health: 25 – 31 Mar 2024 (Europe/Berlin)"


async def test_not_caught_up_after_grace(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake, post_grace_hours=24, **BERLIN)
    await seed(runtime)
    with time_machine.travel(POST_AT + timedelta(hours=24, seconds=1), tick=False):
        await sync_weekly(runtime)
    assert fake.posts == []
    assert await store.week_runs(SCOPE) == []


async def test_failed_post_is_retried_within_grace(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake, **BERLIN)
    await seed(runtime)
    fake.fail_posts = True
    await run_week(runtime, SCOPE, "p1", POST_AT.timestamp())
    assert await store.week_runs(SCOPE, "post") == []  # the claim was given back
    fake.fail_posts = False
    await run_week(runtime, SCOPE, "p1", POST_AT.timestamp() + 600)
    assert len(fake.posts) == 1


async def _posted(store: Store) -> None:
    while not any(run.done_at is not None for run in await store.week_runs(SCOPE, "post")):
        await asyncio.sleep(0.02)


async def test_two_schedulers_on_one_database_post_once(store: Store) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    other_store = Store(make_engine(url), store.secret)
    platforms = [FakePlatform(), FakePlatform()]
    try:
        with time_machine.travel(POST_AT - timedelta(seconds=5), tick=False) as traveller:
            runtimes = [make_runtime(store, platforms[0], **BERLIN),
                        make_runtime(other_store, platforms[1], **BERLIN)]
            await seed(runtimes[0])
            ran: list[str] = []
            both = asyncio.Event()

            def listener(event: object) -> None:
                if getattr(event, "job_id", "").startswith("weekly:"):
                    ran.append(event.job_id)  # type: ignore[attr-defined]
                    if len(ran) == 2:
                        both.set()

            for runtime in runtimes:
                await runtime.start_jobs()
                await sync_weekly(runtime)
                runtime.scheduler.scheduler.add_listener(listener,
                                                         EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
            traveller.move_to(POST_AT)
            for runtime in runtimes:
                runtime.scheduler.wakeup()
            await asyncio.wait_for(both.wait(), 10)
            # and both catch up at once, concurrently: still nothing more
            await asyncio.gather(*(fire_week(r, SCOPE) for r in runtimes))
            # Whoever claimed the week (a weekly job, or a start-up sync run that saw the
            # week due) finishes posting before the schedulers stop.
            await asyncio.wait_for(_posted(store), 10)
    finally:
        for runtime in runtimes:
            await runtime.stop_jobs()
        await other_store.close()
    assert sum(len(p.posts) for p in platforms) == 1
    [run] = await store.week_runs(SCOPE, "post")
    assert run.done_at is not None
