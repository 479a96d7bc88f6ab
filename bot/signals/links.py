"""Answer linking: which earlier message does a message respond to?

An explicit reply always wins. Otherwise a small trained model ranks the recent messages of
the channel and the option "starts something new" (:mod:`bot.signals.model`), using who is
addressed by name or mention (both ways), distance and time gap, whether the candidate is a
question, same author, the candidate being its author's latest message, and word overlap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from bot.signals.features import carry, scored
from bot.signals.message_info import OFFLINE, SignalCache
from bot.signals.model import LinkModel, load_model
from bot.signals.utterance import Utterance


class Linker:
    """Links a message to the earlier message it responds to, or to nothing."""

    #: how many earlier messages of the same channel the linker looks at
    max_history = 50

    def __init__(self, model: LinkModel | None = None) -> None:
        self.model = model if model is not None else _shipped_model()

    def link(self, msg: Utterance, history: Sequence[Utterance],
             cache: SignalCache = OFFLINE) -> str | None:
        """The id of the message in ``history`` (oldest first) that ``msg`` responds to.
        ``cache``: the community's (see ``SignalCache``)."""
        if msg.reply_to is not None or not history:
            carry(msg, history, cache)  # the next message carries this window on
            return msg.reply_to
        pos = self.model.best(msg, history, cache)
        return None if pos is None else history[pos].id

    def link_confidence(self, msg: Utterance, history: Sequence[Utterance], parent: str,
                        cache: SignalCache = OFFLINE) -> float:
        """How sure the model is that ``msg`` responds to ``parent`` (0..1), given the same
        ``history`` (and ``cache``) as :meth:`link` (call it before ``msg`` joins the window).
        An explicit reply is certain. Costs a second scoring pass: ask only for links that
        may credit."""
        if msg.reply_to is not None:
            return 1.0 if msg.reply_to == parent else 0.0
        for pos in range(len(history) - 1, -1, -1):
            if history[pos].id == parent:
                return self.model.confidence(msg, history, pos, cache)
        return 0.0

    def options(self, msg: Utterance, history: Sequence[Utterance],
                cache: SignalCache = OFFLINE) -> tuple[int | None, list[tuple[int, float]]]:
        """One scoring pass for both the link and its alternatives: the position in
        ``history`` of the best option (``None``: unlinked, as :meth:`link` decides) and every
        candidate's ``(position, probability)`` (a softmax over the options, "starts something
        new" included). For a message with no explicit reply whose answer credit needs the
        alternatives (the answer decision weighs every open question it may answer)."""
        if not history:
            carry(msg, history, cache)  # as link() does
            return None, []
        packed = self.model.packed
        if packed is None:
            found = self.model.scores(msg, history, cache)
        else:  # the model's own fast pass, as in best()
            found = scored(msg, history, packed, cache)[1]
        best, top = found[0]
        for pos, score in found:  # the first of equal scores, as the linker does
            if score > top:
                best, top = pos, score
        weights = [(pos, math.exp(score - top)) for pos, score in found]
        total = sum([weight for _, weight in weights])
        return (None if best < 0 else best,
                [(pos, weight / total) for pos, weight in weights if pos >= 0])


@lru_cache(maxsize=1)
def _shipped_model() -> LinkModel:
    return load_model()


def default_linker() -> Linker:
    """The linker the bot uses: the trained model shipped with the package."""
    return Linker()
