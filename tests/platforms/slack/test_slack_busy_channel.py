"""The issue's Slack scenario: a busy ``general`` channel played through the real slack-bolt
app (Socket Mode, the fake Slack): questions, plain answers a few minutes later, threads, and
a member who only ever chats. ``/circle helpers`` must not list the chatty member."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fake_slack import FakeSlack, user
from slack_helpers import ALICE, GENERAL, StartBot, msg
from test_slack_socket_mode import block_text, command, send_event

from bot.events import Message
from tests.busy_channel import ASKERS, CHATTERS, CHATTY, HELPERS, generate


def uid(name: str) -> str:
    return "U" + name.upper()


async def test_a_member_who_only_chats_is_not_a_helper(fake: FakeSlack,
                                                      start_bot: StartBot) -> None:
    for name in (*ASKERS, *HELPERS, *CHATTERS, CHATTY):
        fake.users[uid(name)] = user(uid(name), name.title())
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday() + 7)
    busy = generate(seed=11, weeks=1, start=monday + timedelta(hours=8))
    adapter = await start_bot()
    slack_ts: dict[str, str] = {}
    sent = 0
    for event in busy.events:
        if not isinstance(event, Message):
            continue
        ts = slack_ts[event.id] = f"{event.ts.timestamp():.6f}"
        thread = slack_ts[event.thread] if event.thread else None
        await send_event(fake, msg(uid(event.author), event.text, ts, thread_ts=thread,
                                   channel=GENERAL))
        sent += 1
    await adapter.inbox.wait_delivered(sent)
    await adapter.runtime.engine.flush()

    reply = await command(fake, ALICE, "helpers", key="helpers")
    text = block_text(reply.params["blocks"])
    assert "1. <@" in text, "the real helpers are ranked"
    assert f"<@{uid(CHATTY)}>" not in text
    assert not any(f"<@{uid(name)}>" in text for name in CHATTERS)
