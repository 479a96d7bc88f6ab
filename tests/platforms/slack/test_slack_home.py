"""Slack's App Home tab: opening it publishes the bot's status and the set-up steps; the
first catch-up's progress shows in /circle status while it runs and once it is done."""

from __future__ import annotations

import json
from typing import Any

from fake_slack import TEAM, FakeSlack
from slack_helpers import ALICE, BOB, GENERAL, StartBot, event_body, msg, stamp

from bot.catchup import CatchupReport
from bot.scope import Scope

SCOPE = Scope("slack", TEAM)


def texts(blocks: list[dict[str, Any]]) -> str:
    out = []
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            out.append(text["text"])
        for item in block.get("fields", []) + block.get("elements", []):
            inner = item.get("text")
            out.append(inner["text"] if isinstance(inner, dict) else str(inner))
    return "\n".join(out)


async def test_opening_the_home_tab_shows_status_and_set_up(fake: FakeSlack,
                                                            start_bot: StartBot) -> None:
    fake.messages[GENERAL] = [msg(ALICE, "How do I reset my password?", stamp(30))]
    await start_bot()
    envelope = await fake.send_envelope("events_api", event_body(
        {"type": "app_home_opened", "user": ALICE, "channel": "D1", "tab": "home"}))
    await fake.wait_ack(envelope)
    published = await fake.wait_for("views.publish")
    assert published.params["user_id"] == ALICE
    view = published.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    shown = texts(view["blocks"])
    assert "Slack: connected in Socket Mode" in shown
    assert "Catch-up: caught up on 2 channels and threads: 1 messages" in shown
    assert "/circle help" in shown and "innercircle check" in shown
    assert "/circle config" in shown and "/circle privacy" in shown


async def test_the_messages_tab_publishes_nothing(fake: FakeSlack, start_bot: StartBot
                                                  ) -> None:
    await start_bot()
    envelope = await fake.send_envelope("events_api", event_body(
        {"type": "app_home_opened", "user": ALICE, "channel": "D1", "tab": "messages"}))
    await fake.wait_ack(envelope)
    envelope = await fake.send_envelope("events_api", event_body(
        {"type": "app_home_opened", "user": BOB, "channel": "D2", "tab": "home"}))
    await fake.wait_ack(envelope)
    await fake.wait_for("views.publish")
    published = [c.params["user_id"] for c in fake.calls if c.method == "views.publish"]
    assert published == [BOB]


def test_catch_up_progress_reads_as_progress_until_done() -> None:
    report = CatchupReport(total=5, places=2, messages=1200)
    assert report.summary() == ("reading history: 2 of 5 channels and threads done, 1,200 "
                                "messages so far; figures fill in as it goes")
    report.done = True
    assert report.summary().startswith("caught up on 2 channels and threads")
