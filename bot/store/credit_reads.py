"""Reads that explain credit: a member's counted answers, each with its route and confidence."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import and_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.scope import Scope
from bot.store import schema
from bot.store.schema import in_scope

a, e, mem = schema.answers, schema.excerpts, schema.members


class CreditRow(NamedTuple):
    """One counted answer message of a member, with what explains it."""

    question_id: str
    answer_id: str
    asker: str
    question_ts: float
    ts: float
    route: str
    confidence: float | None
    acknowledged: bool
    excerpt: str | None  # the question's text while it is retained
    asker_name: str | None
    asker_left: bool


async def member_credits(conn: AsyncConnection, scope: Scope, member: str, since: float,
                         until: float, now: float) -> list[CreditRow]:
    """``member``'s counted answers given in [since, until), oldest first."""
    asker = mem.alias("asker")
    rows = await conn.execute(
        select(a.c.question_id, a.c.answer_id, a.c.asker, a.c.question_ts, a.c.ts, a.c.via,
               a.c.confidence, a.c.acknowledged, e.c.text, asker.c.name,
               asker.c.left_at.isnot(None) & (asker.c.joined_at.is_(None)
                                              | (asker.c.left_at >= asker.c.joined_at)))
        .select_from(
            a.outerjoin(e, and_(e.c.platform == a.c.platform, e.c.community == a.c.community,
                                e.c.message_id == a.c.question_id, e.c.expires_at > now))
            .outerjoin(asker, and_(asker.c.platform == a.c.platform,
                                   asker.c.community == a.c.community,
                                   asker.c.user_id == a.c.asker)))
        .where(in_scope(a, scope), a.c.answerer == member, a.c.active == true(),
               a.c.answerer != a.c.asker, a.c.ts >= since, a.c.ts < until)
        .order_by(a.c.ts, a.c.answer_id)
    )
    return [CreditRow(q, ans, who, qts, ts, via, conf, bool(ack), text, name, bool(left))
            for q, ans, who, qts, ts, via, conf, ack, text, name, left in rows]


async def find_members(conn: AsyncConnection, scope: Scope, key: str
                       ) -> list[tuple[str, str | None]]:
    """Members whose id is ``key``, else whose stored name is ``key`` (case-insensitive)."""
    rows = (await conn.execute(select(mem.c.user_id, mem.c.name).where(
        in_scope(mem, scope), mem.c.user_id == key))).all()
    if not rows:
        rows = (await conn.execute(select(mem.c.user_id, mem.c.name).where(
            in_scope(mem, scope), mem.c.name.ilike(key.replace("%", r"\%").replace("_", r"\_"),
                                                   escape="\\")))).all()
    return [(user, name) for user, name in rows]
