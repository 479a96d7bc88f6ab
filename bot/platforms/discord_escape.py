"""Escaping for Discord, in one place: a member's text (``bot.member_text``) is shown as
plain text (markdown escaped, masked links ``[text](url)`` written out as "text (url)",
``@everyone``/``@here`` and mentions broken), and every message the bot sends carries
``allowed_mentions`` that let only the members it means to notify (``Reply.notify``) be
pinged: never everyone, never a role."""

from __future__ import annotations

import re
from collections.abc import Collection

import discord

from bot.member_text import render_marked

_MASKED_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*<?([^()<>\s]*)>?[^()]*\)")


def member(text: str) -> str:
    """A member's text, shown and never interpreted."""
    text = _MASKED_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    text = discord.utils.escape_markdown(text, ignore_links=False)
    return discord.utils.escape_mentions(text).replace("<", "<\u200b")


def text(value: str) -> str:
    """A reply's text as Discord markdown."""
    return render_marked(value, member)


def allowed_mentions(notify: Collection[str] = ()) -> discord.AllowedMentions:
    """Only the members in ``notify`` may be pinged."""
    return discord.AllowedMentions(
        everyone=False, roles=False, replied_user=False,
        users=[discord.Object(int(u)) for u in notify if u.isdigit()])
