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


def test_wrong_values_are_caught_with_what_to_do(tmp_path: Path) -> None:
    from bot.config import ConfigError, load_settings

    config = tmp_path / "config.toml"
    config.write_text('[community]\nwatched_channels = ["#general"]\nreport_channel = "general"\n'
                      'ack_emoji = ["check"]\nwatched_chanels = []\n'
                      '[discord]\nshard_ids = [0, 5]\nshard_count = 2\ntoken = 12345\n',
                      encoding="utf-8")
    try:
        load_settings(config, env={})
    except ConfigError as error:
        message = str(error)
    else:
        raise AssertionError("accepted a broken config")
    assert "community.watched_channels: '#general' is a channel name, not an id" in message
    assert "community.report_channel: 'general' is a channel name" in message
    assert "community.ack_emoji: 'check' is not an emoji name Slack uses; did you mean " \
           "'white_check_mark'?" in message
    assert "community.watched_chanels: unknown setting; did you mean 'watched_channels'?" \
        in message
    assert "discord.token: must be text in quotes" in message and "12345" not in message
    assert "discord.shard_count: shard_ids [5] are outside 0…1" in message


def test_ids_and_emoji_that_are_fine() -> None:
    from bot.config import parse_settings

    settings = parse_settings({"community": {
        "watched_channels": ["123456789012345678", "C0123ABCD"], "report_channel": "C-report",
        "ack_emoji": ["✅", ":white_check_mark:", "+1", "heart"]},
        "discord": {"shard_ids": [0, 1], "shard_count": 2},
        "slack": {"bot_token": "xoxb-1", "app_token": "xapp-1"}})
    assert settings.community.report_channel == "C-report"


def test_tokens_in_the_wrong_place() -> None:
    import pytest

    from bot.config import ConfigError, parse_settings

    with pytest.raises(ConfigError, match=r"slack.bot_token: .*starts with xoxb-"):
        parse_settings({"slack": {"bot_token": "xapp-1"}})
    with pytest.raises(ConfigError, match=r"discord.token: this is a Slack token"):
        parse_settings({"discord": {"token": "xoxb-1"}})
