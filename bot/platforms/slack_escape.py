"""Escaping for Slack, in one place: the bot's own mrkdwn keeps its mentions and links; a
member's text (``bot.member_text``) is shown as plain text: its Slack markup (``<!here>``,
``<!channel>``, ``<!everyone>``, ``<!subteam^…>``, ``<@U…>``, ``<#C…>``, masked links
``<url|label>``) is turned into what it reads as (``@here``, ``label (url)``), and Slack's
entity escaping is undone once before escaping again (no "&amp;amp;"). Mentions of the bot's
own notify only the members a reply means to notify (``Reply.notify``); in messages others
see, the rest are written as names."""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping

from bot.member_text import render_marked

# Slack's own markup, as the bot writes it: mentions, channels, special mentions and links.
_OWN_MARKUP = re.compile(r"<(?:[@#!][^<>\s]+|https?://[^<>\s]+)>")
_ANY_MARKUP = re.compile(r"<([^<>]*)>")
_USER_MENTION = re.compile(r"<@([A-Z0-9]+)>")
SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def escape_plain(text: str) -> str:
    """``&``, ``<`` and ``>`` as entities: nothing in ``text`` is markup any more."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _as_read(match: re.Match[str]) -> str:
    """One piece of Slack markup -> the plain text a reader sees for it."""
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("!"):
        word = target[1:].split("^", 1)[0]
        return label or SPECIAL.get(word, f"@{word}")
    if target.startswith("@"):
        return f"@{label or target[1:]}"
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    return f"{label} ({target})" if label and label != target else target


def member(text: str) -> str:
    """A member's text, shown and never interpreted: no ping, no masked link, no markup."""
    return escape_plain(_ANY_MARKUP.sub(_as_read, html.unescape(text)))


def own(text: str) -> str:
    """The bot's own text: ``&``, ``<``, ``>`` escaped, its mentions and links kept."""
    out: list[str] = []
    last = 0
    for match in _OWN_MARKUP.finditer(text):
        out.append(escape_plain(text[last:match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(escape_plain(text[last:]))
    return "".join(out)


def mrkdwn(text: str, names: Mapping[str, str | None] | None = None,
           notify: Collection[str] = ()) -> str:
    """A reply's text as Slack mrkdwn. With ``names`` (a message others see), the bot's
    mentions of members not in ``notify`` become their names, which notify nobody."""
    rendered = render_marked(text, member, own)
    if names is None:
        return rendered

    def silent(match: re.Match[str]) -> str:
        user = match.group(1)
        if user in notify:
            return match.group(0)
        return "@" + member(names.get(user) or user)

    return _USER_MENTION.sub(silent, rendered)


def mentioned(text: str) -> set[str]:
    """The members the bot's own text mentions (``<@U…>``)."""
    return set(_USER_MENTION.findall(render_marked(text, lambda _: "")))
