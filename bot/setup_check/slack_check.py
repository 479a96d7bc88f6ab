"""Slack's part of ``innercircle check``: the bot token (and the app token in Socket Mode),
the watched and report channels (found, the bot a member), the moderators (admins or staff
users). Only read calls are made."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import CommunitySettings, SlackSettings
from bot.setup_check import Check, failed, passed
from bot.staff import StaffRule

APPS = "https://api.slack.com/apps → your app"
#: The bot scopes slack/manifest.yaml asks for (a test keeps the two in step).
REQUIRED_SCOPES = ("channels:history", "channels:read", "groups:history", "groups:read",
                   "reactions:read", "users:read", "commands", "chat:write", "im:write",
                   "files:write")


def _client(settings: SlackSettings, token: str) -> AsyncWebClient:
    if settings.api_url:
        return AsyncWebClient(token=token, base_url=settings.api_url)
    return AsyncWebClient(token=token)


def _error(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error", error))
    return str(error)


async def check_slack(settings: SlackSettings, community: CommunitySettings,
                      channel_names: Iterable[str] = ()) -> list[Check]:
    assert settings.bot_token is not None
    client = _client(settings, settings.bot_token)
    try:
        me = await client.auth_test()
    except (SlackApiError, OSError) as error:
        reason = _error(error)
        if reason in ("invalid_auth", "not_authed", "token_revoked", "account_inactive"):
            return [failed(f"Slack: the bot token was rejected ({reason})",
                           f"copy the Bot User OAuth Token ({APPS} → OAuth & Permissions) "
                           "into INNERCIRCLE_SLACK_BOT_TOKEN or [slack] bot_token")]
        return [failed(f"Slack: cannot reach Slack: {reason}",
                       "check the machine's network (and [slack] api_url if set)")]
    checks = [passed(f"Slack: the bot token is valid (workspace {me.get('team')}, bot "
                     f"{me.get('user')})")]
    checks += _scopes(me.headers.get("x-oauth-scopes") if me.headers else None)
    checks += await _app_token(settings)
    member_of = await _channels(client)
    checks += _channel_checks(community, member_of, list(channel_names))
    checks += await _moderators(client, community)
    return checks


def _scopes(granted: str | None) -> list[Check]:
    """Slack's word for what the token may do (its ``x-oauth-scopes`` header)."""
    if granted is None:
        return []  # not every Slack-compatible server says; nothing to judge
    have = {scope.strip() for scope in granted.split(",")}
    lacking = [scope for scope in REQUIRED_SCOPES if scope not in have]
    if lacking:
        return [failed(f"Slack: the app lacks the scopes {', '.join(lacking)}",
                       f"add them ({APPS} → OAuth & Permissions → Bot Token Scopes, or paste "
                       "slack/manifest.yaml again) and reinstall the app to the workspace")]
    return [passed("Slack: the app has every scope it needs")]


async def _app_token(settings: SlackSettings) -> list[Check]:
    if settings.mode != "socket":
        if not settings.signing_secret:
            return [failed("Slack: HTTP mode needs the signing secret",
                           f"copy it ({APPS} → Basic Information) into "
                           "INNERCIRCLE_SLACK_SIGNING_SECRET")]
        return [passed("Slack: HTTP mode with a signing secret")]
    if not settings.app_token:
        return [failed("Slack: Socket Mode needs the app-level token (xapp-…)",
                       f"make one ({APPS} → Basic Information → App-Level Tokens, scope "
                       "connections:write) and set INNERCIRCLE_SLACK_APP_TOKEN")]
    try:
        await _client(settings, settings.app_token).apps_connections_open(
            app_token=settings.app_token)
    except (SlackApiError, OSError) as error:
        return [failed(f"Slack: the app-level token was rejected ({_error(error)})",
                       f"check it ({APPS} → Basic Information → App-Level Tokens) and that "
                       "Socket Mode is enabled")]
    return [passed("Slack: the app-level token opens a Socket Mode connection")]


async def _channels(client: AsyncWebClient) -> dict[str, dict[str, Any]]:
    """The channels the bot is a member of, by id."""
    found: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        page = await client.users_conversations(types="public_channel,private_channel",
                                                limit=200, cursor=cursor)
        channel: dict[str, Any]
        for channel in page.get("channels", []):
            found[channel["id"]] = channel
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return found


def _by_name(member_of: dict[str, dict[str, Any]], value: str) -> str:
    wanted = value.strip().lstrip("#").lower()
    for channel_id, channel in member_of.items():
        if str(channel.get("name", "")).lower() == wanted:
            return f"use the id \"{channel_id}\" (#{wanted}) instead of {value!r}"
    return (f"open #{wanted} in Slack → channel details: the id is at the bottom; invite the "
            "bot there first (/invite @Innercircle)")


def _channel_checks(community: CommunitySettings, member_of: dict[str, dict[str, Any]],
                    names: list[str]) -> list[Check]:
    checks = [failed(f"Slack: {value!r} in the config is a channel name",
                     _by_name(member_of, value)) for value in names]
    watched = community.watched_channels
    for value in watched:
        if value not in member_of:
            checks.append(failed(f"Slack: the bot is not in watched channel {value}",
                                 "invite it: /invite @Innercircle in that channel (or check "
                                 "the id)"))
    if not watched and member_of:
        checks.append(passed(f"Slack: the bot is in {len(member_of)} channels and watches all "
                             "of them"))
    elif not watched:
        checks.append(failed("Slack: the bot is in no channel yet",
                             "invite it: /invite @Innercircle in each community channel"))
    elif all(value in member_of for value in watched):
        checks.append(passed(f"Slack: the bot is in all {len(watched)} watched channels"))
    report = community.report_channel
    if report:
        if report in member_of:
            checks.append(passed(f"Slack: can post the weekly report in {report}"))
        else:
            checks.append(failed(f"Slack: the bot is not in report channel {report}",
                                 "invite it there: /invite @Innercircle"))
    return checks


async def _moderators(client: AsyncWebClient, community: CommunitySettings) -> list[Check]:
    checks = []
    for user in community.moderators:
        try:
            info = (await client.users_info(user=user))["user"]
        except SlackApiError:
            checks.append(failed(f"Slack: moderator {user!r} is not in the workspace",
                                 "use the member's id (profile → ⋮ → Copy member ID)"))
            continue
        name = info.get("real_name") or info.get("name") or user
        admin = bool(info.get("is_admin") or info.get("is_owner"))
        if StaffRule(community).is_staff(user, platform_says=admin):
            checks.append(passed(f"Slack: moderator {name} is staff"))
        else:
            checks.append(failed(f"Slack: moderator {name} is not staff, so gets no digest",
                                 "add their id to staff_users (or make them a workspace "
                                 "admin)"))
    return checks
