"""The weekly post exactly once on Slack when the bot dies between claiming the week and
finishing it: the post carries message metadata; the restarted bot reads the report channel
back (``conversations.history`` with ``include_all_metadata``, real slack_sdk against the
fake) and posts only if its own marked post is absent. SQLite file and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fake_slack import BOT_USER, TEAM, FakeSlack
from slack_helpers import StartBot, stop_bot

from bot.config import CommunitySettings
from bot.scope import Scope
from bot.store import Store
from bot.weekly.post import post_marker
from bot.weekly.run import CLAIM_LEASE_S, run_week
from tests.weekly.crash import Died, die_at_post

DUE = datetime(2024, 3, 4, 9, tzinfo=UTC)  # Monday 09:00 UTC: the default report time
WEEK = "2024-02-26"  # the week it reports
REPORT = "CREPORT"


def marked_posts(fake: FakeSlack) -> list[dict[str, Any]]:
    """The bot's posts in the report channel carrying this week's marker as metadata."""
    return [m for m in fake.messages.get(REPORT, []) if m.get("user") == BOT_USER
            and (m.get("metadata") or {}).get("event_payload", {}).get("marker")
            == post_marker(WEEK)]


@pytest.mark.parametrize("before", [True, False], ids=["died-before-posting",
                                                        "died-after-posting"])
async def test_weekly_post_once_after_a_crash_between_claim_and_post(
        fake: FakeSlack, start_bot: StartBot, store: Store, before: bool) -> None:
    community = CommunitySettings(report_channel=REPORT)
    scope = Scope("slack", TEAM)
    first = await start_bot(community=community, store=store)
    die_at_post(first, before=before)
    with pytest.raises(Died):
        await run_week(first.runtime, scope, "process-a",
                       (DUE + timedelta(minutes=1)).timestamp())
    await stop_bot(first)
    assert len(marked_posts(fake)) == (0 if before else 1)
    [run] = await store.week_runs(scope, "post")
    assert (run.claimed_by, run.done_at) == ("process-a", None)

    second = await start_bot(community=community, store=store)
    start = len(fake.calls)
    later = (DUE + timedelta(minutes=2)).timestamp() + CLAIM_LEASE_S
    outcome = await run_week(second.runtime, scope, "process-b", later)

    [post] = marked_posts(fake)
    assert outcome.posted == f"{REPORT}:{post['ts']}"
    reads = [c for c in fake.calls[start:] if c.method == "conversations.history"
             and c.params.get("channel") == REPORT]
    assert reads and all(c.params.get("include_all_metadata") in ("1", "true") for c in reads)
    posted_now = [c for c in fake.calls[start:] if c.method == "chat.postMessage"
                  and c.params.get("channel") == REPORT]
    assert len(posted_now) == (1 if before else 0)
    [run] = await store.week_runs(scope, "post")
    assert (run.claimed_by, run.result, run.done_at is not None) == (
        "process-b", outcome.posted, True)
    assert (await run_week(second.runtime, scope, "process-b", later + 600)).posted is None
    assert len(marked_posts(fake)) == 1
