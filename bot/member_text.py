"""Member text inside the bot's own replies, marked so that every renderer can tell it apart.

A reply mixes the bot's markup (its own mentions, bold labels) with what members wrote
(question excerpts, display names, nomination reasons). Features wrap the members' part in
``member_text()``; each target's escaping module (``bot/platforms/slack_escape.py``,
``bot/platforms/discord_escape.py``, ``bot/render/terminal.py``) then shows it as plain text
that can never ping, link under a false label, format outside its quote or control a terminal.
The markers are two private-use characters; a member's own copies of them are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

OPEN, CLOSE = "\ue000", "\ue001"
_MARKED = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}")


def member_text(text: str) -> str:
    """``text``, written by a member, marked as such (one line)."""
    cleaned = text.replace(OPEN, "").replace(CLOSE, "")
    if "\n" in cleaned or "\r" in cleaned:
        cleaned = " ".join(cleaned.splitlines())
    return f"{OPEN}{cleaned}{CLOSE}"


def render_marked(text: str, member: Callable[[str], str],
                  own: Callable[[str], str] = lambda s: s) -> str:
    """``text`` with member parts passed through ``member`` and the bot's through ``own``."""
    if OPEN not in text:
        return own(text)
    out: list[str] = []
    last = 0
    for match in _MARKED.finditer(text):
        out.append(own(text[last:match.start()]))
        out.append(member(match.group(1)))
        last = match.end()
    out.append(own(text[last:].replace(OPEN, "").replace(CLOSE, "")))
    return "".join(out)


def unmarked(text: str) -> str:
    """``text`` without the markers (JSON output, logs, tests)."""
    return text.replace(OPEN, "").replace(CLOSE, "") if OPEN in text else text
