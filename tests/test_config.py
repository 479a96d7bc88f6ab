"""config.toml, the environment and the database URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, database_url, load_settings


def test_example_config_is_valid_and_complete() -> None:
    settings = load_settings(Path(__file__).parents[1] / "config.example.toml", env={})
    assert settings.community.answer_window_hours == 72
    text = (Path(__file__).parents[1] / "config.example.toml").read_text()
    for section, model in Settings.model_fields.items():
        assert f"[{section}]" in text
        for key in model.annotation.model_fields:  # type: ignore[union-attr]
            assert key in text, f"config.example.toml does not document {section}.{key}"


def test_environment_secrets_win(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[discord]\ntoken = "from-file"\n')
    settings = load_settings(config, env={"INNERCIRCLE_DISCORD_TOKEN": "from-env"})
    assert settings.discord.token == "from-env"


@pytest.mark.parametrize(("text", "message"), [
    ("[community\n", "not valid TOML"),
    ("[community]\ntimezone = \"Mars/Olympus\"\n", "community.timezone"),
    ("[community]\nreport_hour = 25\n", "community.report_hour"),
    ("[community]\nreport_weekday = \"someday\"\n", "community.report_weekday"),
    ("[nonsense]\n", "nonsense: unknown setting"),
])
def test_broken_config_says_which_key(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(config, env={})


def test_missing_config_file() -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings("/nonexistent/config.toml", env={})


def test_database_url_precedence() -> None:
    settings = Settings.model_validate({"database": {"url": "postgresql://db/x"}})
    assert database_url("a.sqlite", settings, env={}) == "sqlite+aiosqlite:///a.sqlite"
    assert database_url(None, settings, env={"INNERCIRCLE_DB": "b.sqlite"}).endswith("b.sqlite")
    assert database_url(None, settings, env={}) == "postgresql+asyncpg://db/x"
    assert database_url(None, Settings(), env={}).endswith("data/innercircle.sqlite")
