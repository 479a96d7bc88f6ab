"""Catch-up on Slack history at start: paged, rate-limited, incremental across restarts,
never counting a message twice; and what happens when Slack refuses."""

from __future__ import annotations

import time

import pytest
from fake_slack import TEAM, FakeSlack
from slack_helpers import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    GENERAL,
    HELP,
    StartBot,
    msg,
    stamp,
    stop_bot,
)
from sqlalchemy import func, select

from bot import reports
from bot.features import Reply
from bot.period import period_from
from bot.platforms.slack_adapter import SlackAdapter
from bot.platforms.slack_errors import SlackAuthError
from bot.scope import Scope
from bot.store import Store
from bot.store.schema import messages

SCOPE = Scope("slack", TEAM)


async def stored_messages(store: Store) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(messages))).scalar_one())


async def figures(adapter: SlackAdapter) -> tuple[int, int, int]:
    """(questions, answered, new members) over the last 7 days."""
    settings = await adapter.runtime.community_settings(SCOPE)
    health = await reports.health(adapter.runtime.store, SCOPE,
                                  period_from(None, None, days=7), settings)
    return health.questions, health.answered, health.new_members


async def test_catch_up_after_restart_counts_nothing_twice(fake: FakeSlack,
                                                           start_bot: StartBot,
                                                           sqlite_store: Store) -> None:
    now = time.time()
    q1, q2 = stamp(48 * 60, now), stamp(30 * 60, now)
    fake.page_size = 2  # several pages per channel: the cursors are followed
    fake.messages[GENERAL] = [
        msg(ALICE, "How do I enable verbose logging for the sync worker?", q1),
        msg(BOB, "Start it with --log-level debug, or set LOG_LEVEL=debug in the env file.",
            stamp(47 * 60, now), thread_ts=q1),
        msg(CAROL, "good morning", stamp(40 * 60, now)),
        msg(CAROL, "Can the CLI read its token from a file instead of a flag?", q2),
        msg("UDEPLOY", "Deploy finished", stamp(29 * 60, now), bot_id="BDEPLOY",
            subtype="bot_message"),
    ]
    fake.messages[HELP] = [msg(DAVE, "hi all, glad to be here", stamp(20 * 60, now))]
    fake.rate_limits["conversations.history"] = 1  # the first read gets a 429

    first = await start_bot()
    history = fake.called("conversations.history")
    assert history[0].status == 429 and history[1].status == 200  # retried after Retry-After
    assert history[0].params == history[1].params
    assert first.catchup_report is not None and first.catchup_report.places == 2
    assert not first.catchup_report.skipped
    assert await stored_messages(sqlite_store) == 5  # the bot message is not one
    assert await figures(first) == (2, 1, 0)  # initial history: nobody counts as new
    await stop_bot(first)

    # While the bot was away: an answer to Carol in a new thread, a second reply in
    # Alice's thread, a new question.
    fake.messages[GENERAL] += [
        msg(DAVE, "Yes: put it in ~/.config/tool/token and drop the flag.",
            stamp(10 * 60, now), thread_ts=q2),
        msg(BOB, "And LOG_FORMAT=json if you ship the logs somewhere.",
            stamp(9 * 60, now), thread_ts=q1),
        msg(DAVE, "Is there a dark theme for the web console?", stamp(5 * 60, now)),
    ]
    mark = len(fake.calls)
    second = await start_bot()
    assert await stored_messages(sqlite_store) == 8  # exactly the three new ones
    assert await figures(second) == (3, 2, 0)
    history = [c for c in fake.calls[mark:] if c.method == "conversations.history"
               and c.params["channel"] == GENERAL]
    assert float(history[0].params["oldest"]) > now - 14 * 86400  # incremental, not 14 days
    replies = [c for c in fake.calls[mark:] if c.method == "conversations.replies"]
    assert sorted(c.params["ts"] for c in replies) == sorted([q1, q2])
    assert next(c for c in replies if c.params["ts"] == q1).params["oldest"]  # only new ones
    await stop_bot(second)

    mark = len(fake.calls)
    third = await start_bot()  # nothing new
    assert await stored_messages(sqlite_store) == 8
    assert not [c for c in fake.calls[mark:] if c.method == "conversations.replies"]
    assert await figures(third) == (3, 2, 0)


async def test_a_channel_slack_refuses_is_skipped_with_its_reason(fake: FakeSlack,
                                                                  start_bot: StartBot,
                                                                  sqlite_store: Store
                                                                  ) -> None:
    fake.messages[GENERAL] = [msg(ALICE, "Where are the release notes kept?", stamp(60))]
    fake.messages[HELP] = [msg(BOB, "Why is the mirror so slow today?", stamp(50))]
    fake.errors[("conversations.history", HELP)] = "not_in_channel"
    adapter = await start_bot()
    report = adapter.catchup_report
    assert report is not None and report.places == 1
    assert "not a member of the channel" in report.skipped[HELP]
    assert await stored_messages(sqlite_store) == 1
    status = await adapter.describe_status(SCOPE)
    assert any(HELP in line and "/invite" in line for line in status)
    assert await sqlite_store.channel_cursors(SCOPE)  # GENERAL's cursor; HELP keeps none
    assert HELP not in await sqlite_store.channel_cursors(SCOPE)


async def test_rate_limit_beyond_retries_loses_nothing(fake: FakeSlack, start_bot: StartBot,
                                                       sqlite_store: Store) -> None:
    fake.messages[GENERAL] = [msg(ALICE, "How do I reset my API key?", stamp(60))]
    fake.channels = [GENERAL]
    fake.rate_limits["conversations.history"] = 6  # more than the 5 retries
    first = await start_bot()
    assert first.catchup_report is not None
    assert first.catchup_report.skipped[GENERAL].startswith("Slack rate-limited")
    assert await stored_messages(sqlite_store) == 0
    await stop_bot(first)
    second = await start_bot()  # the next start reads the channel again
    assert second.catchup_report is not None and not second.catchup_report.skipped
    assert await stored_messages(sqlite_store) == 1


async def test_revoked_token_stops_the_start_with_a_clear_reason(fake: FakeSlack,
                                                                 start_bot: StartBot) -> None:
    fake.token = "xoxb-a-new-token"  # the bot's token is no longer valid
    with pytest.raises(SlackAuthError, match="INNERCIRCLE_SLACK_BOT_TOKEN"):
        await start_bot()


async def test_direct_messages_and_refusals(fake: FakeSlack, start_bot: StartBot) -> None:
    adapter = await start_bot()
    reply = Reply(title="Weekly digest", text="3 questions, all answered.", chart=b"\x89PNG..")
    assert await adapter.send_dm(SCOPE, ALICE, reply)
    opened = fake.called("conversations.open")[-1]
    assert opened.params["users"] == ALICE
    posted = fake.called("chat.postMessage")[-1]
    assert posted.params["channel"] == "D" + ALICE
    assert posted.params["blocks"][0]["text"]["text"] == "Weekly digest"
    complete = await fake.wait_for("files.completeUploadExternal")
    assert complete.params["channel_id"] == "D" + ALICE  # the chart goes along in a DM

    fake.errors[("conversations.open", None)] = "cannot_dm_bot"
    assert not await adapter.send_dm(SCOPE, "UOTHERBOT", reply)
    fake.errors[("chat.postMessage", GENERAL)] = "not_in_channel"
    assert await adapter.post(SCOPE, GENERAL, reply) is None
    assert any("not a member" in line for line in await adapter.describe_status(SCOPE))
