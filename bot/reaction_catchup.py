"""Catching up on acknowledging reactions to messages stored before the bot went away.

A catch-up reads the messages posted after each place's cursor, with their reactions. A
reaction added while the bot was away to a message stored *before* (an answer given
yesterday, thanked during the night) is not among them. So, before that read, each stored
answer of the answer window that its asker has not acknowledged, and that one
acknowledgement could still change (a counted answer, or a candidate that one
acknowledgement lifts over the credit threshold), is read back from the platform with its
reactions, and those go to the engine like live ones.

- Idempotent: an acknowledgement is stored once per (message, member, emoji); an answer
  already acknowledged is not read again; a candidate is read only while one
  acknowledgement lifts it, so the same reaction read twice never moves it twice.
- Bounded: at most ``MAX_MESSAGES`` messages a catch-up, newest first; the platform clients
  wait out rate limits (``Retry-After``), and a read that still fails stops the round (the
  next catch-up reads again).
- Timed at the catch-up: platforms keep no reaction time, so a reaction read back counts as
  given now (a candidate whose question is past the answer window by then is not lifted).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from bot.engine import Engine
from bot.events import Event
from bot.scope import Scope
from bot.signals.credit import revisable, revise
from bot.store import Store
from bot.store.reaction_reads import AnswerToRecheck

log = logging.getLogger(__name__)

MAX_MESSAGES = 100  # messages read back at most per catch-up


class ReactionSource(Protocol):
    """Where reactions are read back from (an adapter's history)."""

    scope: Scope

    async def reactions_on(self, answers: Sequence[AnswerToRecheck], at: float
                           ) -> list[Event]:
        """The acknowledging reactions now on these messages, timed ``at``."""
        ...


def worth_rechecking(row: AnswerToRecheck) -> bool:
    """Whether the asker's acknowledgement could change this answer row now: it counts
    (the acknowledgement weighs), or one acknowledgement lifts it over the threshold."""
    if row.active:
        return True
    if row.confidence is None or not revisable(row.confidence, row.active, row.via):
        return False
    return revise(row.confidence, row.via, acknowledged=True)[1]


def to_recheck(rows: Sequence[AnswerToRecheck]) -> list[AnswerToRecheck]:
    """One row per message worth reading back, newest first."""
    chosen: dict[str, AnswerToRecheck] = {}
    for row in rows:
        if row.answer_id not in chosen and worth_rechecking(row):
            chosen[row.answer_id] = row
    return list(chosen.values())


async def recover_reactions(source: ReactionSource, engine: Engine, store: Store, now: float,
                            window_s: float) -> int:
    """Read back the reactions on the answers of the last ``window_s`` seconds that could
    still be acknowledged, and ingest them; how many reactions were found."""
    await engine.flush()  # what arrived live is stored: its acknowledgements count
    rows = await store.unacknowledged_answers(source.scope, now - window_s, now,
                                              MAX_MESSAGES)
    wanted = to_recheck(rows)
    if not wanted:
        return 0
    events = await source.reactions_on(wanted, now)
    if events:
        await engine.ingest(events, catchup=True)
    log.info("catch-up of %s: %d acknowledging reactions on %d earlier answers read back",
             source.scope, len(events), len(wanted))
    return len(events)
