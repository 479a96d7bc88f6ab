"""The weekly post exactly once on Discord when the bot dies between claiming the week and
finishing it: the restarted bot reads the report channel back (real discord.py against the
fake) for its own marked post, and posts only if it is absent. SQLite file and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fake_discord import BOT_ID, FakeDiscord

from bot.scope import Scope
from bot.store import Store
from bot.weekly.post import post_marker
from bot.weekly.run import CLAIM_LEASE_S, run_week
from tests.weekly.crash import Died, die_at_post

DUE = datetime(2024, 3, 4, 9, tzinfo=UTC)  # Monday 09:00 UTC: the default report time
WEEK = "2024-02-26"  # the week it reports


def marked_posts(fake: FakeDiscord, channel: int) -> list[dict[str, Any]]:
    """The bot's posts in ``channel`` whose embed footer carries this week's marker."""
    return [m for m in fake.messages[channel] if m["author"]["id"] == str(BOT_ID)
            and any(post_marker(WEEK) in (e.get("footer") or {}).get("text", "")
                    for e in m["embeds"])]


@pytest.mark.parametrize("before", [True, False], ids=["died-before-posting",
                                                        "died-after-posting"])
async def test_weekly_post_once_after_a_crash_between_claim_and_post(
        fake: FakeDiscord, start_bot: Any, store: Store, before: bool) -> None:
    report = fake.add_channel("community-health")
    first = await start_bot(store=store, report_channel=str(report))
    scope = Scope("discord", str(fake.guild_id))
    die_at_post(first.adapter, before=before)
    with pytest.raises(Died):
        await run_week(first.runtime, scope, "process-a", (DUE + timedelta(minutes=1))
                       .timestamp())
    await first.stop()
    assert len(marked_posts(fake, report)) == (0 if before else 1)
    [run] = await store.week_runs(scope, "post")
    assert (run.claimed_by, run.done_at) == ("process-a", None)

    second = await start_bot(store=store, report_channel=str(report))
    posts_before = len(fake.find("POST", rf"/channels/{report}/messages"))
    later = (DUE + timedelta(minutes=2)).timestamp() + CLAIM_LEASE_S
    outcome = await run_week(second.runtime, scope, "process-b", later)

    [post] = marked_posts(fake, report)
    assert outcome.posted == post["id"]
    assert fake.find("GET", rf"/channels/{report}/messages")  # the channel was read back
    posted_now = len(fake.find("POST", rf"/channels/{report}/messages")) - posts_before
    assert posted_now == (1 if before else 0)
    [run] = await store.week_runs(scope, "post")
    assert (run.claimed_by, run.result) == ("process-b", post["id"])
    assert run.done_at is not None
    # a further catch-up posts nothing
    assert (await run_week(second.runtime, scope, "process-b", later + 600)).posted is None
    assert len(marked_posts(fake, report)) == 1
