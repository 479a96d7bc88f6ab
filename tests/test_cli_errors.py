"""Database and config problems as a user meets them: one line naming the setting that chose
the database and what to do, an exit code, never a traceback (report, replay, demo)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.__main__ import app

runner = CliRunner()


def one_error_line(result: object, code: int) -> str:
    stderr = result.stderr  # type: ignore[attr-defined]
    assert result.exit_code == code, (result.exit_code, stderr)  # type: ignore[attr-defined]
    assert ("Traceback" not in stderr and result.exception is None) or \
        isinstance(result.exception, SystemExit)  # type: ignore[attr-defined]
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), stderr
    return lines[0]


@pytest.mark.parametrize("command", [["report", "health"], ["replay", "EVENTS"]])
def test_database_problems_name_the_setting(tmp_path: Path, command: list[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("", encoding="utf-8")
    command = [str(events) if c == "EVENTS" else c for c in command]
    garbage = tmp_path / "notadb.sqlite"
    garbage.write_bytes(b"this is not a database file at all, just text" * 100)
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    cases = [
        (["--db", "mysql://root@localhost/x"], {}, "--db", "unsupported kind 'mysql'"),
        (["--db", str(garbage)], {}, "--db", "is not a SQLite database"),
        (["--db", str(blocker / "sub" / "db.sqlite")], {}, "--db", "cannot be created"),
        ([], {"INNERCIRCLE_DB": "postgresql://postgres@127.0.0.1:1/x"}, "INNERCIRCLE_DB",
         "cannot be reached"),
    ]
    for options, env, setting, reason in cases:
        for name in ("INNERCIRCLE_DB",):
            monkeypatch.delenv(name, raising=False)
        result = runner.invoke(app, [*command, *options], env=env)
        line = one_error_line(result, 5)
        assert setting in line and reason in line, line


@pytest.mark.postgres
def test_a_missing_postgres_database_names_the_config_key(tmp_path: Path,
                                                          pg_database: str) -> None:
    config = tmp_path / "config.toml"
    missing = pg_database.rsplit("/", 1)[0] + "/innercircle_no_such_db"
    config.write_text(f'[database]\nurl = "{missing}"\n', encoding="utf-8")
    result = runner.invoke(app, ["report", "health", "--config", str(config)],
                           env={"INNERCIRCLE_DB": ""})
    line = one_error_line(result, 5)
    assert "[database] url" in line and "does not exist" in line


def test_the_demo_says_when_its_folder_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["demo", "--out", str(blocker / "demo"), "--weeks", "2"])
    assert result.exit_code != 0 and "Traceback" not in result.stderr
    assert "error:" in result.stderr


def test_a_config_that_is_not_utf8_gets_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'[database]\nurl = "caf\xe9.sqlite"\n')
    line = one_error_line(runner.invoke(app, ["report", "health", "--config", str(config)]), 2)
    assert "not UTF-8" in line


def test_a_date_out_of_range_gets_a_clear_error(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text('{"type":"member_join","community":"c","ts":"2026-11-02T10:00:00Z",'
                      '"user":"u1"}\n', encoding="utf-8")
    db = str(tmp_path / "db.sqlite")
    assert runner.invoke(app, ["replay", str(events), "--db", db]).exit_code == 0
    result = runner.invoke(app, ["report", "health", "--since", "0001-01-01", "--db", db])
    line = one_error_line(result, 2)
    assert "0001-01-01" in line and "out of range" in line
