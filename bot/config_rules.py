"""What a config value must look like, beyond its type: channel ids rather than names, emoji
Slack knows, shards inside the shard count, tokens of the right kind; and "did you mean"
for unknown keys. Each rule returns a message for a person, or ``None``."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

# Slack's names for the reactions people use to say "that answered it" (and a few others).
SLACK_EMOJI_NAMES = (
    "white_check_mark", "heavy_check_mark", "ballot_box_with_check", "+1", "thumbsup", "-1",
    "thumbsdown", "pray", "heart", "heart_eyes", "tada", "raised_hands", "clap", "100",
    "eyes", "rocket", "star", "fire", "joy", "smile", "ok_hand", "muscle", "sparkles",
)
CHANNEL_KEYS = ("watched_channels", "excluded_channels", "help_channels", "forum_channels",
                "report_channel")
_NAME_LIKE = re.compile(r"[a-z][a-z_-]*")


def looks_like_channel_name(value: str) -> bool:
    """``#general``, ``general``, ``help-desk``: names, not ids (Discord ids are digits;
    Slack ids are upper case, such as ``C0123ABCD``)."""
    text = value.strip()
    return text.startswith("#") or bool(_NAME_LIKE.fullmatch(text))


def channel_value_problem(key: str, value: str) -> str | None:
    """``#name`` is never an id. A bare ``general`` may be the channel id of a replayed JSONL
    community, so only the report channel (always on Discord or Slack) rejects it here;
    ``innercircle check`` resolves the other lists against the platform's channels."""
    name_like = value.strip().startswith("#") or (key == "report_channel"
                                                  and looks_like_channel_name(value))
    if name_like:
        name = value.strip().lstrip("#")
        return (f"{value!r} is a channel name, not an id; `innercircle check` shows the id "
                f"of #{name} (or copy it: Discord: right-click the channel → Copy Channel "
                f"ID; Slack: channel details, at the bottom)")
    return None


def emoji_problem(value: str) -> str | None:
    """An ack emoji must be the emoji itself (✅) or a name Slack uses (white_check_mark)."""
    text = value.strip()
    if not text:
        return "an empty emoji"
    if not text.strip(":").isascii():
        return None
    name = text.strip(":").split("::", 1)[0]
    if name in SLACK_EMOJI_NAMES:
        return None
    guess = _closest_emoji(name)
    hint = f" did you mean {guess!r}?" if guess else ""
    return (f"{value!r} is not an emoji name Slack uses;{hint} Or write the emoji itself, "
            f"such as \"✅\".")


def _closest_emoji(name: str) -> str | None:
    containing = [n for n in SLACK_EMOJI_NAMES if name and name in n]
    if containing:
        return containing[0]
    close = difflib.get_close_matches(name, SLACK_EMOJI_NAMES, n=1, cutoff=0.6)
    return close[0] if close else None


def shards_problem(shard_ids: list[int] | None, shard_count: int | None) -> str | None:
    if shard_ids is None:
        return None
    if shard_count is None:
        return "shard_ids needs shard_count (how many shards the bot runs in all)"
    outside = [s for s in shard_ids if not 0 <= s < shard_count]
    if outside:
        return (f"shard_ids {outside} are outside 0…{shard_count - 1} "
                f"(shard_count = {shard_count})")
    return None


def token_problem(kind: str, value: str) -> str | None:
    """Tokens pasted in the wrong place: a Slack token in the Discord section, and so on."""
    text = value.strip()
    if kind == "discord" and text.startswith(("xoxb-", "xapp-", "xoxp-")):
        return "this is a Slack token; put it in [slack]"
    if kind == "slack_bot" and not text.startswith("xoxb-"):
        return "a Slack bot token starts with xoxb- (OAuth & Permissions → Bot User OAuth Token)"
    if kind == "slack_app" and not text.startswith("xapp-"):
        return "a Slack app-level token starts with xapp- (Basic Information → App-Level Tokens)"
    return None


def did_you_mean(key: str, known: Iterable[str]) -> str:
    """``unknown setting; did you mean 'watched_channels'?`` (or just the first part)."""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"unknown setting; did you mean {close[0]!r}?" if close else "unknown setting"
