"""Escaping for the terminal, in one place: member names, channel names and excerpts are
shown, never obeyed. Control characters (escape and OSC sequences, C1 controls, newlines),
bidirectional overrides and line separators are written out visibly (``\\x1b``,
``\\u202e``), so a name can neither clear the screen, hide or fake a row, nor reorder text;
rich markup in them is escaped too."""

from __future__ import annotations

import re

from rich.markup import escape

from bot.member_text import render_marked

# C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks, line/paragraph
# separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                     "\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control or direction character written out."""
    return _UNSAFE.sub(_visible, text)


def cell(text: str) -> str:
    """A member's text as a rich table cell: visible controls, no markup."""
    return escape(visible(text))


def plain(text: str) -> str:
    """A reply's plain text for the terminal (``rich.Text``, no markup): member parts with
    visible controls, the bot's own lines as they are."""
    return render_marked(text, visible)
