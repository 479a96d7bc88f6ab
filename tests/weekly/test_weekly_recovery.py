"""Exactly once when a process dies mid-week: a claim left unfinished is recovered by reading
the report channel back for the bot's own marked post (the fake platform here; Discord and
Slack against their fakes in tests/platforms)."""

from __future__ import annotations

import asyncio
import contextlib

from bot.store import Store
from bot.weekly.post import post_marker
from bot.weekly.run import CLAIM_LEASE_S, run_week
from tests.fake_platform import FakePlatform
from tests.weekly.crash import Died, die_at_post
from tests.weekly.helpers import SCOPE, make_runtime
from tests.weekly.test_weekly_post import BERLIN, POST_AT, seed

AT = POST_AT.timestamp()
WEEK = "2024-03-25"
LATER = AT + CLAIM_LEASE_S + 60  # the dead process's lease has run out; still in the grace


async def crashed(store: Store, before: bool) -> FakePlatform:
    """Process A claims the week and dies before or after posting: its platform."""
    dying = FakePlatform()
    die_at_post(dying, before=before)
    runtime = make_runtime(store, dying, **BERLIN)
    await seed(runtime)
    with contextlib.suppress(Died):
        await run_week(runtime, SCOPE, "process-a", AT)
    [run] = await store.week_runs(SCOPE, "post")
    assert (run.claimed_by, run.done_at) == ("process-a", None)
    return dying


async def test_died_before_posting_is_posted_once_on_recovery(store: Store) -> None:
    dying = await crashed(store, before=True)
    assert dying.posts == []
    again = FakePlatform()
    again.posts = dying.posts  # the same channel, seen by the restarted process
    restarted = make_runtime(store, again, **BERLIN)
    outcome = await run_week(restarted, SCOPE, "process-b", LATER)
    assert outcome.posted == "m-post-1"
    [(_, channel, reply)] = again.posts
    assert (channel, reply.marker) == ("C-report", post_marker(WEEK))
    [run] = await store.week_runs(SCOPE, "post")
    assert (run.claimed_by, run.result) == ("process-b", "m-post-1")
    assert run.done_at is not None
    # and nothing more on a further catch-up
    assert (await run_week(restarted, SCOPE, "process-b", LATER + 600)).posted is None
    assert len(again.posts) == 1


async def test_died_after_posting_is_found_not_posted_again(store: Store) -> None:
    dying = await crashed(store, before=False)
    assert len(dying.posts) == 1
    again = FakePlatform()
    again.posts = dying.posts
    restarted = make_runtime(store, again, **BERLIN)
    outcome = await run_week(restarted, SCOPE, "process-b", LATER)
    assert outcome.posted == "m-post-1"  # the post found in the channel
    assert len(again.posts) == 1
    [run] = await store.week_runs(SCOPE, "post")
    assert (run.result, run.done_at is not None) == ("m-post-1", True)


async def test_a_live_claim_is_not_taken_over(store: Store) -> None:
    await crashed(store, before=True)
    other = FakePlatform()
    runtime = make_runtime(store, other, **BERLIN)
    # within the lease the claim is process A's: it may be busy posting right now
    outcome = await run_week(runtime, SCOPE, "process-b", AT + CLAIM_LEASE_S - 1)
    assert outcome.posted is None and other.posts == []
    [run] = await store.week_runs(SCOPE, "post")
    assert (run.claimed_by, run.done_at) == ("process-a", None)


async def test_unreadable_channel_posts_nothing_until_it_can_be_read(store: Store) -> None:
    dying = await crashed(store, before=False)
    again = FakePlatform(unreadable=True)
    again.posts = dying.posts
    runtime = make_runtime(store, again, **BERLIN)
    assert (await run_week(runtime, SCOPE, "process-b", LATER)).posted is None
    assert len(again.posts) == 1  # unknown is not absent: no second post
    [run] = await store.week_runs(SCOPE, "post")
    assert (run.claimed_by, run.done_at) == ("process-b", None)
    again.unreadable = False
    # the taker's own claim goes stale in turn; the next try reads the channel and finds it
    outcome = await run_week(runtime, SCOPE, "process-c", LATER + CLAIM_LEASE_S + 60)
    assert outcome.posted == "m-post-1" and len(again.posts) == 1


async def test_one_of_many_recovering_processes_takes_over(store: Store) -> None:
    await crashed(store, before=True)
    platforms = [FakePlatform() for _ in range(4)]
    shared = platforms[0].posts
    for platform in platforms:
        platform.posts = shared
    runtimes = [make_runtime(store, p, **BERLIN) for p in platforms]
    await asyncio.gather(*(run_week(r, SCOPE, f"process-{i}", LATER)
                           for i, r in enumerate(runtimes)))
    assert len(shared) == 1
    [run] = await store.week_runs(SCOPE, "post")
    assert run.done_at is not None


async def test_claim_lease_queries(store: Store) -> None:
    assert await store.claim_week(SCOPE, WEEK, "post", "a", 1000.0)
    assert await store.renew_week(SCOPE, WEEK, "post", "a", 1500.0)
    assert not await store.renew_week(SCOPE, WEEK, "post", "b", 1500.0)  # not b's claim
    assert not await store.take_over_week(SCOPE, WEEK, "post", "b", 1600.0, 1500.0)  # fresh
    assert await store.take_over_week(SCOPE, WEEK, "post", "b", 1600.0, 1501.0)
    assert not await store.take_over_week(SCOPE, WEEK, "post", "c", 1600.0, 1501.0)
    assert not await store.renew_week(SCOPE, WEEK, "post", "a", 1700.0)  # a lost it
    await store.finish_week(SCOPE, WEEK, "post", "m1", 1700.0)
    assert not await store.take_over_week(SCOPE, WEEK, "post", "c", 9e9, 9e9)  # finished
    run = await store.week_run(SCOPE, WEEK, "post")
    assert run is not None and (run.claimed_by, run.result) == ("b", "m1")
