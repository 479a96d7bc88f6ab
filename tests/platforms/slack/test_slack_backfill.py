"""``/circle backfill days:N`` on Slack: history beyond catch-up read through
conversations.history and conversations.replies, rate limits waited out, progress in the
edited reply, a DM when done, and a restart resuming where the backfill stopped."""

from __future__ import annotations

import time
from typing import Any

from fake_slack import TEAM, Call, FakeSlack
from slack_helpers import ADMIN, ALICE, BOB, CAROL, GENERAL, HELP, StartBot, command_body, msg
from slack_helpers import stamp as minutes_ago
from sqlalchemy import func, select

from bot.scope import Scope
from bot.store import Store
from bot.store.schema import answers, messages

SCOPE = Scope("slack", TEAM)
DAY_MIN = 1440



async def stored(store: Store) -> tuple[int, int]:
    async with store.engine.connect() as conn:
        count = (await conn.execute(select(func.count()).select_from(messages))).scalar_one()
        credited = (await conn.execute(select(func.count()).select_from(answers))).scalar_one()
    return int(count), int(credited)


def fill(fake: FakeSlack, now: float) -> None:
    q_old = minutes_ago(21 * DAY_MIN, now)
    q_help = minutes_ago(30 * DAY_MIN, now)
    fake.messages[GENERAL] = [
        msg(ALICE, "How do I rotate the signing secret?", q_old),
        msg(BOB, "Apps → Basic information → Regenerate.", minutes_ago(21 * DAY_MIN - 5, now),
            thread_ts=q_old),
        msg(CAROL, "Is the status page down for anyone else?", minutes_ago(DAY_MIN, now)),
    ]
    fake.messages[HELP] = [
        msg(CAROL, "Can I export the audit log?", q_help),
        msg(ADMIN, "Yes, Admin → Audit → Export.", minutes_ago(30 * DAY_MIN - 3, now),
            thread_ts=q_help),
        msg(BOB, "Where are the release notes?", minutes_ago(60 * DAY_MIN, now)),  # too old
    ]


async def backfill(fake: FakeSlack, uid: str, text: str, key: str) -> Call:
    start = len(fake.calls)
    envelope = await fake.send_envelope("slash_commands", command_body(
        uid, text, GENERAL, fake.response_url(key)), accepts_response_payload=True)
    await fake.wait_ack(envelope)
    return await fake.wait_for("response_url", lambda c: c.params["key"] == key, start=start)


def blocks_text(call: Call) -> str:
    return str(call.params.get("blocks")) + str(call.params.get("text"))


async def test_backfill_reads_older_history_reports_progress_and_dms(
        fake: FakeSlack, start_bot: StartBot, sqlite_store: Store) -> None:
    fill(fake, time.time())
    await start_bot()
    assert await stored(sqlite_store) == (1, 0)  # catch-up: the last 14 days only
    refused = await backfill(fake, ALICE, "backfill 45", "member")
    assert "for staff only" in blocks_text(refused)

    fake.rate_limits["conversations.history"] = 7  # more than the client's 5 retries
    mark = len(fake.calls)
    first = await backfill(fake, ADMIN, "backfill 45", "staff")
    assert "Backfill of 45 days started" in blocks_text(first)
    dm = await fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == "D" + ADMIN,
                             start=mark, timeout=30)
    assert "Backfill of 45 days done" in blocks_text(dm)
    assert await stored(sqlite_store) == (5, 2)  # the 60-day-old question stays out
    edits = [c for c in fake.calls[mark:] if c.method == "response_url"
             and c.params["key"] == "staff" and c.params.get("replace_original")]
    assert edits and "done" in blocks_text(edits[-1])
    limited = [c for c in fake.calls[mark:] if c.method == "conversations.history"]
    assert sum(1 for c in limited if c.status == 429) == 7  # waited out, then read
    replies = {c.params["ts"] for c in fake.calls[mark:] if c.method == "conversations.replies"}
    assert len(replies) == 2
    job = await sqlite_store.backfill_job(SCOPE)
    assert job is not None and job.finished_at is not None and job.messages == 4  # new ones
    assert job.requested_by is None  # not kept once done


async def test_a_restart_resumes_the_backfill_where_it_stopped(
        fake: FakeSlack, start_bot: StartBot, sqlite_store: Store) -> None:
    now = time.time()
    fill(fake, now)
    # A backfill asked by the admin, cut short after #general was read
    await sqlite_store.start_backfill(SCOPE, 45, now - 45 * 86400, ADMIN, now - 60)
    await sqlite_store.backfill_place_done(SCOPE, GENERAL, 3)
    mark = len(fake.calls)
    await start_bot()
    dm = await fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == "D" + ADMIN,
                             start=mark, timeout=30)
    assert "Backfill of 45 days done" in blocks_text(dm)
    read: list[Any] = [c.params["channel"] for c in fake.calls[mark:]
                       if c.method == "conversations.history"]
    assert read.count(HELP) == 2 and read.count(GENERAL) == 1  # catch-up; backfill: #help
    job = await sqlite_store.backfill_job(SCOPE)
    assert job is not None and job.finished_at is not None


async def test_innercircle_backfill_reads_every_community_then_exits(
        fake: FakeSlack, sqlite_store: Store, tmp_path: Any) -> None:
    from fake_slack import APP_TOKEN, BOT_TOKEN
    from slack_helpers import SECRET

    from bot.commands.backfill import backfill_all
    from bot.config import Settings, SlackSettings

    fill(fake, time.time())
    settings = Settings(slack=SlackSettings(bot_token=BOT_TOKEN, app_token=APP_TOKEN,
                                            signing_secret=SECRET, api_url=fake.api_url))
    url = str(tmp_path / "cli.sqlite")
    lines: list[str] = []
    assert await backfill_all(settings, url, 45, lines.append) == 0
    assert lines[-1].startswith(f"slack:{TEAM}: Backfill of 45 days done")
    store = await Store.open(url)
    try:
        assert await stored(store) == (5, 2)
    finally:
        await store.close()


async def test_a_channel_slack_refuses_is_skipped_with_its_reason(
        fake: FakeSlack, start_bot: StartBot, sqlite_store: Store) -> None:
    fill(fake, time.time())
    await start_bot()
    fake.errors[("conversations.history", HELP)] = "not_in_channel"
    mark = len(fake.calls)
    await backfill(fake, ADMIN, "backfill 45", "staff")
    dm = await fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == "D" + ADMIN,
                             start=mark, timeout=30)
    assert "Backfill of 45 days done" in blocks_text(dm)
    assert f"Skipped {HELP}" in blocks_text(dm) and "/invite" in blocks_text(dm)
    assert await stored(sqlite_store) == (3, 1)  # #general's history only
