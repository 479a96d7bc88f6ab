"""Slack Web API errors, said so that a person can act on them."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

AUTH_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed",
                         "token_expired", "missing_scope"})


class SlackAuthError(RuntimeError):
    """Slack refused the bot token: nothing can work until it is replaced."""


def error_code(error: SlackApiError) -> str:
    """The reason Slack gave (``not_in_channel``, ``ratelimited``, ...)."""
    response = error.response
    code = None
    try:
        code = response.get("error")
    except Exception:
        code = None
    if getattr(response, "status_code", None) == 429:
        return "ratelimited"
    return str(code or f"HTTP {getattr(response, 'status_code', '?')}")


def explain(code: str) -> str:
    """A reason a person can act on."""
    return {
        "not_in_channel": "the bot is not a member of the channel (invite it with /invite)",
        "channel_not_found": "the channel does not exist or the bot cannot see it",
        "invalid_auth": "Slack refused the bot token (invalid_auth): set a new "
                        "INNERCIRCLE_SLACK_BOT_TOKEN",
        "token_revoked": "the bot token was revoked (token_revoked): reinstall the app and "
                         "set the new INNERCIRCLE_SLACK_BOT_TOKEN",
        "account_inactive": "the bot user was deactivated (account_inactive)",
        "missing_scope": "the app lacks a scope it needs (missing_scope): reinstall it from "
                         "slack/manifest.yaml",
        "ratelimited": "Slack rate-limited the bot beyond the retries; it will try again later",
        "cannot_dm_bot": "that user is a bot",
        "user_disabled": "that member's account is deactivated",
    }.get(code, code)
