"""The command line as a user runs it: replay with bad lines, reports as JSON, config errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from bot.__main__ import app
from tests.chat import Chat

runner = CliRunner()


def write_events(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def conversation() -> list[str]:
    chat = Chat()
    q = chat.msg("ann", "How do I reset my password?", author_name="Ann")
    chat.msg("bob", "Settings, then reset", reply_to=q, author_name="Bob")
    chat.msg("sam", "Is the API down?", author_name="Sam")
    return [json.dumps(e.to_json()) for e in chat.take()]


def test_replay_reports_bad_lines_and_ingests_the_good_ones(tmp_path: Path) -> None:
    lines = conversation()
    lines.insert(1, "{not json")
    lines.insert(3, json.dumps({"type": "message", "community": "c1", "ts": "soon"}))
    events = write_events(tmp_path / "events.jsonl", lines)
    db = str(tmp_path / "db.sqlite")
    result = runner.invoke(app, ["replay", str(events), "--db", db, "--json"])
    assert result.exit_code == 1
    summary = json.loads(result.stdout.splitlines()[0])
    assert summary["messages"] == 3
    assert [b["line"] for b in summary["bad_lines"]] == [2, 4]
    assert "not valid JSON" in summary["bad_lines"][0]["reason"]
    assert "'ts'" in summary["bad_lines"][1]["reason"]
    assert "line 2:" in result.stderr

    again = runner.invoke(app, ["replay", str(events), "--db", db, "--json"])
    assert json.loads(again.stdout.splitlines()[0])["duplicates"] == 3


def test_report_json_shapes(tmp_path: Path) -> None:
    events = write_events(tmp_path / "events.jsonl", conversation())
    db = str(tmp_path / "db.sqlite")
    assert runner.invoke(app, ["replay", str(events), "--db", db]).exit_code == 0
    period = ["--since", "2026-11-01", "--until", "2026-11-08", "--db", db, "--json"]
    health = json.loads(runner.invoke(app, ["report", "health", *period]).stdout)
    assert health["questions"] == 2 and health["answered"] == 1
    assert health["peer_answer_rate"] == 0.5
    assert set(health) >= {"median_first_response_peer_s", "bus_factor", "newcomers_answered"}
    assert health["community"] == "other:c1"
    assert health["period"]["since"] == "2026-11-01T00:00:00Z"
    assert health["period"]["label"] == "1 – 7 Nov 2026 (UTC)"
    assert health["previous"]["period"]["until"] == "2026-11-01T00:00:00Z"
    assert health["previous"]["questions"] == 0
    helpers_report = json.loads(runner.invoke(app, ["report", "helpers", *period]).stdout)
    assert helpers_report["community"] == "other:c1"
    helpers = helpers_report["helpers"]
    assert helpers[0]["user"] == "bob" and helpers[0]["name"] == "Bob"
    assert list(helpers[0])[:4] == ["user", "name", "score", "is_staff"]
    assert {"answers", "people_helped", "thanked", "newcomers_helped",
            "active_weeks"} <= set(helpers[0])
    unanswered = json.loads(runner.invoke(app, ["report", "unanswered", *period]).stdout)
    assert unanswered["period"]["until"] == "2026-11-08T00:00:00Z"
    unanswered = unanswered["questions"]
    assert [q["author"] for q in unanswered] == ["sam"]
    assert set(unanswered[0]) == {"id", "channel", "author", "ts", "age_s", "excerpt"}


def test_report_needs_community_when_several(tmp_path: Path) -> None:
    other = Chat(community="c2")
    other.msg("zed", "hello")
    lines = conversation() + [json.dumps(e.to_json()) for e in other.take()]
    events = write_events(tmp_path / "events.jsonl", lines)
    db = str(tmp_path / "db.sqlite")
    runner.invoke(app, ["replay", str(events), "--db", db])
    result = runner.invoke(app, ["report", "health", "--db", db])
    assert result.exit_code == 2
    assert "--community" in result.stderr
    ok = runner.invoke(app, ["report", "health", "--db", db, "--community", "c2", "--json"])
    assert ok.exit_code == 0, ok.stderr


def test_bad_dates_and_unknown_reports_get_clear_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite")
    result = runner.invoke(app, ["report", "weather", "--db", db])
    assert result.exit_code == 2 and "'weather' is not one of" in result.stderr
    result = runner.invoke(app, ["report", "health", "--db", db, "--since", "last tuesday"])
    assert result.exit_code == 2 and "ISO 8601" in result.stderr


def test_broken_config_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[community]\nanswer_window_hours = "soon"\n[slack]\nmode = "carrier"\n')
    result = runner.invoke(app, ["report", "health", "--config", str(config)])
    assert result.exit_code == 2
    assert "community.answer_window_hours" in result.stderr
    assert "slack.mode" in result.stderr


def test_run_without_tokens_says_what_to_set(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--db", str(tmp_path / "db.sqlite")],
                           env={"INNERCIRCLE_DISCORD_TOKEN": "", "INNERCIRCLE_SLACK_BOT_TOKEN": ""})
    assert result.exit_code == 2
    assert "[discord] token" in result.stderr and "[slack] bot_token" in result.stderr


def test_hostile_names_and_text_are_shown_not_interpreted(tmp_path: Path) -> None:
    chat = Chat()
    q = chat.msg("u1", "Why does [/bold] [red]break[/red] the build?", author_name="[/]")
    chat.msg("u2", "escape it", reply_to=q, author_name="[link=http://x]bob")
    events = write_events(tmp_path / "events.jsonl", [json.dumps(e.to_json()) for e in chat.take()])
    db = str(tmp_path / "db.sqlite")
    assert runner.invoke(app, ["replay", str(events), "--db", db]).exit_code == 0
    period = ["--since", "2026-11-01", "--until", "2026-11-08", "--db", db]
    helpers = runner.invoke(app, ["report", "helpers", *period])
    assert helpers.exit_code == 0, helpers.output
    assert "[link=" in helpers.stdout  # shown as written, not taken as markup


def test_control_sequences_in_names_channels_and_excerpts_are_made_visible(
        tmp_path: Path) -> None:
    chat = Chat()
    q = chat.msg("u1", "Why\x1b[2J does \x1b]8;;http://evil\x07this\u202e fail?\x9b31m",
                 author_name="ann\x1b[31m\nfake row", channel="help\x1b[8m")
    chat.msg("u2", "escape it", reply_to=q, author_name="bob\u202eevil\x85")
    events = write_events(tmp_path / "events.jsonl", [json.dumps(e.to_json()) for e in chat.take()])
    db = str(tmp_path / "db.sqlite")
    replayed = runner.invoke(app, ["replay", str(events), "--db", db + "-first"])
    assert replayed.exit_code == 1  # the channel with a control character is a bad line
    chat = Chat(start=datetime.now(UTC) - timedelta(hours=2))  # excerpts still kept
    q = chat.msg("u1", "Why\x1b[2J does \x1b]8;;http://evil\x07this\u202e fail?\x9b31m",
                 author_name="ann\x1b[31m\nfake row")
    chat.msg("u2", "escape it", reply_to=q, author_name="bob\u202eevil\x85")
    chat.msg("u3", "And what about\x1b[1A this one?", author_name="carl")
    events = write_events(tmp_path / "events.jsonl", [json.dumps(e.to_json()) for e in chat.take()])
    assert runner.invoke(app, ["replay", str(events), "--db", db]).exit_code == 0
    period = ["--db", db]
    for kind in ("helpers", "unanswered"):
        shown = runner.invoke(app, ["report", kind, *period])
        assert shown.exit_code == 0, shown.output
        for unsafe in ("\x1b[2J", "\x1b]8", "\x07", "\u202e", "\x9b", "\x85", "\x1b[1A"):
            assert unsafe not in shown.stdout, (kind, unsafe)
    assert "bob\\u" in runner.invoke(app, ["report", "helpers", *period]).stdout
    assert "\\x1b" in runner.invoke(app, ["report", "unanswered", *period]).stdout


def test_version_and_short_help() -> None:
    from importlib.metadata import version

    shown = runner.invoke(app, ["--version"])
    assert shown.exit_code == 0 and shown.stdout.strip() == f"innercircle {version('innercircle')}"
    helped = runner.invoke(app, ["report", "-h"])
    assert helped.exit_code == 0
    assert "health|helpers|unanswered" in helped.stdout
    assert "last-week" in helped.stdout
    assert "<bool>" not in helped.stdout  # flags take no value


def test_unknown_report_lists_the_choices(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "leaders", "--db", str(tmp_path / "x.sqlite")])
    assert result.exit_code == 2
    assert "health" in result.output and "unanswered" in result.output


def test_relative_periods_and_since_alone(tmp_path: Path) -> None:
    events = write_events(tmp_path / "events.jsonl", conversation())
    db = str(tmp_path / "db.sqlite")
    assert runner.invoke(app, ["replay", str(events), "--db", db]).exit_code == 0
    for name, days in (("7d", 7), ("30d", 30), ("90d", 90)):
        out = json.loads(runner.invoke(app, ["report", "health", "--period", name, "--db", db,
                                             "--json"]).stdout)
        since, until = (out["period"][k] for k in ("since", "until"))
        from datetime import datetime
        span = datetime.fromisoformat(until) - datetime.fromisoformat(since)
        assert span.days == days
    week = json.loads(runner.invoke(app, ["report", "health", "--period", "last-week",
                                          "--db", db, "--json"]).stdout)
    assert datetime.fromisoformat(week["period"]["since"]).weekday() == 0
    assert week["period"]["label"].endswith("(UTC)")
    future = runner.invoke(app, ["report", "health", "--since", "2030-01-01", "--db", db])
    assert future.exit_code == 2
    assert "--since 2030-01-01 is in the future" in future.stderr
    assert "--until must be after" not in future.stderr
    both = runner.invoke(app, ["report", "health", "--since", "2026-01-01", "--period", "7d",
                               "--db", db])
    assert both.exit_code == 2 and "either --period or --since" in both.stderr


def test_empty_results_say_so(tmp_path: Path) -> None:
    events = write_events(tmp_path / "events.jsonl", conversation())
    db = str(tmp_path / "db.sqlite")
    runner.invoke(app, ["replay", str(events), "--db", db])
    old = ["--since", "2020-01-01", "--until", "2020-01-08", "--db", db]
    helpers = runner.invoke(app, ["report", "helpers", *old])
    assert "Nobody answered a question in this period." in helpers.stdout
    unanswered = runner.invoke(app, ["report", "unanswered", *old])
    assert "Every question asked in this period has an answer." in unanswered.stdout
    assert "┏" not in unanswered.stdout  # no header-only table


def test_report_says_which_database_it_read(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INNERCIRCLE_DB", raising=False)
    missing = runner.invoke(app, ["report", "health"])
    assert missing.exit_code == 2
    assert "no database at data/innercircle.sqlite" in missing.stderr
    assert not (tmp_path / "data" / "innercircle.sqlite").exists()  # not created empty
    (tmp_path / "out" / "demo").mkdir(parents=True)
    (tmp_path / "out" / "demo" / "demo.sqlite").touch()
    hinted = runner.invoke(app, ["report", "health"])
    assert "--db out/demo/demo.sqlite" in hinted.stderr


def test_communities_lists_each_with_its_span(tmp_path: Path) -> None:
    other = Chat(community="c2")
    other.msg("zed", "hello")
    lines = conversation() + [json.dumps(e.to_json()) for e in other.take()]
    db = str(tmp_path / "db.sqlite")
    runner.invoke(app, ["replay", str(write_events(tmp_path / "e.jsonl", lines)), "--db", db])
    listed = json.loads(runner.invoke(app, ["communities", "--db", db, "--json"]).stdout)
    assert [c["community"] for c in listed] == ["other:c1", "other:c2"]
    assert (listed[0]["messages"], listed[0]["questions"]) == (3, 2)
    assert listed[1]["first"] == listed[1]["last"]
    table = runner.invoke(app, ["communities", "--db", db])
    assert "other:c1" in table.stdout and "other:c2" in table.stdout
    empty = str(tmp_path / "empty.sqlite")
    runner.invoke(app, ["replay", str(write_events(tmp_path / "n.jsonl", [])), "--db", empty])
    nothing = runner.invoke(app, ["communities", "--db", empty])
    assert nothing.exit_code == 0 and "No community in" in nothing.stdout


def test_check_lists_what_is_wrong_and_exits_1(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for var in ("INNERCIRCLE_DISCORD_TOKEN", "INNERCIRCLE_SLACK_BOT_TOKEN", "INNERCIRCLE_DB"):
        monkeypatch.delenv(var, raising=False)
    config = tmp_path / "config.toml"
    config.write_text('[community]\nack_emoji = ["check"]\n', encoding="utf-8")
    broken = runner.invoke(app, ["check", "--config", str(config)])
    assert broken.exit_code == 1
    assert broken.stdout.startswith("✗ config: ")
    assert "did you mean 'white_check_mark'?" in broken.stdout
    assert "→ fix the settings named above" in broken.stdout
    assert "1 of 1 checks failed." in broken.stdout
    config.write_text("", encoding="utf-8")
    nothing = runner.invoke(app, ["check", "--config", str(config), "--db",
                                  str(tmp_path / "db.sqlite")])
    assert nothing.exit_code == 1
    assert "✓ config: " in nothing.stdout and "✓ database: SQLite file" in nothing.stdout
    assert "✗ no platform configured" in nothing.stdout


def test_replay_summary_uses_correct_plurals(tmp_path: Path) -> None:
    chat = Chat()
    chat.msg("ann", "How do I reset my password?")
    events = write_events(tmp_path / "one.jsonl", [json.dumps(e.to_json()) for e in chat.take()])
    result = runner.invoke(app, ["replay", str(events), "--db", str(tmp_path / "db.sqlite")])
    said = " ".join(result.stdout.split())
    assert "Ingested 1 new message (1 question, 0 answers, 0 acknowledgements) from 1 event; " \
           "0 already known; 0 bad lines." in said
