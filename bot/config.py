"""config.toml -> typed settings. Secrets also come from the environment, which wins.

Per-community settings changed by ``/circle config`` live in the database and win over
both for their community (see ``CommunitySettings.with_overrides``).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from bot import config_rules

DEFAULT_DB = "data/innercircle.sqlite"

ENV_DB = "INNERCIRCLE_DB"
ENV_SECRETS: dict[tuple[str, str], str] = {
    ("discord", "token"): "INNERCIRCLE_DISCORD_TOKEN",
    ("slack", "bot_token"): "INNERCIRCLE_SLACK_BOT_TOKEN",
    ("slack", "app_token"): "INNERCIRCLE_SLACK_APP_TOKEN",
    ("slack", "signing_secret"): "INNERCIRCLE_SLACK_SIGNING_SECRET",
}

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(ValueError):
    """A broken config: the message names the key and what is wrong."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class CommunitySettings(_Section):
    """Per-community settings: config.toml's ``[community]`` holds the defaults."""

    staff_roles: list[str] = Field(default_factory=lambda: ["admin", "moderator", "staff"])
    staff_users: list[str] = Field(default_factory=list)
    ignored_users: list[str] = Field(default_factory=list)
    watched_channels: list[str] = Field(default_factory=list)
    excluded_channels: list[str] = Field(default_factory=list)
    help_channels: list[str] = Field(default_factory=list)
    forum_channels: list[str] = Field(default_factory=list)
    ack_emoji: list[str] = Field(default_factory=lambda: ["✅", "👍", "🙏", "❤️"])
    answer_window_hours: float = Field(72, gt=0)
    text_retention_hours: float = Field(216, ge=0)
    newcomer_days: int = Field(30, ge=1)
    timezone: str = "UTC"
    report_channel: str | None = None
    report_weekday: str = "mon"
    report_hour: int = Field(9, ge=0, le=23)
    post_grace_hours: float = Field(24, ge=0)
    moderators: list[str] = Field(default_factory=list)
    reward_role: str | None = None
    reward_cooldown_weeks: int = Field(8, ge=0)
    nominations_per_week: int = Field(3, ge=0, le=25)
    unanswered_alert_hours: float = Field(24, gt=0)
    drift_drop_ratio: float = Field(0.3, gt=0, lt=1)
    bus_factor_alert: int = Field(2, ge=0)
    bus_factor_min_answers: int = Field(10, ge=0)

    @field_validator("watched_channels", "excluded_channels", "help_channels", "forum_channels")
    @classmethod
    def _channel_ids(cls, values: list[str]) -> list[str]:
        for value in values:
            problem = config_rules.channel_value_problem("list", value)
            if problem:
                raise ValueError(problem)
        return values

    @field_validator("report_channel")
    @classmethod
    def _report_channel_id(cls, value: str | None) -> str | None:
        problem = (None if value is None
                   else config_rules.channel_value_problem("report_channel", value))
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("ack_emoji")
    @classmethod
    def _emoji(cls, values: list[str]) -> list[str]:
        for value in values:
            problem = config_rules.emoji_problem(value)
            if problem:
                raise ValueError(problem)
        return values

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (use an IANA name such as "
                             "'Europe/Berlin')") from None
        return value

    @field_validator("report_weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        day = value.strip().lower()[:3]
        if day not in WEEKDAYS:
            raise ValueError(f"must be one of {', '.join(WEEKDAYS)}")
        return day

    def with_overrides(self, overrides: dict[str, Any]) -> CommunitySettings:
        """These settings with a community's stored overrides applied (validated)."""
        if not overrides:
            return self
        return CommunitySettings.model_validate({**self.model_dump(), **overrides})


class DatabaseSettings(_Section):
    url: str | None = None


class EngineSettings(_Section):
    batch_size: int = Field(500, ge=1, le=100_000)
    flush_interval_s: float = Field(0.5, gt=0)
    undelivered_file: str = "data/undelivered-events.jsonl"


class DiscordSettings(_Section):
    token: str | None = None
    api_base: str | None = None
    gateway_url: str | None = None
    shard_ids: list[int] | None = None
    shard_count: int | None = Field(None, ge=1)
    catchup_days: int = Field(14, ge=0)
    sync_commands: bool = True

    @field_validator("token")
    @classmethod
    def _token(cls, value: str | None) -> str | None:
        problem = None if value is None else config_rules.token_problem("discord", value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("shard_count")
    @classmethod
    def _shards(cls, value: int | None, info: ValidationInfo) -> int | None:
        problem = config_rules.shards_problem(info.data.get("shard_ids"), value)
        if problem:
            raise ValueError(problem)
        return value


class SlackSettings(_Section):
    bot_token: str | None = None
    app_token: str | None = None
    signing_secret: str | None = None
    mode: Literal["socket", "http"] = "socket"
    api_url: str | None = None
    http_host: str = "0.0.0.0"
    http_port: int = Field(3000, ge=1, le=65535)
    catchup_days: int = Field(14, ge=0)

    @field_validator("bot_token")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        problem = None if value is None else config_rules.token_problem("slack_bot", value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("app_token")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        problem = None if value is None else config_rules.token_problem("slack_app", value)
        if problem:
            raise ValueError(problem)
        return value


class DashboardSettings(_Section):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    public_url: str | None = None
    link_ttl_minutes: float = Field(60, gt=0)
    session_hours: float = Field(12, gt=0)

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else None

    def base_url(self) -> str:
        """Where links point: ``public_url``, else the address it listens on."""
        return self.public_url or f"http://{self.host}:{self.port}"


class Settings(_Section):
    """Everything config.toml holds."""

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)
    community: CommunitySettings = Field(default_factory=CommunitySettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    dashboard: DashboardSettings = Field(default_factory=DashboardSettings)


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    """The setting names allowed where ``loc`` points (for "did you mean")."""
    model: Any = Settings
    for part in loc[:-1]:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = field.annotation
    return list(getattr(model, "model_fields", {}))


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        loc = tuple(p for p in item["loc"] if not isinstance(p, int))
        key = ".".join(str(p) for p in loc) or "(top level)"
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = config_rules.did_you_mean(str(loc[-1]), _fields_at(loc))
        elif item["type"] == "string_type":
            message = (f"must be text in quotes, such as {loc[-1]} = \"…\" "
                       f"(got {item['input']!r})")
        if key.endswith(("token", "secret")) and "input" in item:
            message = message.replace(repr(item["input"]), "a number")
        lines.append(f"{key}: {message}")
    return "\n  ".join(["", *lines]) if len(lines) > 1 else lines[0]


def parse_settings(data: dict[str, Any], *, source: str = "config") -> Settings:
    """Validate a decoded config; a ``ConfigError`` names each bad key."""
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"{source}: {_describe(error)}") from None


def read_config(path: Path | str | None, env: dict[str, str] | None = None
                ) -> tuple[dict[str, Any], str]:
    """config.toml's contents (``None``: ``config.toml`` if present, else nothing) with the
    environment's secrets over them, not yet validated; and where they came from."""
    env = dict(os.environ) if env is None else env
    data: dict[str, Any] = {}
    source = "defaults"
    if path is None and Path("config.toml").exists():
        path = "config.toml"
    if path is not None:
        file = Path(path)
        source = str(file)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{file}: no such config file") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{file}: not valid TOML: {error}") from None
    for (section, key), var in ENV_SECRETS.items():
        if env.get(var):
            data.setdefault(section, {})
            if not isinstance(data[section], dict):
                raise ConfigError(f"{source}: {section}: must be a table")
            data[section][key] = env[var]
    return data, source


def load_settings(path: Path | str | None, env: dict[str, str] | None = None) -> Settings:
    """Read config.toml (``None``: ``config.toml`` if present, else defaults), then the
    environment's secrets over it."""
    data, source = read_config(path, env)
    return parse_settings(data, source=source)


def database_url(cli_value: str | None, settings: Settings, env: dict[str, str] | None = None
                 ) -> str:
    """``--db``, else ``INNERCIRCLE_DB``, else ``[database] url``, else the default file.

    A plain path becomes a SQLite URL; anything with ``://`` is taken as a database URL.
    """
    env = dict(os.environ) if env is None else env
    value = cli_value or env.get(ENV_DB) or settings.database.url or DEFAULT_DB
    return to_sqlalchemy_url(value)


def to_sqlalchemy_url(value: str) -> str:
    """A file path or database URL -> an async SQLAlchemy URL."""
    if "://" not in value:
        return f"sqlite+aiosqlite:///{value}"
    scheme, rest = value.split("://", 1)
    if scheme in ("sqlite", "sqlite3"):
        return f"sqlite+aiosqlite://{rest}"
    if scheme in ("postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg"):
        return f"postgresql+asyncpg://{rest}"
    return value
