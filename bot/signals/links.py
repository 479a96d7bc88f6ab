"""Answer linking: which earlier message does a message respond to?

Explicit signals first (a reply, a mention of a recent author, ``name:`` addressing), then
an implicit guess for chat without reply markers: the most recent question by someone else
within a short time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.signals.utterance import Utterance

_ADDRESS = re.compile(r"^\s*@?([\w.\-\[\]|`^{}]+)\s*[:,]")

IMPLICIT_GAP_S = 15 * 60


class Linker:
    """Links a message to the earlier message it responds to, or to nothing."""

    #: how many earlier messages of the same channel the linker looks at
    max_history = 50

    def link(self, msg: Utterance, history: Sequence[Utterance]) -> str | None:
        """The id of the message in ``history`` (oldest first) that ``msg`` responds to."""
        if msg.reply_to is not None:
            return msg.reply_to
        addressed = self._addressed(msg, history)
        if addressed is not None:
            return addressed
        for earlier in reversed(history):
            if msg.ts - earlier.ts > IMPLICIT_GAP_S:
                break
            if earlier.author != msg.author and earlier.is_question:
                return earlier.id
        return None

    @staticmethod
    def _addressed(msg: Utterance, history: Sequence[Utterance]) -> str | None:
        targets = set(msg.mentions)
        match = _ADDRESS.match(msg.text)
        name = match.group(1).lower() if match else None
        for earlier in reversed(history):
            if earlier.author == msg.author:
                continue
            if earlier.author in targets or (
                name is not None and (earlier.author_name or "").lower() == name
            ):
                return earlier.id
        return None


def default_linker() -> Linker:
    """The linker the bot uses."""
    return Linker()
