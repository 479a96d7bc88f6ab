"""The Slack adapter's pure parts: payload conversion, Block Kit rendering, catch-up planning,
and the app manifest."""

from __future__ import annotations

import re
from pathlib import Path

from bot.app import build_runtime
from bot.catchup import Place, plan
from bot.config import Settings
from bot.events import (
    MemberJoin,
    MemberLeave,
    Message,
    MessageDelete,
    MessageEdit,
    Reaction,
    ReactionRemove,
)
from bot.features import Button, Field, Reply
from bot.platforms.slack_escape import own as escape
from bot.platforms.slack_events import (
    Author,
    author_from_user,
    member_event,
    mentions_in,
    message_event,
    reaction_event,
    team_of,
)
from bot.platforms.slack_history import history_oldest, threads_to_read
from bot.platforms.slack_render import message_link, reply_blocks
from bot.store import Store

T = "T1"
MANIFEST = Path(__file__).resolve().parents[3] / "slack" / "manifest.yaml"


def test_a_plain_message() -> None:
    event = {"type": "message", "channel": "C1", "user": "U1", "ts": "1700000000.000100",
             "text": "Hi <@U2> and <@W3|carl>, how do I do this?"}
    found = message_event(T, event, Author("Ann", is_staff=True))
    assert isinstance(found, Message)
    assert (found.id, found.channel, found.author, found.thread) == \
        ("C1:1700000000.000100", "C1", "U1", None)
    assert found.mentions == ("U2", "W3")
    assert (found.author_name, found.author_is_staff, found.platform, found.community) == \
        ("Ann", True, "slack", T)
    assert found.ts.timestamp() == 1700000000.0001


def test_threads_use_the_root_id() -> None:
    reply = message_event(T, {"channel": "C1", "user": "U1", "ts": "2.0", "thread_ts": "1.0",
                              "text": "yes"})
    root = message_event(T, {"channel": "C1", "user": "U1", "ts": "1.0", "thread_ts": "1.0",
                             "text": "q?"})
    assert isinstance(reply, Message) and reply.thread == "C1:1.0"
    assert isinstance(root, Message) and root.thread == root.id == "C1:1.0"


def test_bots_joins_and_the_bot_itself_are_not_messages() -> None:
    base = {"channel": "C1", "ts": "1.0", "text": "x"}
    assert message_event(T, {**base, "subtype": "bot_message", "bot_id": "B1"}) is None
    assert message_event(T, {**base, "user": "U9", "bot_id": "B1"}) is None
    assert message_event(T, {**base, "user": "UBOT"}, bot_user="UBOT") is None
    assert message_event(T, {**base, "user": "U1", "subtype": "channel_join"}) is None
    assert message_event(T, {**base, "user": "U1", "subtype": "thread_broadcast"}) is not None
    assert message_event(T, {"channel": "C1", "ts": "1.0"}) is None  # no author


def test_edits_and_deletes() -> None:
    old = {"user": "U1", "ts": "1.0", "text": "how?"}
    edit = message_event(T, {"channel": "C1", "subtype": "message_changed", "event_ts": "5.0",
                             "message": {**old, "text": "solved it"}, "previous_message": old})
    assert isinstance(edit, MessageEdit)
    assert (edit.id, edit.text, edit.ts.timestamp()) == ("C1:1.0", "solved it", 5.0)
    unfurl = message_event(T, {"channel": "C1", "subtype": "message_changed",
                               "message": {**old, "attachments": [{}]}, "previous_message": old})
    assert unfurl is None
    gone = message_event(T, {"channel": "C1", "subtype": "message_deleted", "deleted_ts": "1.0",
                             "event_ts": "6.0"})
    assert isinstance(gone, MessageDelete) and gone.id == "C1:1.0"


def test_reactions() -> None:
    event = {"user": "U1", "reaction": "+1::skin-tone-3", "event_ts": "3.0",
             "item": {"type": "message", "channel": "C1", "ts": "2.0"}}
    added = reaction_event(T, event, removed=False)
    assert isinstance(added, Reaction) and not isinstance(added, ReactionRemove)
    assert (added.message, added.emoji, added.user) == ("C1:2.0", "👍", "U1")
    assert isinstance(reaction_event(T, event, removed=True), ReactionRemove)
    assert reaction_event(T, {**event, "item": {"type": "file", "file": "F1"}},
                          removed=False) is None


def test_members() -> None:
    join = member_event(T, {"type": "team_join", "event_ts": "1.0",
                            "user": {"id": "U5", "name": "e", "real_name": "Eve"}})
    assert isinstance(join, MemberJoin) and (join.user, join.user_name) == ("U5", "Eve")
    for channel_only in ("member_left_channel", "member_joined_channel"):
        assert member_event(T, {"type": channel_only, "user": "U5", "channel": "C1",
                                "event_ts": "2.0"}, name="Eve") is None
    gone = member_event(T, {"type": "user_change", "event_ts": "3.0",
                            "user": {"id": "U5", "deleted": True}})
    assert isinstance(gone, MemberLeave)
    assert member_event(T, {"type": "user_change", "user": {"id": "U5"}}) is None
    assert member_event(T, {"type": "team_join", "user": {"id": "B", "is_bot": True}}) is None


def test_authors_and_teams() -> None:
    assert author_from_user({"is_admin": True, "name": "a"}) == Author("a", True, False)
    assert author_from_user({"is_owner": True, "profile": {"display_name": "Boss"}}).is_staff
    assert not author_from_user({"name": "m"}).is_staff
    assert team_of({"team_id": "T9"}) == "T9"
    assert team_of({"team": {"id": "T8"}}) == "T8"
    assert team_of({"user": {"id": "U", "team_id": "T7"}}) == "T7"
    assert mentions_in("<@U1> <@U1|x> <#C1>") == ("U1",)


def test_blocks() -> None:
    reply = Reply(title="Top helpers", text="Ranked <by> breadth & more, see <@U1>",
                  fields=[Field(f"f{i}", str(i)) for i in range(12)]
                  + [Field("Watching", "all", inline=False)],
                  lines=["1. <@U1>: score 3.0", "2. <https://x.example/a|link>"],
                  footer="7 days", buttons=[Button("nominate:approve:U1", "Approve", "primary"),
                                            Button("nominate:decline:U1", "Decline")])
    blocks = reply_blocks(reply)
    kinds = [b["type"] for b in blocks]
    assert kinds == ["header", "section", "section", "section", "section", "section",
                     "context", "actions"]
    assert blocks[1]["text"]["text"] == "Ranked &lt;by&gt; breadth &amp; more, see <@U1>"
    assert len(blocks[2]["fields"]) == 10 and len(blocks[3]["fields"]) == 2
    assert blocks[2]["fields"][0]["text"] == "*f0*\n0"
    assert "<https://x.example/a|link>" in blocks[5]["text"]["text"]
    buttons = blocks[-1]["elements"]
    assert [b["action_id"] for b in buttons] == ["nominate:approve:U1", "nominate:decline:U1"]
    assert buttons[0]["style"] == "primary" and "style" not in buttons[1]


def test_blocks_stay_within_slack_limits() -> None:
    reply = Reply(title="x" * 300, lines=[f"line {i} " + "y" * 200 for i in range(2000)],
                  buttons=[Button(f"b:{i}", "B") for i in range(30)])
    blocks = reply_blocks(reply)
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) <= 150
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert [len(b["elements"]) for b in blocks if b["type"] == "actions"] == [25, 5]
    assert escape("a <b> <!here> <#C1|gen>") == "a &lt;b&gt; <!here> <#C1|gen>"


def test_message_links() -> None:
    assert message_link("C1", "1700000000.000100") == \
        "https://slack.com/archives/C1/p1700000000000100"


def test_catch_up_planning() -> None:
    day = 86400

    def oldest(cursor: float | None) -> float:
        cursors = {} if cursor is None else {"C1": (cursor, None)}
        return history_oldest(plan(Place("C1", "C1"), cursors, 86 * day), 3 * day)

    assert oldest(None) == 86 * day
    assert oldest(99 * day) == 96 * day
    assert oldest(50 * day) == 86 * day
    roots = [{"ts": "10.0", "reply_count": 2, "latest_reply": "30.0"},
             {"ts": "11.0", "reply_count": 1, "latest_reply": "12.0"},
             {"ts": "12.0", "reply_count": 1, "latest_reply": "13.0"},
             {"ts": "13.0"}]
    cursors = {"C1/C1:10.0": (20.0, "C1:20.0"), "C1/C1:11.0": (12.0, "C1:12.0")}
    assert threads_to_read("C1", roots, cursors) == [("10.0", 20.0), ("12.0", None)]


async def test_manifest_declares_what_the_adapter_uses(sqlite_store: Store) -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    assert re.search(r"- command: /circle\n(\s+\w+: .*\n)*\s+should_escape: true", text)
    runtime = build_runtime(Settings(), sqlite_store)
    for callback_id, action in runtime.actions.items():
        assert re.search(rf"- name: {re.escape(action.name)}\n\s+type: message\n"
                         rf"\s+callback_id: {callback_id}\n", text), callback_id
    for scope in ("channels:history", "groups:history", "reactions:read", "users:read",
                  "commands", "chat:write", "im:write", "files:write", "channels:read",
                  "groups:read"):
        assert f"      - {scope}\n" in text
    for event in ("message.channels", "message.groups", "reaction_added", "reaction_removed",
                  "member_joined_channel", "member_left_channel", "team_join"):
        assert f"      - {event}\n" in text
    assert "socket_mode_enabled: true" in text
    assert "\t" not in text
