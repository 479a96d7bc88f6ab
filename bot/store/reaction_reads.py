"""Reads of the reaction catch-up: the answers an acknowledging reaction added while the bot
was away could still change (see ``bot.reaction_catchup``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, false, or_, select, true

from bot.scope import Scope
from bot.store import schema
from bot.store.database import Database
from bot.store.schema import in_scope

a, m = schema.answers, schema.messages


@dataclass(frozen=True, slots=True)
class AnswerToRecheck:
    """A stored answer (or candidate) its asker has not acknowledged, and where it lives."""

    answer_id: str
    channel: str
    thread: str | None
    ts: float
    active: bool
    confidence: float | None
    via: str


class ReactionQueries(Database):
    """Mixed into ``Store``."""

    async def unacknowledged_answers(self, scope: Scope, since: float, until: float,
                                     limit: int) -> list[AnswerToRecheck]:
        """Answer rows (counted, or candidates with some confidence) posted in [``since``,
        ``until``] that their asker has not acknowledged, on messages not deleted; newest
        first, at most ``limit`` rows."""
        query = (
            select(a.c.answer_id, m.c.channel, m.c.thread, a.c.ts, a.c.active, a.c.confidence,
                   a.c.via)
            .join(m, and_(m.c.platform == a.c.platform, m.c.community == a.c.community,
                          m.c.id == a.c.answer_id))
            .where(in_scope(a, scope), a.c.ts >= since, a.c.ts <= until,
                   a.c.acknowledged == false(), m.c.deleted == false(),
                   or_(a.c.active == true(), a.c.confidence > 0))
            .order_by(a.c.ts.desc(), a.c.answer_id).limit(limit)
        )
        async with self.engine.connect() as conn:
            return [AnswerToRecheck(*row) for row in await conn.execute(query)]
