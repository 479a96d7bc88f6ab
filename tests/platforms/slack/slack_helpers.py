"""Payloads and names shared by the Slack end-to-end tests."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fake_slack import TEAM

from bot.platforms.slack_adapter import SlackAdapter

ALICE, BOB, CAROL, DAVE, ADMIN = "UALICE", "UBOB", "UCAROL", "UDAVE", "UADMIN"
GENERAL, HELP = "CGENERAL", "CHELP"
SECRET = "test-signing-secret"

StartBot = Callable[..., Awaitable[SlackAdapter]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stamp(minutes_ago: float, now: float | None = None) -> str:
    """A Slack ts ``minutes_ago`` minutes before now."""
    return f"{(now or time.time()) - minutes_ago * 60:.6f}"


def msg(uid: str, text: str, ts: str, thread_ts: str | None = None, **extra: Any
        ) -> dict[str, Any]:
    """A Slack message object as history and events carry it."""
    message: dict[str, Any] = {"type": "message", "user": uid, "text": text, "ts": ts,
                               "team": TEAM}
    if thread_ts:
        message["thread_ts"] = thread_ts
    message.update(extra)
    return message


def event_body(event: dict[str, Any]) -> dict[str, Any]:
    """An Events API ``event_callback`` body."""
    return {"token": "legacy", "team_id": TEAM, "api_app_id": "A1", "event": event,
            "type": "event_callback", "event_id": f"Ev{abs(hash(json_key(event)))}",
            "event_time": int(time.time()), "authorizations": [
                {"team_id": TEAM, "user_id": "UBOT", "is_bot": True}]}


def json_key(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True)


def command_body(uid: str, text: str, channel: str, response_url: str) -> dict[str, str]:
    return {"token": "legacy", "team_id": TEAM, "team_domain": "fake", "channel_id": channel,
            "channel_name": "general", "user_id": uid, "user_name": uid.lower(),
            "command": "/circle", "text": text, "api_app_id": "A1",
            "response_url": response_url, "trigger_id": "1.2.3"}


def shortcut_body(callback_id: str, uid: str, channel: str, message: dict[str, Any],
                  response_url: str) -> dict[str, Any]:
    return {"type": "message_action", "callback_id": callback_id, "token": "legacy",
            "action_ts": f"{time.time():.6f}", "team": {"id": TEAM, "domain": "fake"},
            "user": {"id": uid, "name": uid.lower(), "team_id": TEAM},
            "channel": {"id": channel, "name": "general"}, "message": message,
            "message_ts": message["ts"], "response_url": response_url,
            "trigger_id": "1.2.3", "api_app_id": "A1"}


def button_body(action_id: str, uid: str, channel: str, message_ts: str, response_url: str
                ) -> dict[str, Any]:
    return {"type": "block_actions", "token": "legacy", "api_app_id": "A1",
            "team": {"id": TEAM, "domain": "fake"},
            "user": {"id": uid, "name": uid.lower(), "team_id": TEAM},
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                          "is_ephemeral": False},
            "channel": {"id": channel, "name": "general"},
            "message": {"type": "message", "ts": message_ts, "bot_id": "BBOT", "text": "x"},
            "response_url": response_url, "trigger_id": "1.2.3",
            "actions": [{"action_id": action_id, "block_id": "b1", "type": "button",
                         "value": action_id, "action_ts": f"{time.time():.6f}"}]}


async def stop_bot(adapter: SlackAdapter) -> None:
    """Stop one bot (a clean shutdown: its queued events are written)."""
    await adapter.stop()
    await adapter.runtime.engine.stop()
