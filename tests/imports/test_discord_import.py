"""DiscordChatExporter JSON files become the events the live Discord adapter makes: every
edge case of the format (threads and forum posts as their own files, local-time
timestamps, forwards, numeric message types, reactions with and without their users)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
from sqlalchemy import select

from bot.config import CommunitySettings
from bot.engine import Engine
from bot.events import Event, MemberJoin, Message, Reaction
from bot.imports.discord_export import DiscordExport
from bot.imports.report import ImportReport
from bot.imports.run import ingest_export
from bot.store import Store
from bot.store.schema import acks, answers, members, messages
from tests.imports.export_writers import (
    GUILD,
    dce_author,
    dce_channel,
    dce_file,
    dce_message,
    dce_reaction,
    read_events,
    snowflake_at,
)

START = datetime(2025, 3, 2, 9, 0, tzinfo=UTC)
HELP, FORUM, ANNOUNCE = "900000000000000201", "900000000000000202", "900000000000000203"
MOD_ROLE = ("900000000000000301", "Moderator")
ANN = dce_author("100000000000000001", "ann")
BOB = dce_author("100000000000000002", "bob", nickname="Bobby")
MOD = dce_author("100000000000000003", "mia", roles=[MOD_ROLE, (GUILD, "@everyone")])
BOT = dce_author("100000000000000009", "helperbot", bot=True)
CAT = dce_author("100000000000000004", "cat")


def at(minutes: int, n: int = 0) -> str:
    return snowflake_at(START + timedelta(minutes=minutes), n)


def export(folder: Path, offset: str = "+00:00") -> dict[str, str]:
    """A guild's export: #help (with a thread), a forum post, #announcements, a DM."""
    m = {name: at(i) for i, name in enumerate(
        ["q1", "a1", "pin", "thread_created", "join", "q2", "fwd", "bot", "unknown", "num",
         "staff", "thread_reply", "post", "post_reply", "later"])}
    msg = dce_message
    dce_file(folder / "Fake Community - help [help].json", dce_channel(HELP, "help"), [
        msg(m["q1"], ANN, "How do I rotate the API key?", offset=offset),
        msg(m["a1"], BOB, "Settings → Keys → Rotate", kind="Reply", offset=offset,
            reference={"messageId": m["q1"], "channelId": HELP, "guildId": GUILD},
            reactions=[dce_reaction("✅", [ANN]), dce_reaction("🎉", None)],
            mentions=[ANN, BOB]),
        msg(m["pin"], ANN, "Ann pinned a message to this channel.",
            kind="ChannelPinnedMessage", offset=offset),
        msg(m["thread_created"], CAT, "Started a thread.", kind="ThreadCreated",
            offset=offset),
        msg(m["join"], CAT, "Joined the server.", kind="GuildMemberJoin", offset=offset),
        msg(m["q2"], CAT, "Is there a dark mode in the desktop app?", offset=offset),
        msg(m["fwd"], BOB, "", offset=offset, reference={
            "messageId": m["q1"], "channelId": HELP, "guildId": GUILD, "type": "Forward"}),
        msg(m["bot"], BOT, "Reminder: office hours at 5pm", offset=offset),
        msg(m["unknown"], CAT, "", kind="46", offset=offset),
        msg(m["num"], BOB, "yes, Settings → Appearance", kind=19, offset=offset,
            reference={"messageId": m["q2"], "channelId": HELP, "guildId": GUILD}),
        msg(m["staff"], MOD, "Please keep questions in this channel, thanks!",
            offset=offset),
    ])
    # a thread started from q2 (the thread's id is the message's), in a file of its own
    dce_file(folder / "Fake Community - help - dark mode [thread].json",
             dce_channel(m["q2"], "dark mode", kind="GuildPublicThread",
                         parent=(HELP, "help")),
             [msg(m["thread_reply"], ANN, "It follows the system theme", offset=offset)])
    # a forum post: its first message has the thread's id
    dce_file(folder / "Fake Community - questions - SSO [post].json",
             dce_channel(m["post"], "SSO with Okta", kind="GuildPublicThread",
                         parent=(FORUM, "questions")),
             [msg(m["post"], CAT, "Our Okta login loops back to the start page.",
                  offset=offset),
              msg(m["post_reply"], MOD, "Check the redirect URI in the app settings",
                  offset=offset)])
    dce_file(folder / "Direct Messages - bob [dm].json",
             {"id": "900000000000000999", "type": "DirectTextChat", "categoryId": None,
              "category": "Private", "name": "bob", "topic": None},
             [msg(m["later"], BOB, "psst", offset=offset)], guild="0")
    return m


def read(paths: list[Path]) -> tuple[list[Event], ImportReport]:
    report = ImportReport()
    reader = DiscordExport(paths, report)
    return read_events(reader), report


def test_every_edge_case_of_the_format(tmp_path: Path) -> None:
    m = export(tmp_path / "export")
    events, report = read([tmp_path / "export"])
    got = {e.id: e for e in events if isinstance(e, Message)}
    assert list(got) == [m["q1"], m["a1"], m["q2"], m["fwd"], m["num"], m["staff"],
                         m["thread_reply"], m["post"], m["post_reply"]]  # threads by id
    assert all(e.community == GUILD and e.platform == "discord" for e in got.values())
    assert got[m["a1"]].reply_to == m["q1"] and got[m["a1"]].author_name == "Bobby"
    assert got[m["a1"]].mentions == (ANN["id"],)  # not the author himself
    assert got[m["fwd"]].reply_to is None  # a forward is not a reply
    assert got[m["num"]].reply_to == m["q2"]  # a numeric type (19: a reply)
    assert got[m["staff"]].author_roles == ("Moderator", MOD_ROLE[0])  # no @everyone
    reply = got[m["thread_reply"]]
    assert (reply.channel, reply.thread, reply.channel_kind) == (HELP, m["q2"], "chat")
    post = got[m["post"]]
    assert (post.channel, post.thread, post.channel_kind) == (FORUM, m["post"], "forum")
    assert post.text == "SSO with Okta\nOur Okta login loops back to the start page."
    assert got[m["post_reply"]].channel_kind == "forum"
    assert got[m["q1"]].ts == discord.utils.snowflake_time(int(m["q1"]))
    reactions = [e for e in events if isinstance(e, Reaction)]
    assert [(r.message, r.user, r.emoji, r.ts) for r in reactions] == [
        (m["a1"], ANN["id"], "✅", got[m["a1"]].ts)]
    joins = [e for e in events if isinstance(e, MemberJoin)]
    assert [(j.user, j.user_name) for j in joins] == [(CAT["id"], "cat")]
    assert report.skipped == {
        "reactions listed without who reacted (an older DiscordChatExporter)": 1,
        "system notices (pins, thread created, calls, …)": 3,
        "bot and webhook messages": 1,
        "direct-message files (never imported)": 1,
    }
    assert not report.bad


def test_local_time_exports_give_the_same_times_as_utc_ones(tmp_path: Path) -> None:
    export(tmp_path / "utc")
    utc, _ = read([tmp_path / "utc"])
    for offset in ("+01:00", "-08:00", "+05:30"):
        folder = tmp_path / offset.replace(":", "")
        export(folder, offset=offset)
        assert offset in (folder / "Fake Community - help [help].json").read_text("utf-8")
        events, _ = read([folder])
        assert [(type(e), e.ts) for e in events] == [(type(e), e.ts) for e in utc]


def test_files_given_in_any_order_are_merged_in_time_order(tmp_path: Path) -> None:
    export(tmp_path / "export")
    files = sorted((tmp_path / "export").glob("*.json"), reverse=True)  # threads first
    events, _ = read(files)
    message_ids = [int(e.id) for e in events if isinstance(e, Message)]
    assert message_ids == sorted(message_ids)
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    order = [e.channel for e in events if isinstance(e, Message)]
    assert order.index(FORUM) > order.index(HELP)


def test_a_channel_split_in_parts_is_read_in_order(tmp_path: Path) -> None:
    ids = [at(i) for i in range(12)]
    for part in (10, 2, 1):  # "part 10" after "part 2"
        chunk = {1: ids[0:4], 2: ids[4:8], 10: ids[8:12]}[part]
        dce_file(tmp_path / f"Fake - help [{HELP}] [part {part}].json",
                 dce_channel(HELP, "help"),
                 [dce_message(i, ANN, f"message {n}") for n, i in enumerate(chunk)])
    events, _ = read([tmp_path])
    assert [e.id for e in events if isinstance(e, Message)] == ids


def test_bad_files_and_records_are_named_and_the_rest_is_read(tmp_path: Path) -> None:
    good = at(1)
    dce_file(tmp_path / "general.json", dce_channel(HELP, "general"), [
        dce_message(good, ANN, "fine"),
        {"type": "Default", "content": "no id", "author": ANN},
        "not an object",
        dce_message(at(2), ANN, "no author") | {"author": None},
    ])
    (tmp_path / "broken.json").write_text(
        '{"guild": {"id": "1"}, "channel": {"id": "5", "type": "GuildTextChat"}, '
        '"messages": [{"id": ', "utf-8")
    (tmp_path / "other.json").write_text('{"hello": "world"}', "utf-8")
    events, report = read([tmp_path])
    assert [e.id for e in events if isinstance(e, Message)] == [good]
    assert [str(b) for b in report.bad] == [
        "other.json: not a DiscordChatExporter JSON export (no 'guild' and 'channel')",
        "broken.json: not valid JSON: Expecting value (line 1, column 93)",
        "general.json[1]: no valid 'id'",
        "general.json[2]: not a JSON object",
        "general.json[3]: unreadable message (no valid 'author.id')",
    ]


async def test_imported_facts_in_the_store(tmp_path: Path, store: Store) -> None:
    m = export(tmp_path / "export")
    report = ImportReport()
    engine = Engine(store, CommunitySettings(staff_roles=["moderator"]))
    await ingest_export(engine, DiscordExport([tmp_path / "export"], report), report)
    async with store.engine.connect() as conn:
        questions = {i for i, q in (await conn.execute(
            select(messages.c.id, messages.c.is_question))).all() if q}
        answered = set((await conn.execute(
            select(answers.c.question_id, answers.c.answer_id))).all())
        staff = dict((await conn.execute(select(members.c.user_id, members.c.is_staff))).all())
        joined = dict((await conn.execute(select(members.c.user_id, members.c.joined_at))).all())
        acked = (await conn.execute(select(acks.c.helper, acks.c.user_id))).all()
    assert {m["q1"], m["q2"], m["post"]} <= questions
    assert {(m["q1"], m["a1"]), (m["q2"], m["num"]), (m["q2"], m["thread_reply"]),
            (m["post"], m["post_reply"])} <= answered
    assert staff[MOD["id"]] and not staff[BOB["id"]]  # staff by role name
    assert joined[CAT["id"]] == discord.utils.snowflake_time(int(m["join"])).timestamp()
    assert acked == [(BOB["id"], ANN["id"])]
    assert report.stats.messages == 9 and len(report.channels) == 2
