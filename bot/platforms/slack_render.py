"""Neutral ``Reply`` -> Slack Block Kit, and Slack links. Pure functions.

Block Kit limits respected here: 50 blocks a message, a header of 150 characters, section
text of 3000, 10 fields a section (2000 characters each), 25 buttons an actions block.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.features import Button, Reply
from bot.member_text import unmarked
from bot.platforms.slack_escape import mrkdwn

MAX_BLOCKS = 50
HEADER_CHARS = 150
SECTION_CHARS = 3000
FIELD_CHARS = 2000
FIELDS_PER_SECTION = 10
BUTTONS_PER_BLOCK = 25
BUTTON_LABEL_CHARS = 75
FALLBACK_CHARS = 3900

TONE_MARK = {"info": "", "good": ":white_check_mark: ", "warn": ":warning: ",
             "error": ":no_entry: "}

def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _chunks(lines: list[str], limit: int) -> list[str]:
    """Lines joined into as few texts of at most ``limit`` characters as possible."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = _cut(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button_element(button: Button) -> dict[str, Any]:
    """One button; its ``action_id`` (and value) is the neutral ``Button.action``."""
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": _cut(button.label, BUTTON_LABEL_CHARS),
                 "emoji": True},
        "action_id": button.action,
        "value": button.action,
    }
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


def reply_blocks(reply: Reply, names: Mapping[str, str | None] | None = None
                 ) -> list[dict[str, Any]]:
    """A reply as Block Kit: header, text, fields, lines, footer (context), buttons. With
    ``names`` (a message others see) only ``reply.notify`` is mentioned; others are named."""

    def escape(text: str) -> str:
        return mrkdwn(text, names, reply.notify)

    blocks: list[dict[str, Any]] = [{
        "type": "header",
        "text": {"type": "plain_text", "text": _cut(unmarked(reply.title) or " ", HEADER_CHARS),
                 "emoji": True},
    }]
    if reply.text:
        mark = TONE_MARK.get(reply.tone, "")
        blocks.extend(_section(c) for c in _chunks([mark + escape(reply.text)], SECTION_CHARS))
    inline = [f for f in reply.fields if f.inline]
    for start in range(0, len(inline), FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": _cut(f"*{escape(f.name)}*\n{escape(f.value)}",
                                            FIELD_CHARS)}
            for f in inline[start:start + FIELDS_PER_SECTION]]})
    for f in reply.fields:
        if not f.inline:
            blocks.extend(_section(c) for c in _chunks([f"*{escape(f.name)}*", escape(f.value)],
                                                        SECTION_CHARS))
    if reply.lines:
        blocks.extend(_section(c) for c in _chunks([escape(x) for x in reply.lines],
                                                    SECTION_CHARS))
    tail: list[dict[str, Any]] = []
    if reply.footer:
        tail.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": _cut(escape(reply.footer), SECTION_CHARS)}]})
    buttons = reply.buttons
    for start in range(0, len(buttons), BUTTONS_PER_BLOCK):
        tail.append({"type": "actions", "elements": [
            button_element(b) for b in buttons[start:start + BUTTONS_PER_BLOCK]]})
    room = MAX_BLOCKS - len(tail)
    if len(blocks) > room:
        blocks = [*blocks[:room - 1], _section("… (cut: too long for one Slack message)")]
    return blocks + tail


def fallback_text(reply: Reply, names: Mapping[str, str | None] | None = None) -> str:
    """The notification text and the screen-reader version of a reply, escaped like the
    blocks (Slack reads it as mrkdwn too)."""
    return _cut(mrkdwn(reply.plain_text(marked=True), names, reply.notify), FALLBACK_CHARS)


def message_link(channel: str, ts: str, base: str = "https://slack.com") -> str:
    """The permalink form ``https://slack.com/archives/C123/p1700000000000100``."""
    return f"{base.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
