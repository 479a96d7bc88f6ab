"""A Slack workspace export becomes the events the live adapter makes: every edge case of
the format, read from a folder and from ZIP archives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.engine import Engine
from bot.events import MemberJoin, Message, Reaction
from bot.imports.report import ImportReport
from bot.imports.run import ingest_export
from bot.imports.slack_export import SlackExport
from bot.imports.source import ExportError, ExportFiles
from bot.store import Store
from bot.store.schema import acks, answers, members, messages
from tests.imports.export_writers import (
    TEAM,
    SlackExportWriter,
    read_events,
    slack_ts,
    slack_user,
)

DAY = datetime(2025, 3, 2, 9, 0, tzinfo=UTC)
T = [slack_ts(DAY + timedelta(minutes=m)) for m in range(40)]
NEXT_DAY = slack_ts(DAY + timedelta(days=1, hours=2))
HELP, GENERAL, PRIVATE = "CHELP", "CGENERAL", "GPRIV"


def workspace() -> SlackExportWriter:
    """One export holding every edge case; comments say what each message tests."""
    w = SlackExportWriter()
    w.users += [slack_user("UANN", "Ann"), slack_user("UBOB", "Bob"),
                slack_user("UADA", "Ada", admin=True), slack_user("UOWN", "Olga", owner=True),
                slack_user("UDEPLOY", "deploybot", bot=True)]
    w.channel(GENERAL, "general", general=True)
    w.channel(HELP, "help")
    w.channel(PRIVATE, "secret-team", private=True)
    w.dms.append({"id": "D0DM", "created": 1600000000, "members": ["UANN", "UBOB"]})
    w.mpims.append({"id": "G0MPIM", "name": "mpdm-ann--bob--ada-1", "created": 1600000000,
                    "members": ["UANN", "UBOB", "UADA"]})
    # a question answered in its thread, the answer acknowledged with a reaction
    w.msg("help", "UANN", "How do I rotate the API key without downtime?", T[0],
          thread_ts=T[0], reply_count=3, replies=[{"user": "UBOB", "ts": T[1]}])
    w.msg("help", "UBOB", "Settings → Keys → Rotate, the old key stays valid for an hour.",
          T[1], thread_ts=T[0], parent_user_id="UANN",
          reactions=[{"name": "white_check_mark", "users": ["UANN"], "count": 1}])
    # a thread reply also sent to the channel: in the export twice, counted once
    broadcast = {"type": "message", "subtype": "thread_broadcast", "user": "UADA",
                 "text": "Also: the docs page on key rotation covers this.", "ts": T[2],
                 "thread_ts": T[0], "root": {"ts": T[0], "user": "UANN"},
                 "reactions": [{"name": "+1::skin-tone-2", "users": ["UANN"], "count": 1}]}
    w.post("help", broadcast)
    w.post("help", dict(broadcast))
    # bots: a bot_message, and an app posting with a bot_id
    w.msg("help", "UDEPLOY", "Deploy 1.4.2 finished", T[3], subtype="bot_message",
          bot_id="B0DEPLOY")
    w.msg("help", "UDEPLOY", "Nightly build green", T[4], bot_id="B0DEPLOY")
    # channel joins and leaves are not messages; joining #general is joining the workspace
    w.msg("help", "UBOB", "<@UBOB> has joined the channel", T[5], subtype="channel_join")
    w.msg("help", "UBOB", "<@UBOB> has left the channel", T[6], subtype="channel_leave")
    w.msg("general", "UCAT", "<@UCAT> has joined the channel", T[7], subtype="channel_join")
    # a deleted question whose replies stay: the tombstone is not a message
    w.post("help", {"type": "message", "subtype": "tombstone", "user": "USLACKBOT",
                    "text": "This message was deleted.", "ts": T[8], "thread_ts": T[8],
                    "hidden": True, "reply_count": 1})
    w.msg("help", "UBOB", "I had that too, restarting fixed it", T[9], thread_ts=T[8])
    # a file share and a /me message are messages
    w.msg("help", "UANN", "Why does this config fail to load?", T[10], subtype="file_share",
          files=[{"id": "F1", "name": "config.yaml"}])
    w.msg("help", "UBOB", "waves", T[11], subtype="me_message")
    # an author missing from users.json (Slack Connect): imported, named from the message
    w.msg("help", "UEXT", "Has anyone tried the beta of the sync agent?", T[12],
          user_profile={"real_name": "Ext Erna", "display_name": "erna"})
    # other notices are not messages
    w.msg("help", "UANN", "set the channel topic: help", T[13], subtype="channel_topic")
    # a staff answer (owner) and an edited message
    w.msg("help", "UBOB", "Is there a way to export the audit log as CSV?", T[14],
          edited={"user": "UBOB", "ts": T[15]})
    w.msg("help", "UOWN", "Yes: Admin → Audit log → Export CSV <@UBOB>", T[16])
    # a reply posted the next day sits in the next day's file
    w.msg("help", "UANN", "Can the key be rotated from the CLI?", T[17], thread_ts=T[17],
          reply_count=1)
    w.msg("help", "UBOB", "yes, keys rotate --now", NEXT_DAY, thread_ts=T[17])
    # a private channel is imported, direct messages never are
    w.msg("secret-team", "UADA", "Who can review the incident report today?", T[18])
    w.files["D0DM/2025-03-02.json"] = [{"type": "message", "user": "UANN",
                                       "text": "psst, can you help me?", "ts": T[19]}]
    w.files["mpdm-ann--bob--ada-1/2025-03-02.json"] = [
        {"type": "message", "user": "UBOB", "text": "how do we handle the outage?",
         "ts": T[20]}]
    return w


def read_all(path: Path, **options: object) -> tuple[list[object], ImportReport]:
    report = ImportReport()
    with ExportFiles(path) as files:
        export = SlackExport(files, report, **options)  # type: ignore[arg-type]
        events = read_events(export)
    return events, report


def ids(events: list[object]) -> list[str]:
    return [e.id for e in events if isinstance(e, Message)]


def test_every_edge_case_of_the_format(tmp_path: Path) -> None:
    events, report = read_all(workspace().folder(tmp_path / "export"))
    assert ids(events) == [f"{HELP}:{T[0]}", f"{HELP}:{T[1]}", f"{HELP}:{T[2]}",
                           f"{HELP}:{T[9]}", f"{HELP}:{T[10]}", f"{HELP}:{T[11]}",
                           f"{HELP}:{T[12]}", f"{HELP}:{T[14]}", f"{HELP}:{T[16]}",
                           f"{HELP}:{T[17]}", f"{PRIVATE}:{T[18]}", f"{HELP}:{NEXT_DAY}"]
    by_id = {e.id: e for e in events if isinstance(e, Message)}
    assert all(e.community == TEAM and e.platform == "slack" for e in by_id.values())
    reply = by_id[f"{HELP}:{T[1]}"]
    assert reply.thread == f"{HELP}:{T[0]}" and reply.author_name == "Bob"
    assert by_id[f"{HELP}:{T[0]}"].thread == f"{HELP}:{T[0]}"  # a root is its own thread
    assert by_id[f"{HELP}:{T[9]}"].thread == f"{HELP}:{T[8]}"  # under the deleted root
    assert by_id[f"{HELP}:{T[2]}"].author_is_staff  # workspace admin
    assert by_id[f"{HELP}:{T[16]}"].author_is_staff  # owner
    assert by_id[f"{HELP}:{T[16]}"].mentions == ("UBOB",)
    assert not by_id[f"{HELP}:{T[1]}"].author_is_staff
    assert by_id[f"{HELP}:{T[12]}"].author_name == "erna"
    assert not by_id[f"{HELP}:{T[12]}"].author_is_staff
    assert by_id[f"{HELP}:{T[0]}"].ts == datetime.fromtimestamp(float(T[0]), UTC)
    reactions = [e for e in events if isinstance(e, Reaction)]
    assert [(r.message, r.user, r.emoji) for r in reactions] == [
        (f"{HELP}:{T[1]}", "UANN", "✅"), (f"{HELP}:{T[2]}", "UANN", "👍")]
    assert [r.ts for r in reactions] == [by_id[r.message].ts for r in reactions]  # dated
    joins = [e for e in events if isinstance(e, MemberJoin)]
    assert [(j.user, j.ts) for j in joins] == [("UCAT", datetime.fromtimestamp(float(T[7]),
                                                                                UTC))]
    assert report.skipped == {
        "direct and group-DM conversations (never imported)": 2,
        "the same message twice (a thread reply also sent to the channel): counted once": 1,
        "bot and integration messages": 2,
        "channel join and leave notices (not messages)": 2,
        "deleted messages (tombstones)": 1,
        "notices (channel_topic)": 1,
    }
    assert not report.bad
    assert any("2 authors are not in users.json" in n for n in report.notes)


@pytest.mark.parametrize("flag", [True, False])
def test_zip_archives_with_and_without_the_utf8_name_flag(tmp_path: Path, flag: bool) -> None:
    w = SlackExportWriter()
    w.users.append(slack_user("UANN", "Ann"))
    w.channel("CCAFE", "café-français")
    w.msg("café-français", "UANN", "Où est la doc de l'API ?", T[0])
    archive = w.zip(tmp_path / "export.zip", utf8_flag=flag, inside="Acme Slack export/")
    events, report = read_all(archive)
    assert ids(events) == [f"CCAFE:{T[0]}"] and not report.bad


def test_enterprise_grid_org_users(tmp_path: Path) -> None:
    w = SlackExportWriter(team="T0GRID")
    w.org_users += [slack_user("WANN", "Ann", team="T0GRID"),
                    slack_user("WADA", "Ada", admin=True, team="T0GRID")]
    w.channel("C1", "support")
    w.msg("support", "WADA", "Which SSO providers do you support?", T[0])
    events, _ = read_all(w.folder(tmp_path / "grid"))
    message = events[0]
    assert isinstance(message, Message)
    assert (message.community, message.author_is_staff, message.author_name) == (
        "T0GRID", True, "Ada")


def test_the_workspace_id_comes_from_the_export_or_from_community(tmp_path: Path) -> None:
    w = SlackExportWriter()
    w.channel("C1", "support")
    w.msg("support", "UANN", "Is the API rate limited?", T[0])
    path = w.folder(tmp_path / "no-users")
    with pytest.raises(ExportError, match="--community"):
        read_all(path)
    events, report = read_all(path, community="T0GIVEN")
    assert isinstance(events[0], Message) and events[0].community == "T0GIVEN"
    assert any("no users.json" in n for n in report.notes)


def test_channels_option_picks_channels_and_rejects_unknown_ones(tmp_path: Path) -> None:
    path = workspace().folder(tmp_path / "export")
    events, report = read_all(path, only=["secret-team"])
    assert ids(events) == [f"{PRIVATE}:{T[18]}"]
    assert report.skipped["channels left out (--channels)"] == 2
    with pytest.raises(ExportError, match="no channel randomm"):
        read_all(path, only=["randomm"])


def test_a_folder_that_is_not_an_export_says_so(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(ExportError, match="not a Slack export"):
        read_all(tmp_path / "photos")
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    with pytest.raises(ExportError, match="not a ZIP archive"):
        read_all(tmp_path / "x.zip")


def test_bad_files_and_records_are_named_and_the_rest_is_read(tmp_path: Path) -> None:
    w = SlackExportWriter()
    w.users.append(slack_user("UANN", "Ann"))
    w.channel("C1", "general", general=True)
    w.msg("general", "UANN", "first good message", T[0])
    w.files["general/2025-03-02.json"] += ["not an object", {"type": "message",
                                                             "user": "UANN", "text": "x"},
                                           {"type": "message", "text": "no user", "ts": T[2]}]
    w.msg("general", "UANN", "second good message", T[3])
    w.files["general/2025-03-03.json"] = b"[{\"ts\": oops"
    events, report = read_all(w.folder(tmp_path / "export"))
    assert ids(events) == [f"C1:{T[0]}", f"C1:{T[3]}"]
    assert [str(b) for b in report.bad] == [
        "general/2025-03-02.json[1]: not a JSON object",
        "general/2025-03-02.json[2]: no valid 'ts'",
        "general/2025-03-02.json[3]: a message without 'user'",
        "general/2025-03-03.json: not valid JSON: Expecting value (line 1, column 9)",
    ]


def test_a_big_export_read_in_a_second_process_gives_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Big exports are read by a worker process while the engine ingests: the same events
    in the same order, the same skipped and bad records, job after job."""
    w = workspace()
    w.files["help/2025-03-04.json"] = b"[{\"ts\": oops"
    w.files["help/2025-03-05.json"] = [{"type": "message", "text": "no user",
                                        "ts": "1741160000.000100"}]
    path = w.zip(tmp_path / "export.zip")
    monkeypatch.setattr("bot.imports.slack_export.JOB_BYTES", 1)  # one day a job
    here, report_here = read_all(path, parallel=False)
    there, report_there = read_all(path, parallel=True)
    assert len(here) > 10 and there == here
    assert [str(b) for b in report_there.bad] == [str(b) for b in report_here.bad] == [
        "help/2025-03-04.json: not valid JSON: Expecting value (line 1, column 9)",
        "help/2025-03-05.json[0]: a message without 'user'"]
    assert report_there.skipped == report_here.skipped
    assert report_there.notes == report_here.notes


async def test_imported_facts_in_the_store(tmp_path: Path, store: Store) -> None:
    report = ImportReport()
    with ExportFiles(workspace().zip(tmp_path / "export.zip")) as files:
        await ingest_export(Engine(store), SlackExport(files, report), report)
    async with store.engine.connect() as conn:
        stored = dict((await conn.execute(select(messages.c.id, messages.c.is_question))).all())
        answered = {(q, a) for q, a in (await conn.execute(
            select(answers.c.question_id, answers.c.answer_id))).all()}
        acked = (await conn.execute(select(acks.c.helper, acks.c.user_id))).all()
        people = {u: (n, s, j, c) for u, n, s, j, c in (await conn.execute(select(
            members.c.user_id, members.c.name, members.c.is_staff, members.c.joined_at,
            members.c.seen_in_catchup))).all()}
    assert len(stored) == 12 == report.stats.messages
    assert stored[f"{HELP}:{T[0]}"] and stored[f"{HELP}:{T[10]}"]  # the file share asks
    assert (f"{HELP}:{T[0]}", f"{HELP}:{T[1]}") in answered
    assert (f"{HELP}:{T[17]}", f"{HELP}:{NEXT_DAY}") in answered  # across day files
    assert (f"{HELP}:{T[14]}", f"{HELP}:{T[16]}") in answered
    assert sorted(acked) == [("UADA", "UANN"), ("UBOB", "UANN")]
    assert people["UADA"][:2] == ("Ada", True)
    assert people["UCAT"][2] == datetime.fromtimestamp(float(T[7]), UTC).timestamp()
    assert people["UANN"][3]  # first seen in imported history: not a new member
    assert "UDEPLOY" not in people and "USLACKBOT" not in people
    assert len(report.members) == 6 and len(report.channels) == 2


async def test_importing_twice_counts_everything_once(tmp_path: Path, store: Store) -> None:
    path = workspace().folder(tmp_path / "export")
    first, second = ImportReport(), ImportReport()
    for report in (first, second):
        with ExportFiles(path) as files:
            await ingest_export(Engine(store), SlackExport(files, report), report)
    assert first.stats.messages == 12 and second.stats.messages == 0
    assert second.stats.duplicates == 12 and second.stats.answers == 0
