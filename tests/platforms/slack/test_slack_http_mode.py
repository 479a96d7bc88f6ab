"""End to end over signed HTTP: the real slack-bolt AsyncApp served by aiohttp
(``app.web_app(path="/slack/events")``), every request checked against the signing secret."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
from fake_slack import FakeSlack
from slack_helpers import (
    ADMIN,
    ALICE,
    BOB,
    GENERAL,
    SECRET,
    StartBot,
    button_body,
    command_body,
    event_body,
    free_port,
    msg,
    stamp,
)
from slack_sdk.signature import SignatureVerifier

from bot.features import CommandContext, Reply, UsageError
from bot.platforms.slack_adapter import SlackAdapter


def signed(body: str, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(at if at is not None else time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {"x-slack-request-timestamp": timestamp, "x-slack-signature": signature}


async def post(adapter: SlackAdapter, body: str, content_type: str,
               headers: dict[str, str]) -> tuple[int, str]:
    url = f"http://127.0.0.1:{adapter.settings.http_port}/slack/events"
    async with aiohttp.ClientSession() as session, session.post(
            url, data=body.encode(), headers={"content-type": content_type, **headers}
    ) as response:
        return response.status, await response.text()


async def post_event(adapter: SlackAdapter, event: dict[str, Any], **sign: Any
                     ) -> tuple[int, str]:
    body = json.dumps(event_body(event))
    return await post(adapter, body, "application/json", signed(body, **sign))


async def start_http(start_bot: StartBot) -> SlackAdapter:
    return await start_bot(mode="http", http_port=free_port())


async def test_signed_events_and_commands(fake: FakeSlack, start_bot: StartBot) -> None:
    adapter = await start_http(start_bot)
    now = time.time()
    question = msg(ALICE, "How can I pin a dependency to an exact version?", stamp(30, now),
                   channel=GENERAL)
    answer = msg(BOB, "Write it with == in requirements.txt, for example requests==2.32.3.",
                 stamp(20, now), channel=GENERAL, thread_ts=question["ts"])
    for event in (question, answer):
        status, _ = await post_event(adapter, event)
        assert status == 200
    await adapter.inbox.wait_delivered(2)
    await adapter.runtime.engine.flush()

    body = urlencode(command_body(ALICE, "helpers 7", GENERAL, fake.response_url("http")))
    status, _ = await post(adapter, body, "application/x-www-form-urlencoded", signed(body))
    assert status == 200
    reply = await fake.wait_for("response_url", lambda c: c.params["key"] == "http")
    text = json.dumps(reply.params["blocks"])
    assert f"1. <@{BOB}>: score" in text and "helped 1 person" in text


async def test_forged_or_stale_requests_get_401(fake: FakeSlack, start_bot: StartBot) -> None:
    adapter = await start_http(start_bot)
    event = msg(ALICE, "Is this request genuine?", stamp(5), channel=GENERAL)
    status, _ = await post_event(adapter, event, secret="not-the-secret")
    assert status == 401
    status, _ = await post_event(adapter, event, at=time.time() - 600)  # five minutes is the limit
    assert status == 401
    body = urlencode(command_body(ALICE, "helpers", GENERAL, fake.response_url("forged")))
    status, _ = await post(adapter, body, "application/x-www-form-urlencoded",
                           signed(body, secret="wrong"))
    assert status == 401
    status, _ = await post(adapter, body, "application/x-www-form-urlencoded", {})
    assert status == 401
    # A genuine request afterwards is the first thing the bot ever received.
    status, _ = await post_event(adapter, msg(BOB, "hello", stamp(4), channel=GENERAL))
    assert status == 200
    await adapter.inbox.wait_delivered(1)
    assert adapter.inbox.delivered == 1
    assert not fake.called("response_url")


async def test_url_verification(start_bot: StartBot) -> None:
    adapter = await start_http(start_bot)
    body = json.dumps({"token": "legacy", "challenge": "abc123", "type": "url_verification"})
    status, text = await post(adapter, body, "application/json", signed(body))
    assert status == 200 and "abc123" in text


async def test_buttons_reach_their_cog_and_update_the_message(fake: FakeSlack,
                                                             start_bot: StartBot) -> None:
    adapter = await start_http(start_bot)
    pressed: list[tuple[str, str, bool]] = []

    async def decide(ctx: CommandContext, payload: str) -> Reply:  # a cog's button handler
        if not ctx.invoker.is_staff:
            raise UsageError("Only staff can decide on a nomination.")
        pressed.append((ctx.invoker.user, payload, ctx.invoker.is_staff))
        return Reply(title="Nomination approved", text=f"Approved {payload}.", tone="good")

    adapter.runtime.button_handlers["probe"] = decide

    async def press(action: str, uid: str, key: str) -> None:
        payload = json.dumps(button_body(action, uid, GENERAL, "1900000000.000001",
                                         fake.response_url(key)))
        body = urlencode({"payload": payload})
        status, _ = await post(adapter, body, "application/x-www-form-urlencoded",
                               signed(body))
        assert status == 200

    await press("probe:nom-42", ADMIN, "admin")  # an action id carries its payload
    update = await fake.wait_for("chat.update")
    assert update.params["channel"] == GENERAL and update.params["ts"] == "1900000000.000001"
    assert update.params["blocks"][0]["text"]["text"] == "Nomination approved"
    assert pressed == [(ADMIN, "nom-42", True)]

    await press("probe:nom-42", BOB, "bob")  # refused: said to Bob alone, message kept
    refused = await fake.wait_for("response_url", lambda c: c.params["key"] == "bob")
    assert refused.params["response_type"] == "ephemeral"
    assert refused.params["replace_original"] is False
    assert "Only staff" in json.dumps(refused.params["blocks"])
    assert len(fake.called("chat.update")) == 1

    await press("retired:7", ADMIN, "old")  # a button from an older version of the bot
    old = await fake.wait_for("response_url", lambda c: c.params["key"] == "old")
    assert "no longer in use" in json.dumps(old.params["blocks"])
