"""End to end through Socket Mode: the real slack-bolt AsyncApp and AsyncSocketModeHandler
against the fake Slack. A scripted conversation becomes facts; commands, the "Mark as
answer" shortcut and staff checks answer through the Web API calls the fake records."""

from __future__ import annotations

import time
from typing import Any

from fake_slack import BOT_ID, BOT_USER, TEAM, Call, FakeSlack
from slack_helpers import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    DAVE,
    GENERAL,
    HELP,
    StartBot,
    command_body,
    event_body,
    msg,
    shortcut_body,
    stamp,
)

from bot import reports
from bot.period import period_from
from bot.platforms.slack_adapter import SlackAdapter
from bot.scope import Scope

SCOPE = Scope("slack", TEAM)


def block_text(blocks: list[dict[str, Any]]) -> str:
    """Every text in a message's blocks, one per line (for assertions)."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            out.append(block["text"]["text"])
        for item in block.get("fields", []) + block.get("elements", []):
            text = item.get("text")
            out.append(text["text"] if isinstance(text, dict) else str(text))
    return "\n".join(out)


async def send_event(fake: FakeSlack, event: dict[str, Any]) -> None:
    envelope = await fake.send_envelope("events_api", event_body(event))
    ack = await fake.wait_ack(envelope)
    assert ack["envelope_id"] == envelope


async def command(fake: FakeSlack, uid: str, text: str, channel: str = GENERAL,
                  key: str = "cmd") -> Call:
    """Run ``/circle <text>`` and return the ephemeral answer sent to the response_url."""
    start = len(fake.calls)
    envelope = await fake.send_envelope(
        "slash_commands", command_body(uid, text, channel, fake.response_url(key)),
        accepts_response_payload=True)
    await fake.wait_ack(envelope)
    return await fake.wait_for("response_url", lambda c: c.params["key"] == key, start=start)


async def conversation(fake: FakeSlack, adapter: SlackAdapter) -> dict[str, str]:
    """Three questions in two channels, answered in threads; reactions, thanks, noise."""
    now = time.time()
    ts = {name: stamp(minutes, now) for name, minutes in (
        ("q1", 120), ("a1", 110), ("q2", 100), ("a2", 90), ("q3", 80), ("a3", 70),
        ("thanks3", 60), ("bot", 50), ("own", 45), ("chat", 40))}
    events = [
        msg(ALICE, "How do I configure the webhook timeout for the ingest service?",
            ts["q1"], channel=GENERAL),
        msg(BOB, "Set `timeout: 30` under the webhook section of config.yaml, then restart "
            "the ingest service.", ts["a1"], thread_ts=ts["q1"], channel=GENERAL),
        {"type": "reaction_added", "user": ALICE, "reaction": "white_check_mark",
         "item": {"type": "message", "channel": GENERAL, "ts": ts["a1"]},
         "item_user": BOB, "event_ts": stamp(105, now)},
        msg(CAROL, "Does anyone know why the build fails with a missing libssl error?",
            ts["q2"], channel=HELP),
        msg(ADMIN, "You need the libssl-dev package: apt-get install libssl-dev fixes it.",
            ts["a2"], thread_ts=ts["q2"], channel=HELP),
        msg(DAVE, "Is there a way to export the dashboard as a PDF file?", ts["q3"],
            channel=GENERAL),
        msg(BOB, "Yes, use the export button at the top right of the dashboard and pick "
            "PDF.", ts["a3"], thread_ts=ts["q3"], channel=GENERAL),
        msg(DAVE, "thanks <@UBOB>, that worked!", ts["thanks3"], thread_ts=ts["q3"],
            channel=GENERAL),
        msg("UDEPLOY", "Deploy finished: is it green?", ts["bot"], channel=GENERAL,
            bot_id="BDEPLOY", subtype="bot_message"),
        msg(BOT_USER, "What a week, who needs help?", ts["own"], channel=GENERAL,
            bot_id=BOT_ID),
        msg(CAROL, "morning all", ts["chat"], channel=GENERAL),
    ]
    for event in events:
        await send_event(fake, event)
    await adapter.inbox.wait_delivered(9)  # 8 member messages and the reaction; no bot message
    await adapter.runtime.engine.flush()
    return ts


async def test_conversation_becomes_facts_and_commands_answer(fake: FakeSlack,
                                                               start_bot: StartBot) -> None:
    adapter = await start_bot()
    ts = await conversation(fake, adapter)
    assert adapter.inbox.delivered == 9
    runtime = adapter.runtime
    settings = await runtime.community_settings(SCOPE)
    span = period_from(None, None, days=7)
    health = await reports.health(runtime.store, SCOPE, span, settings)
    assert health.questions == 3
    assert health.to_json()["answered"] == 3
    assert health.to_json()["peer_answered"] == 2
    ranked = await reports.helpers(runtime.store, SCOPE, span, settings)
    bob = next(e for e in ranked if e.advocate.user == BOB)
    assert (bob.advocate.people_helped, bob.advocate.answers) == (2, 2)
    assert bob.advocate.thanked == 2  # Alice's ✅ reaction and Dave's thanks
    assert bob.name == "Bob"
    admin = next(e for e in ranked if e.advocate.user == ADMIN)
    assert admin.advocate.is_staff  # a workspace admin (users.info)
    assert fake.called("users.info")  # names and staff status come from Slack
    assert len({c.params["user"] for c in fake.called("users.info")}) == \
        len(fake.called("users.info"))  # cached: one look-up per member
    assert ts  # (ids used below)

    helpers = await command(fake, CAROL, "helpers", key="helpers")
    assert helpers.params["response_type"] == "ephemeral"
    text = block_text(helpers.params["blocks"])
    assert helpers.params["blocks"][0]["type"] == "header"
    assert "Top helpers, last 30 days" in text
    assert f"1. <@{BOB}>: score" in text and "helped 2 people" in text
    assert f"Staff (ranked apart):\n• <@{ADMIN}>" in text

    health_reply = await command(fake, CAROL, "health", key="health")
    text = block_text(health_reply.params["blocks"])
    assert "*Questions asked*\n3" in text
    assert "*Share answered by peers*\n67%" in text
    assert "2 of 3 questions" not in text  # figures come from the cog, not the adapter
    assert not fake.called("files.getUploadURLExternal")  # no chart in an ephemeral reply


async def test_public_health_posts_blocks_and_chart(fake: FakeSlack,
                                                   start_bot: StartBot) -> None:
    adapter = await start_bot()
    await conversation(fake, adapter)
    start = len(fake.calls)
    envelope = await fake.send_envelope(
        "slash_commands", command_body(DAVE, "health 7 public", GENERAL,
                                       fake.response_url("pub")))
    await fake.wait_ack(envelope)
    posted = await fake.wait_for("chat.postMessage", start=start)
    assert posted.params["channel"] == GENERAL
    text = block_text(posted.params["blocks"])
    assert "Community health, last 7 days" in text
    assert "*Questions asked*\n3" in text
    complete = await fake.wait_for("files.completeUploadExternal", start=start)
    assert complete.params["channel_id"] == GENERAL
    upload = fake.called("upload")[-1]
    assert upload.params["png"] and upload.params["size"] > 1000
    assert fake.called("files.getUploadURLExternal")
    assert not [c for c in fake.calls[start:] if c.method == "response_url"]


async def test_unknown_subcommand_and_bad_option(fake: FakeSlack, start_bot: StartBot) -> None:
    await start_bot()
    reply = await command(fake, ALICE, "frobnicate", key="unknown")
    text = block_text(reply.params["blocks"])
    assert "Unknown command `frobnicate`" in text and "/circle helpers" in text
    reply = await command(fake, ALICE, "helpers 91", key="bad")
    text = block_text(reply.params["blocks"])
    assert "must be one of 7, 30, 90" in text
    reply = await command(fake, ALICE, "helpers 30 extra words", key="extra")
    assert "did not expect" in block_text(reply.params["blocks"])


async def test_mark_as_answer_shortcut_credits_the_helper(fake: FakeSlack,
                                                         start_bot: StartBot) -> None:
    adapter = await start_bot()
    now = time.time()
    question = msg(ALICE, "Where can I find the API rate limits for the public endpoints?",
                   stamp(30, now), channel=GENERAL)
    answer = msg(DAVE, "docs.example.com/limits lists them, 100 requests a minute per key.",
                 stamp(20, now), channel=GENERAL)
    for event in (question, answer):
        await send_event(fake, event)
    await adapter.inbox.wait_delivered(2)
    await adapter.runtime.engine.flush()
    envelope = await fake.send_envelope("interactive", shortcut_body(
        "mark_answer", ALICE, GENERAL, answer, fake.response_url("mark")))
    await fake.wait_ack(envelope)
    reply = await fake.wait_for("response_url", lambda c: c.params["key"] == "mark")
    assert reply.params["response_type"] == "ephemeral"
    assert "Marked as the answer" in block_text(reply.params["blocks"])
    settings = await adapter.runtime.community_settings(SCOPE)
    ranked = await reports.helpers(adapter.runtime.store, SCOPE,
                                   period_from(None, None, days=7), settings)
    dave = next(e for e in ranked if e.advocate.user == DAVE)
    assert (dave.advocate.answers, dave.advocate.thanked) == (1, 1)


async def _not_question(fake: FakeSlack, uid: str, message: dict[str, Any], key: str
                        ) -> str:
    envelope = await fake.send_envelope("interactive", shortcut_body(
        "not_question", uid, HELP, message, fake.response_url(key)))
    await fake.wait_ack(envelope)
    reply = await fake.wait_for("response_url", lambda c: c.params["key"] == key)
    assert reply.params["response_type"] == "ephemeral"
    return block_text(reply.params["blocks"])


async def _questions(adapter: SlackAdapter) -> int:
    settings = await adapter.runtime.community_settings(SCOPE)
    health = await reports.health(adapter.runtime.store, SCOPE,
                                  period_from(None, None, days=7), settings)
    return health.questions


async def test_staff_only_shortcut_refused_to_members(fake: FakeSlack,
                                                     start_bot: StartBot) -> None:
    adapter = await start_bot()
    now = time.time()
    question = msg(CAROL, "Why does the installer hang on step three?", stamp(10, now),
                   channel=HELP)
    hello = msg(ADMIN, "Welcome everyone, ask away in this channel.", stamp(20, now),
                channel=HELP)
    await send_event(fake, hello)
    await send_event(fake, question)
    await adapter.inbox.wait_delivered(2)
    await adapter.runtime.engine.flush()

    assert "is for staff only" in await _not_question(fake, BOB, question, "bob")
    assert await _questions(adapter) == 1  # nothing changed
    assert "It no longer counts as a question" in \
        await _not_question(fake, ADMIN, question, "admin")
    assert await _questions(adapter) == 0
    assert await _questions(adapter) == 0


async def test_admin_who_never_posted_may_correct(fake: FakeSlack,
                                                 start_bot: StartBot) -> None:
    """Staff is what Slack says (users.info is_admin), not only who was seen posting."""
    adapter = await start_bot()
    question = msg(CAROL, "Why does the installer hang on step three?", stamp(10),
                   channel=HELP)
    await send_event(fake, question)
    await adapter.inbox.wait_delivered(1)
    await adapter.runtime.engine.flush()
    assert await _questions(adapter) == 1
    assert "It no longer counts as a question" in \
        await _not_question(fake, ADMIN, question, "admin")
    assert await _questions(adapter) == 0


async def test_edits_deletes_and_members(fake: FakeSlack, start_bot: StartBot) -> None:
    adapter = await start_bot()
    now = time.time()
    question = msg(ALICE, "How do I rotate the signing keys without downtime?",
                   stamp(30, now), channel=GENERAL)
    other = msg(BOB, "Which version added the audit log export?", stamp(25, now),
                channel=GENERAL)
    await send_event(fake, question)
    await send_event(fake, other)
    await send_event(fake, {"type": "message", "subtype": "message_changed",
                            "channel": GENERAL, "hidden": True, "ts": stamp(20, now),
                            "message": {**question, "text": "I rotated the keys, all good.",
                                        "edited": {"user": ALICE, "ts": stamp(20, now)}},
                            "previous_message": question, "event_ts": stamp(20, now)})
    await send_event(fake, {"type": "message", "subtype": "message_deleted",
                            "channel": GENERAL, "hidden": True, "deleted_ts": other["ts"],
                            "previous_message": other, "ts": stamp(15, now),
                            "event_ts": stamp(15, now)})
    await send_event(fake, {"type": "team_join", "user": {"id": "UNEW", "name": "newbie",
                                                          "real_name": "New Bie"},
                            "event_ts": stamp(10, now)})
    # joining a channel is not joining the community: nothing reaches the engine
    await send_event(fake, {"type": "member_joined_channel", "user": CAROL,
                            "channel": GENERAL, "team": TEAM, "event_ts": stamp(9, now)})
    await adapter.inbox.wait_delivered(5)
    await adapter.runtime.engine.flush()
    settings = await adapter.runtime.community_settings(SCOPE)
    health = await reports.health(adapter.runtime.store, SCOPE,
                                  period_from(None, None, days=7), settings)
    assert health.questions == 0  # one edited into a statement, one deleted
    assert health.new_members >= 1
