"""``innercircle check``: the config, the database and each configured platform, as a ✓/✗
list with what to do for each ✗."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings, database_url, parse_settings, read_config
from bot.config_rules import CHANNEL_KEYS, channel_value_problem
from bot.setup_check import Check, failed, passed
from bot.setup_check.database import check_database


def without_channel_names(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of the config with channel names (where ids belong) taken out, and the names."""
    data = copy.deepcopy(data)
    community = data.get("community")
    names: list[str] = []
    if not isinstance(community, dict):
        return data, names
    for key in CHANNEL_KEYS:
        value = community.get(key)
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list):
            continue
        bad = [v for v in values if isinstance(v, str) and channel_value_problem(key, v)]
        if bad:
            names += bad
            kept = [v for v in values if v not in bad]
            community[key] = kept if isinstance(value, list) else None
    return data, names


def settings_to_check(path: Path | None, env: dict[str, str] | None = None
                      ) -> tuple[Settings | None, list[str], Check]:
    """The settings to check with; the channel names to resolve; the config's own ✓/✗.
    A config whose only fault is channel names still gives settings, so the platform
    checks can say which id each name has."""
    try:
        data, source = read_config(path, env)
    except ConfigError as error:
        return None, [], failed(f"config: {error}", "fix the file (config.example.toml "
                                "documents every setting)")
    try:
        return (parse_settings(data, source=source), [],
                passed(f"config: {source} is valid"))
    except ConfigError as error:
        problem = failed(f"config: {error}", "fix the settings named above "
                         "(config.example.toml documents every setting)")
    stripped, names = without_channel_names(data)
    try:
        return parse_settings(stripped, source=source), names, problem
    except ConfigError:
        return None, [], problem


async def run_checks(path: Path | None, db: str | None, env: dict[str, str] | None = None
                     ) -> list[Check]:
    """Every check that applies, in order: config, database, Discord, Slack."""
    settings, names, config_check = settings_to_check(path, env)
    checks = [config_check]
    if settings is None:
        return checks
    checks += await check_database(database_url(db, settings, env))
    community = settings.community
    if not settings.discord.token and not settings.slack.bot_token:
        checks.append(failed("no platform configured",
                             "set INNERCIRCLE_DISCORD_TOKEN (Discord) and/or "
                             "INNERCIRCLE_SLACK_BOT_TOKEN (Slack); see docs/discord.md or "
                             "docs/slack.md"))
    if settings.discord.token:
        from bot.setup_check.discord_check import check_discord

        checks += await check_discord(settings.discord, community, names)
    if settings.slack.bot_token:
        from bot.setup_check.slack_check import check_slack

        checks += await check_slack(settings.slack, community, names)
    return checks
