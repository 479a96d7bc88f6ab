"""JSONL v1 parsing: every event type, and clear reasons for bad input."""

from datetime import UTC, datetime

import pytest

from bot.events import EventError, Message, Reaction, parse_event


def test_message_with_all_fields() -> None:
    event = parse_event({
        "type": "message", "community": "c", "ts": "2026-11-02T10:00:00+01:00", "id": 5,
        "channel": "help", "author": "u1", "text": "how?", "author_name": "ann",
        "reply_to": "m0", "thread": "m0", "mentions": ["u2"], "author_roles": ["Mod"],
        "author_is_staff": True, "author_is_bot": False, "channel_kind": "help",
        "platform": "discord",
    })
    assert isinstance(event, Message)
    assert event.id == "5"  # ids are strings
    assert event.ts == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert event.mentions == ("u2",)
    assert event.platform == "discord"
    assert event.to_json()["ts"] == "2026-11-02T09:00:00Z"


def test_platform_defaults_to_other() -> None:
    event = parse_event({"type": "member_join", "community": "c", "ts": "2026-11-02T10:00:00Z",
                         "user": "u1"})
    assert event.platform == "other"


@pytest.mark.parametrize(("emoji", "expected"), [
    ("white_check_mark", "✅"), (":+1:", "👍"), ("+1::skin-tone-3", "👍"), ("👍🏽", "👍"),
    ("❤", "❤️"), ("heart", "❤️"), ("pray", "🙏"), ("party_parrot", "party_parrot"),
])
def test_reaction_emoji_normalised(emoji: str, expected: str) -> None:
    event = parse_event({"type": "reaction", "community": "c", "ts": "2026-11-02T10:00:00Z",
                         "channel": "g", "message": "m1", "user": "u", "emoji": emoji})
    assert isinstance(event, Reaction)
    assert event.emoji == expected


@pytest.mark.parametrize(("obj", "reason"), [
    ([], "must be a JSON object"),
    ({"type": "nope", "community": "c", "ts": "2026-11-02T10:00:00Z"}, "unknown event type"),
    ({"type": "message", "community": "c", "ts": "2026-11-02T10:00:00Z", "channel": "g",
      "author": "u", "text": "x"}, "missing field 'id'"),
    ({"type": "message", "community": "c", "ts": "2026-11-02 10:00", "id": "1",
      "channel": "g", "author": "u", "text": "x"}, "needs an offset"),
    ({"type": "message", "community": "c", "ts": "yesterday", "id": "1", "channel": "g",
      "author": "u", "text": "x"}, "not an ISO 8601"),
    ({"type": "message", "community": "c", "id": "1", "channel": "g", "author": "u",
      "text": "x"}, "missing field 'ts'"),
    ({"type": "message", "community": "c", "ts": "2026-11-02T10:00:00Z", "id": "1",
      "channel": "g", "author": "u", "text": "x", "mentions": "u2"}, "'mentions' must be"),
    ({"type": "message", "community": "c", "ts": "2026-11-02T10:00:00Z", "id": "1",
      "channel": "g", "author": "u", "text": "x", "channel_kind": "voice"}, "channel_kind"),
    ({"type": "message", "community": "c", "ts": "2026-11-02T10:00:00Z", "id": "1",
      "channel": "g", "author": "u", "text": "x", "author_is_bot": "yes"}, "true or false"),
    ({"type": "reaction", "community": "c", "ts": "2026-11-02T10:00:00Z", "channel": "g",
      "message": "m", "user": "u", "emoji": ""}, "'emoji' must not be empty"),
    ({"type": "member_join", "community": "", "ts": "2026-11-02T10:00:00Z", "user": "u"},
     "'community' must not be empty"),
])
def test_bad_events_say_why(obj: object, reason: str) -> None:
    with pytest.raises(EventError, match=reason):
        parse_event(obj)
