"""``/circle profile`` on Slack explains a member's credits: their own privately, anyone's
for a workspace admin, no excerpt for other members or in a public reply. The real
slack-bolt app over Socket Mode against the fake Slack."""

from __future__ import annotations

import time

from fake_slack import FakeSlack
from slack_helpers import ADMIN, ALICE, BOB, CAROL, GENERAL, StartBot, msg, stamp
from test_slack_socket_mode import block_text, command, send_event

QUESTION = "How do I rotate the webhook signing secret?"


async def test_profile_explains_credits_to_the_member_and_staff_only(
        fake: FakeSlack, start_bot: StartBot) -> None:
    adapter = await start_bot()
    now = time.time()
    q, a = stamp(30, now), stamp(26, now)
    await send_event(fake, msg(ALICE, QUESTION, q, channel=GENERAL))
    await send_event(fake, msg(BOB, "Settings → Webhooks → Rotate secret, then update "
                               "WEBHOOK_SECRET in your .env", a, thread_ts=q, channel=GENERAL))
    await adapter.inbox.wait_delivered(2)
    await adapter.runtime.engine.flush()  # the reaction comes minutes later
    await send_event(fake, {"type": "reaction_added", "user": ALICE,
                            "reaction": "white_check_mark",
                            "item": {"type": "message", "channel": GENERAL, "ts": a},
                            "item_user": BOB, "event_ts": stamp(25, now)})
    await adapter.inbox.wait_delivered(3)
    await adapter.runtime.engine.flush()

    own = await command(fake, BOB, "profile", key="own")
    assert own.params["response_type"] == "ephemeral"
    text = block_text(own.params["blocks"])
    assert "Credited answers (1)" in text and QUESTION in text
    assert "in the thread" in text and "confidence" in text and "acknowledged" in text
    assert f"<@{ALICE}>" in text

    staff = await command(fake, ADMIN, f"profile <@{BOB}>", key="staff")
    assert QUESTION in block_text(staff.params["blocks"])

    other = await command(fake, CAROL, f"profile <@{BOB}>", key="other")
    text = block_text(other.params["blocks"])
    assert "People helped" in text and QUESTION not in text
    assert "only the member and staff" in text
