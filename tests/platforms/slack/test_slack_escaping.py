"""Member text can never ping, link under a false label or format on Slack: through the real
slack-bolt app against the fake Slack, a hostile question is shown in public lists as plain
text, leaderboards name without notifying, and only a reward shout-out mentions its member."""

from __future__ import annotations

import re
import time

from fake_slack import TEAM, FakeSlack
from slack_helpers import ALICE, BOB, CAROL, GENERAL, StartBot, command_body, msg, stamp
from test_slack_socket_mode import block_text, send_event

from bot.config import CommunitySettings
from bot.scope import Scope

SCOPE = Scope("slack", TEAM)
HOSTILE = ("<!here> can anyone help? <!channel> <!everyone> <!subteam^S123|@devs> <@UCAROL> "
           "see <https://evil.example/x|docs.example.com> for R&amp;D &lt;3 *bold* `code`")


async def public(fake: FakeSlack, text: str, key: str) -> tuple[str, str]:
    """Run ``/circle <text>`` and return the public post's blocks text and fallback text."""
    start = len(fake.calls)
    envelope = await fake.send_envelope("slash_commands", command_body(
        CAROL, text, GENERAL, fake.response_url(key)))
    await fake.wait_ack(envelope)
    posted = await fake.wait_for("chat.postMessage", start=start)
    return block_text(posted.params["blocks"]), str(posted.params["text"])


def pings(text: str) -> list[str]:
    """What in ``text`` Slack would turn into a notification or a link."""
    return re.findall(r"<(?:[!@#]|https?:)[^>]*>", text)


async def test_a_hostile_question_is_quoted_plainly_in_public_lists(
        fake: FakeSlack, start_bot: StartBot) -> None:
    adapter = await start_bot()
    now = time.time()
    await send_event(fake, msg(ALICE, HOSTILE + " how do I fix it?", stamp(30, now),
                               channel=GENERAL))
    await adapter.inbox.wait_delivered(1)
    await adapter.runtime.engine.flush()
    for blocks, fallback in [await public(fake, "unanswered public", "u")]:
        for shown in (blocks, fallback):
            assert pings(shown) == [], shown
            assert "@here can anyone help?" in shown and "@devs" in shown
            assert "docs.example.com (https://evil.example/x)" in shown
            assert "R&amp;D &amp;lt;3" not in shown and "R&amp;D &lt;3" in shown


async def test_leaderboards_name_without_notifying_and_shout_outs_notify(
        fake: FakeSlack, start_bot: StartBot) -> None:
    adapter = await start_bot(community=CommunitySettings(report_channel=GENERAL))
    now = time.time()
    question = stamp(30, now)
    await send_event(fake, msg(ALICE, "How do I rotate the API key?", question,
                               channel=GENERAL))
    await send_event(fake, msg(BOB, "Settings, then rotate.", stamp(25, now),
                               thread_ts=question, channel=GENERAL))
    await adapter.inbox.wait_delivered(2)
    await adapter.runtime.engine.flush()
    blocks, fallback = await public(fake, "helpers public", "h")
    for shown in (blocks, fallback):
        assert f"<@{BOB}>" not in shown and "@Bob" in shown, shown

    start = len(fake.calls)
    said = await adapter.grant_reward(SCOPE, BOB, "Helper")
    assert "posted a shout-out" in said
    shout = await fake.wait_for("chat.postMessage", start=start)
    assert f"<@{BOB}>" in block_text(shout.params["blocks"])
