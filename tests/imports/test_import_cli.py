"""``innercircle import`` as a user runs it: the figures equal those of the same conversation
replayed as JSONL, a summary, bad records named with a non-zero exit code, progress."""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from typer.testing import CliRunner

from bot.__main__ import app
from bot.commands.import_export import PlainProgress, import_slack
from bot.config import Settings
from tests.imports.export_writers import (
    GUILD,
    TEAM,
    SlackExportWriter,
    dce_author,
    dce_channel,
    dce_file,
    dce_message,
    dce_reaction,
    slack_user,
    snowflake_at,
)

runner = CliRunner()
NOW = datetime.now(UTC).replace(microsecond=0)
START = NOW - timedelta(days=3)
PEOPLE = {"ann": "Ann", "bob": "Bob", "cat": "Cat", "dan": "Dan", "ada": "Ada"}
STAFF = {"ada"}


@dataclass
class Said:
    """One line of the conversation both formats are written from."""

    minute: int
    channel: str
    who: str
    text: str
    thread: int | None = None  # the minute of the thread's root (Slack threads)
    reply: int | None = None  # the minute of the message replied to (Discord replies)
    acked_by: str | None = None  # who reacted with ✅


CONVERSATION = [
    Said(0, "help", "ann", "How do I rotate the API key without downtime?"),
    Said(3, "help", "bob", "Settings → Keys → Rotate; the old key works for an hour.",
         thread=0, reply=0, acked_by="ann"),
    Said(9, "help", "cat", "Is there a dark mode in the desktop app?"),
    Said(12, "help", "ada", "Yes, under Settings → Appearance.", thread=9, reply=9),
    Said(20, "general", "dan", "good morning everyone"),
    Said(31, "general", "dan", "Does anyone know why the sync agent stops at night?"),
    Said(33, "general", "ann", "It sleeps when the laptop lid closes, turn that off",
         thread=31, reply=31, acked_by="dan"),
    Said(40, "help", "bob", "Can I export the audit log as CSV?"),
    Said(600, "help", "cat", "Why does the CLI hang on login with SSO?"),
    Said(604, "help", "dan", "Run it with --no-browser, it prints a link", thread=600,
         reply=600),
]


def when(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def slack_export(path: Path) -> Path:
    w = SlackExportWriter()
    w.users += [slack_user(f"U{k.upper()}", v, admin=k in STAFF) for k, v in PEOPLE.items()]
    w.channel("CGENERAL", "general", general=True)
    w.channel("CHELP", "help")
    for n, who in enumerate(PEOPLE):  # everyone joined the workspace a week before
        w.msg("general", f"U{who.upper()}", "has joined", slack_ts(when(-7 * 1440 + n)),
              subtype="channel_join")
    for said in CONVERSATION:
        extra: dict[str, Any] = {}
        if said.acked_by:
            extra["reactions"] = [{"name": "white_check_mark",
                                   "users": [f"U{said.acked_by.upper()}"], "count": 1}]
        thread = said.thread if said.thread is not None else (
            said.minute if any(s.thread == said.minute for s in CONVERSATION) else None)
        w.msg(said.channel, f"U{said.who.upper()}", said.text, slack_ts(when(said.minute)),
              thread_ts=slack_ts(when(thread)) if thread is not None else None, **extra)
    return w.zip(path)


SLACK_MICROS = timedelta(microseconds=100)


def slack_ts(at: datetime) -> str:
    return f"{at.timestamp():.0f}.000100"


def slack_jsonl(path: Path) -> Path:
    """The same conversation as JSONL v1, written by hand from the spec (not by the
    importer): the ids, community and threads the live Slack adapter gives."""
    lines: list[dict[str, Any]] = []
    for n, who in enumerate(PEOPLE):
        lines.append({"type": "member_join", "platform": "slack", "community": TEAM,
                      "ts": iso(when(-7 * 1440 + n) + SLACK_MICROS), "user": f"U{who.upper()}",
                      "user_name": PEOPLE[who]})
    channel_ids = {"help": "CHELP", "general": "CGENERAL"}
    for said in CONVERSATION:
        cid = channel_ids[said.channel]
        mid = f"{cid}:{slack_ts(when(said.minute))}"
        thread = said.thread if said.thread is not None else (
            said.minute if any(s.thread == said.minute for s in CONVERSATION) else None)
        line: dict[str, Any] = {
            "type": "message", "platform": "slack", "community": TEAM,
            "ts": iso(when(said.minute) + SLACK_MICROS), "id": mid, "channel": cid,
            "author": f"U{said.who.upper()}", "author_name": PEOPLE[said.who],
            "text": said.text, "author_is_staff": said.who in STAFF}
        if thread is not None:
            line["thread"] = f"{cid}:{slack_ts(when(thread))}"
        lines.append(line)
        if said.acked_by:
            lines.append({"type": "reaction", "platform": "slack", "community": TEAM,
                          "ts": iso(when(said.minute) + SLACK_MICROS), "channel": cid,
                          "message": mid,
                          "user": f"U{said.acked_by.upper()}", "emoji": "✅"})
    return write_jsonl(path, lines)


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def write_jsonl(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    return path


def discord_ids() -> dict[int, str]:
    return {s.minute: snowflake_at(when(s.minute)) for s in CONVERSATION}


def discord_user(who: str) -> str:
    return str(100000000000000000 + list(PEOPLE).index(who))


def discord_export(folder: Path) -> Path:
    ids = discord_ids()
    channels = {"help": "900000000000000201", "general": "900000000000000202"}
    authors = {k: dce_author(discord_user(k), k, nickname=v,
                             roles=[("900000000000000301", "Moderator")] if k in STAFF
                             else []) for k, v in PEOPLE.items()}
    joins = [dce_message(snowflake_at(when(-7 * 1440 + n)), authors[who], "",
                         kind="GuildMemberJoin") for n, who in enumerate(PEOPLE)]
    for name, cid in channels.items():
        messages = joins if name == "general" else []
        for said in CONVERSATION:
            if said.channel != name:
                continue
            reference = ({"messageId": ids[said.reply], "channelId": cid, "guildId": GUILD}
                         if said.reply is not None else None)
            reactions = ([dce_reaction("✅", [authors[said.acked_by]])]
                         if said.acked_by else None)
            messages = [*messages, dce_message(
                ids[said.minute], authors[said.who], said.text, offset="+02:00",
                kind="Reply" if reference else "Default", reference=reference,
                reactions=reactions)]
        dce_file(folder / f"Fake - {name} [{cid}].json", dce_channel(cid, name), messages)
    return folder


def discord_jsonl(path: Path) -> Path:
    ids = discord_ids()
    channels = {"help": "900000000000000201", "general": "900000000000000202"}
    lines: list[dict[str, Any]] = []
    for n, who in enumerate(PEOPLE):
        lines.append({"type": "member_join", "platform": "discord", "community": GUILD,
                      "ts": iso(when(-7 * 1440 + n)), "user": discord_user(who),
                      "user_name": PEOPLE[who]})
    for said in CONVERSATION:
        line: dict[str, Any] = {
            "type": "message", "platform": "discord", "community": GUILD,
            "ts": iso(when(said.minute)), "id": ids[said.minute],
            "channel": channels[said.channel], "author": discord_user(said.who),
            "author_name": PEOPLE[said.who], "text": said.text,
            "author_roles": ["Moderator", "900000000000000301"] if said.who in STAFF else []}
        if said.reply is not None:
            line["reply_to"] = ids[said.reply]
        lines.append(line)
        if said.acked_by:
            lines.append({"type": "reaction", "platform": "discord", "community": GUILD,
                          "ts": iso(when(said.minute)), "channel": channels[said.channel],
                          "message": ids[said.minute], "user": discord_user(said.acked_by),
                          "emoji": "✅"})
    return write_jsonl(path, lines)


def reports_of(db: Path, community: str) -> list[Any]:
    period = ["--since", (START - timedelta(days=8)).date().isoformat(),
              "--until", (NOW + timedelta(days=1)).date().isoformat()]
    out = []
    for kind in ("health", "helpers", "unanswered"):
        result = runner.invoke(app, ["report", kind, *period, "--community", community,
                                     "--db", str(db), "--json"])
        assert result.exit_code == 0, result.output
        out.append(json.loads(result.stdout))
    out[1], out[2] = out[1]["helpers"], out[2]["questions"]  # the lists, without the header
    for question in out[2]:
        del question["age_s"]  # grows while the test runs
    return out


def flat(text: str) -> str:
    """Output with the terminal's line wrapping undone."""
    return " ".join(text.split())


def test_slack_import_figures_equal_the_same_conversation_replayed(tmp_path: Path) -> None:
    imported, replayed = tmp_path / "import.sqlite", tmp_path / "replay.sqlite"
    result = runner.invoke(app, ["import", "slack", str(slack_export(tmp_path / "x.zip")),
                                 "--db", str(imported)])
    assert result.exit_code == 0, result.output
    assert "Imported 10 messages (5 questions, 4 answers, 2 acknowledgements) by 5 members " \
           "in 2 channels (slack:T0TEAM)." in flat(result.stdout)
    replay = runner.invoke(app, ["replay", str(slack_jsonl(tmp_path / "x.jsonl")),
                                 "--db", str(replayed)])
    assert replay.exit_code == 0, replay.output
    health, helpers, unanswered = reports_of(imported, f"slack:{TEAM}")
    assert (health["questions"], health["answered"], health["new_members"],
            health["newcomers_asking"]) == (5, 4, 5, 4)
    assert sorted(h["user"] for h in helpers[:3]) == ["UANN", "UBOB", "UDAN"]
    assert (helpers[3]["user"], helpers[3]["is_staff"]) == ("UADA", True)
    assert [h["excerpt"] for h in unanswered] == ["Can I export the audit log as CSV?"]
    assert reports_of(imported, f"slack:{TEAM}") == reports_of(replayed, f"slack:{TEAM}")


def test_discord_import_figures_equal_the_same_conversation_replayed(tmp_path: Path) -> None:
    imported, replayed = tmp_path / "import.sqlite", tmp_path / "replay.sqlite"
    result = runner.invoke(app, ["import", "discord", str(discord_export(tmp_path / "dce")),
                                 "--db", str(imported), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["messages"], summary["questions"], summary["answers"],
            summary["members"], summary["channels"]) == (10, 5, 4, 5, 2)
    replay = runner.invoke(app, ["replay", str(discord_jsonl(tmp_path / "x.jsonl")),
                                 "--db", str(replayed)])
    assert replay.exit_code == 0, replay.output
    health, _, _ = reports_of(imported, f"discord:{GUILD}")
    assert (health["questions"], health["answered"], health["new_members"]) == (5, 4, 5)
    assert reports_of(imported, f"discord:{GUILD}") == reports_of(replayed,
                                                                  f"discord:{GUILD}")


THREADED = [  # (minute, channel, thread root's minute, who, text, who is thanked)
    (0, "help", None, "ann", "How do I rotate the API key without downtime?", None),
    (2, "help", 0, "bob", "Settings → Keys → Rotate; the old key works for an hour.", None),
    (5, "help", None, "ann", "that worked, thanks a lot!", "bob"),
    (7, "general", None, "cat", "Why does the CLI hang on login with SSO?", None),
    (9, "general", 7, "dan", "Run it with --no-browser, it prints a link", None),
    (11, "general", None, "cat", "thank you, sorted now", "dan"),
]


def threaded_discord(folder: Path, jsonl: Path) -> tuple[Path, Path]:
    """Two threads, each in a file of its own as DiscordChatExporter writes them, answered
    there and thanked later in the channel; and the same conversation as JSONL, in time
    order. Read file by file, each thank-you came before the answer it thanks."""
    channels = {"help": "900000000000000201", "general": "900000000000000202"}
    ids = {minute: snowflake_at(when(minute)) for minute, *_ in THREADED}
    authors = {k: dce_author(discord_user(k), k, nickname=v) for k, v in PEOPLE.items()}
    files: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {
        name: (dce_channel(cid, name), []) for name, cid in channels.items()}
    lines: list[dict[str, Any]] = []
    for n, who in enumerate(PEOPLE):  # everyone joined a week before
        files["general"][1].append(dce_message(snowflake_at(when(-7 * 1440 + n)),
                                               authors[who], "", kind="GuildMemberJoin"))
        lines.append({"type": "member_join", "platform": "discord", "community": GUILD,
                      "ts": iso(when(-7 * 1440 + n)), "user": discord_user(who),
                      "user_name": PEOPLE[who]})
    for minute, channel, root, who, text, thanked in THREADED:
        mentions = [authors[thanked]] if thanked else None
        if root is None:
            files[channel][1].append(dce_message(ids[minute], authors[who], text,
                                                 mentions=mentions))
        else:
            thread = files.setdefault(f"{channel} - thread {root}", (dce_channel(
                ids[root], f"thread {root}", kind="GuildPublicThread",
                parent=(channels[channel], channel)), []))
            thread[1].append(dce_message(ids[minute], authors[who], text))
        line: dict[str, Any] = {
            "type": "message", "platform": "discord", "community": GUILD,
            "ts": iso(when(minute)), "id": ids[minute], "channel": channels[channel],
            "author": discord_user(who), "author_name": PEOPLE[who], "text": text,
            "channel_name": channel}
        if root is not None:
            line["thread"] = ids[root]
            del line["channel_name"]
        if thanked:
            line["mentions"] = [discord_user(thanked)]
        lines.append(line)
    for name, (channel_info, messages) in files.items():
        dce_file(folder / f"Fake - {name}.json", channel_info, messages)
    return folder, write_jsonl(jsonl, lines)


def test_discord_threads_in_their_own_files_are_read_in_time_order(tmp_path: Path) -> None:
    export, jsonl = threaded_discord(tmp_path / "dce", tmp_path / "x.jsonl")
    imported, replayed = tmp_path / "import.sqlite", tmp_path / "replay.sqlite"
    result = runner.invoke(app, ["import", "discord", str(export), "--db", str(imported),
                                 "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    # both thank-yous acknowledge the answer given in the thread a few minutes before
    assert (summary["messages"], summary["questions"], summary["answers"],
            summary["acknowledgements"]) == (6, 2, 2, 2)
    replay = runner.invoke(app, ["replay", str(jsonl), "--db", str(replayed)])
    assert replay.exit_code == 0, replay.output
    assert reports_of(imported, f"discord:{GUILD}") == reports_of(replayed,
                                                                  f"discord:{GUILD}")


def test_bad_records_are_named_the_rest_imported_exit_code_1(tmp_path: Path) -> None:
    w = SlackExportWriter()
    w.users.append(slack_user("UANN", "Ann"))
    w.channel("C1", "general", general=True)
    w.msg("general", "UANN", "Where is the changelog?", "1740906000.000100")
    w.files["general/2025-03-02.json"].append({"type": "message", "text": "no ts"})
    w.files["general/2025-03-03.json"] = b"\xff\xfe not utf-8"
    db = tmp_path / "db.sqlite"
    result = runner.invoke(app, ["import", "slack", str(w.folder(tmp_path / "export")),
                                 "--db", str(db)])
    assert result.exit_code == 1
    assert "Imported 1 messages" in result.stdout
    assert "general/2025-03-02.json[1]: no valid 'ts'" in result.stderr
    assert "general/2025-03-03.json: not UTF-8 text" in result.stderr
    assert "Traceback" not in result.output


def test_not_an_export_is_one_clear_line_and_exit_code_2(tmp_path: Path) -> None:
    (tmp_path / "x.zip").write_bytes(b"PK nonsense")
    result = runner.invoke(app, ["import", "slack", str(tmp_path / "x.zip"),
                                 "--db", str(tmp_path / "db.sqlite")])
    assert result.exit_code == 2
    assert "not a ZIP archive or a folder" in flat(result.stderr)
    assert "Traceback" not in result.output
    missing = runner.invoke(app, ["import", "discord", str(tmp_path / "nope.json"),
                                  "--db", str(tmp_path / "db.sqlite")])
    assert missing.exit_code == 2 and "no such file or folder" in flat(missing.stderr)


def test_hostile_names_cannot_control_the_terminal(tmp_path: Path) -> None:
    w = SlackExportWriter()
    w.users.append(slack_user("UANN", "Ann"))
    w.channel("C1", "evil\x1b[2J", general=True)
    w.files["evil\x1b[2J/2025-03-02.json"] = b"{oops"
    result = runner.invoke(app, ["import", "slack", str(w.folder(tmp_path / "export")),
                                 "--db", str(tmp_path / "db.sqlite")])
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "evil\\x1b[2J/2025-03-02.json" in result.stderr


def test_plain_progress_every_few_seconds_with_rate_and_time_left() -> None:
    out = io.StringIO()
    now = [100.0]
    progress = PlainProgress(Console(file=out, width=200), every=5, clock=lambda: now[0])
    now[0] = 102.0
    progress(10, 100, 2_000)  # too soon: nothing
    now[0] = 110.0
    progress(25, 100, 30_000)
    now[0] = 120.0
    progress(50, 100, 60_000)
    assert out.getvalue().splitlines() == [
        "imported 30,000 messages (3,000/s), 25% of the export, about 0:30 left",
        "imported 60,000 messages (3,000/s), 50% of the export, about 0:20 left",
    ]


async def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=140)
    started = time.monotonic()
    report = await import_slack(slack_export(tmp_path / "x.zip"), Settings(),
                                str(tmp_path / "db.sqlite"), console, community=None,
                                channels=None)
    assert time.monotonic() - started < 60
    assert report.stats.messages == 10
    shown = out.getvalue()
    assert "importing" in shown and "10 messages" in shown and "msg/s" in shown


def test_backfill_needs_a_platform_and_a_sane_number_of_days(tmp_path: Path) -> None:
    db = ["--db", str(tmp_path / "db.sqlite")]
    nothing = runner.invoke(app, ["backfill", "--days", "30", *db], env={
        "INNERCIRCLE_DISCORD_TOKEN": "", "INNERCIRCLE_SLACK_BOT_TOKEN": ""})
    assert nothing.exit_code == 2 and "nothing to connect to" in flat(nothing.stderr)
    assert runner.invoke(app, ["backfill", "--days", "0", *db]).exit_code == 2
