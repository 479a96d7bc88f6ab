"""One spelling for reaction emoji: Slack-style names and Unicode both become Unicode."""

from __future__ import annotations

# Slack and Discord names for the emoji the bot cares about, and a few common others.
_NAMES: dict[str, str] = {
    "white_check_mark": "✅",
    "heavy_check_mark": "✔",
    "ballot_box_with_check": "☑",
    "check": "✅",
    "+1": "👍",
    "thumbsup": "👍",
    "thumbs_up": "👍",
    "-1": "👎",
    "thumbsdown": "👎",
    "pray": "🙏",
    "folded_hands": "🙏",
    "heart": "❤️",
    "red_heart": "❤️",
    "heart_eyes": "😍",
    "tada": "🎉",
    "raised_hands": "🙌",
    "clap": "👏",
    "100": "💯",
    "eyes": "👀",
    "rocket": "🚀",
    "star": "⭐",
    "fire": "🔥",
    "joy": "😂",
    "smile": "😄",
}

_VARIATION_SELECTOR = "\ufe0f"


def normalize_emoji(emoji: str) -> str:
    """``:white_check_mark:``, ``white_check_mark`` and ``✅`` all become ``✅``.

    Skin-tone suffixes (``+1::skin-tone-2``) are dropped; unknown names stay as the bare name;
    Unicode emoji lose their variation selector except the red heart, kept in its usual form.
    """
    text = emoji.strip()
    if not text:
        return ""
    name = text.strip(":").split("::", 1)[0].lower()
    if name in _NAMES:
        return _NAMES[name]
    if name.isascii():
        return name
    bare = text.replace(_VARIATION_SELECTOR, "")
    # Skin-tone modifiers U+1F3FB..U+1F3FF
    bare = "".join(ch for ch in bare if not 0x1F3FB <= ord(ch) <= 0x1F3FF)
    if bare == "❤":
        return "❤️"
    return bare


def normalize_emoji_set(emoji: list[str] | tuple[str, ...]) -> frozenset[str]:
    """A configured list of emoji, normalised."""
    return frozenset(e for e in (normalize_emoji(x) for x in emoji) if e)
