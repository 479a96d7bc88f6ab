"""Channel names reach the store from Slack (catch-up's channel list, else
``conversations.info`` once per channel), so that reports show #general, not C123."""

from __future__ import annotations

import time

from fake_slack import TEAM, FakeSlack
from slack_helpers import ALICE, BOB, GENERAL, HELP, StartBot, msg, stamp
from test_slack_socket_mode import send_event

from bot.scope import Scope

UNLISTED = "CRANDOM"  # a channel the bot was added to after catch-up listed its channels


async def test_names_come_from_the_channel_list_then_from_conversations_info(
        fake: FakeSlack, start_bot: StartBot) -> None:
    now = time.time()
    fake.messages[HELP] = [msg(BOB, "Why is the mirror so slow today?", stamp(50, now),
                               channel=HELP)]
    adapter = await start_bot()
    scope = Scope("slack", TEAM)
    await adapter.runtime.engine.flush()
    assert await adapter.runtime.store.channel_names(scope) == {HELP: "help"}

    await send_event(fake, msg(ALICE, "Is the API down for anyone else?", stamp(5, now),
                               channel=GENERAL))
    await send_event(fake, msg(BOB, "Where do I find the audit log?", stamp(4, now),
                               channel=UNLISTED))
    await send_event(fake, msg(ALICE, "And the changelog?", stamp(3, now), channel=UNLISTED))
    await adapter.inbox.wait_delivered(3)
    await adapter.runtime.engine.flush()
    assert await adapter.runtime.store.channel_names(scope) == {
        HELP: "help", GENERAL: "general", UNLISTED: "random"}
    asked = [c.params.get("channel") for c in fake.calls if c.method == "conversations.info"]
    assert asked == [UNLISTED]  # listed channels are known; one lookup per new channel
