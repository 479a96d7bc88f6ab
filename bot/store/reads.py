"""Reads the engine needs while ingesting: earlier messages, answers, open questions."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, false, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.scope import Scope
from bot.store import schema
from bot.store.driver import fetch_tuples, stored_keys
from bot.store.facts import AnswerInfo, MessageInfo
from bot.store.schema import in_scope
from bot.store.writes import chunks

m, a = schema.messages, schema.answers



_INFO_COLUMNS = (
    m.c.id, m.c.channel, m.c.author, m.c.ts, m.c.thread, m.c.is_question, m.c.not_question,
    m.c.deleted, m.c.author_is_staff, m.c.parent,
)


def _info(row: object) -> MessageInfo:
    return MessageInfo(*row)  # type: ignore[misc]


async def message_infos(conn: AsyncConnection, scope: Scope, ids: Iterable[str]
                        ) -> dict[str, MessageInfo]:
    """The stored messages among ``ids``."""
    found: dict[str, MessageInfo] = {}
    for part in chunks(set(ids)):
        rows = await conn.execute(
            select(*_INFO_COLUMNS).where(in_scope(m, scope), m.c.id.in_(part)))
        for row in rows:
            found[row.id] = _info(row)
    return found


async def newest_message_ts(conn: AsyncConnection, scope: Scope) -> float:
    """The time of the newest stored message of ``scope`` (-inf when there is none)."""
    newest = (await conn.execute(select(func.max(m.c.ts)).where(in_scope(m, scope)))).scalar()
    return float("-inf") if newest is None else float(newest)


async def first_message_ts(conn: AsyncConnection, scope: Scope) -> float | None:
    """The time of the oldest stored message of ``scope`` (``None`` when there is none)."""
    oldest = (await conn.execute(select(func.min(m.c.ts)).where(in_scope(m, scope)))).scalar()
    return None if oldest is None else float(oldest)


async def stored_message_ids(conn: AsyncConnection, scope: Scope, ids: Iterable[str]
                             ) -> set[str]:
    """Which of ``ids`` are stored already (read from the primary key alone)."""
    return await stored_keys(conn, "messages", "id", scope, set(ids))


def _answer(row: object) -> AnswerInfo:
    return AnswerInfo(*row)  # type: ignore[misc]


_ANSWER_COLUMNS = (
    a.c.question_id, a.c.answer_id, a.c.answerer, a.c.asker, a.c.question_ts, a.c.ts, a.c.via,
    a.c.answerer_is_staff, a.c.active, a.c.confidence, a.c.acknowledged,
)


async def answers_by_message(conn: AsyncConnection, scope: Scope, answer_ids: Iterable[str]
                             ) -> list[AnswerInfo]:
    """Answer rows whose answer message is among ``answer_ids``."""
    out: list[AnswerInfo] = []
    for part in chunks(set(answer_ids)):
        rows = await conn.execute(
            select(*_ANSWER_COLUMNS).where(in_scope(a, scope), a.c.answer_id.in_(part))
        )
        out.extend(_answer(row) for row in rows)
    return out


async def latest_answer(conn: AsyncConnection, scope: Scope, helper: str, asker: str,
                        before: float) -> AnswerInfo | None:
    """The helper's latest active answer to a question by ``asker``, up to ``before``."""
    row = (await conn.execute(
        select(*_ANSWER_COLUMNS)
        .where(in_scope(a, scope), a.c.answerer == helper, a.c.asker == asker,
               a.c.active == true(), a.c.ts <= before)
        .order_by(a.c.ts.desc()).limit(1)
    )).first()
    return _answer(row) if row is not None else None


async def latest_open_question(conn: AsyncConnection, scope: Scope, channel: str, before: float,
                               not_by: str) -> MessageInfo | None:
    """The latest question in ``channel`` before ``before`` by someone other than ``not_by``."""
    row = (await conn.execute(
        select(*_INFO_COLUMNS)
        .where(in_scope(m, scope), m.c.channel == channel, m.c.is_question == true(),
               m.c.deleted == false(), m.c.ts <= before, m.c.author != not_by)
        .order_by(m.c.ts.desc()).limit(1)
    )).first()
    return _info(row) if row is not None else None


async def linkable_questions(conn: AsyncConnection, scope: Scope, channel: str, since: float,
                             until: float) -> list[tuple[MessageInfo, str]]:
    """Questions asked in ``channel`` (not inside threads) in [since, until), with their
    retained excerpt: what a restarted engine puts back in the channel's linking window."""
    e = schema.excerpts
    rows = await conn.execute(
        select(*_INFO_COLUMNS, e.c.text)
        .join(e, and_(e.c.platform == m.c.platform, e.c.community == m.c.community,
                      e.c.message_id == m.c.id))
        .where(in_scope(m, scope), m.c.channel == channel, m.c.is_question == true(),
               m.c.deleted == false(), m.c.ts >= since, m.c.ts < until, e.c.expires_at > until,
               (m.c.thread.is_(None)) | (m.c.thread == m.c.id))
        .order_by(m.c.ts)
    )
    return [(_info(row[:-1]), row[-1]) for row in rows]


async def threads_started(conn: AsyncConnection, scope: Scope, ids: Iterable[str],
                          since: float) -> set[str]:
    """Which of ``ids`` have replies in a thread of their own (posted from ``since`` on)."""
    found: set[str] = set()
    for part in chunks(set(ids)):
        rows = await fetch_tuples(conn, select(m.c.thread).distinct().where(
            in_scope(m, scope), m.c.ts >= since, m.c.thread.in_(part), m.c.id != m.c.thread))
        found.update(row[0] for row in rows)
    return found


async def member_is_staff(conn: AsyncConnection, scope: Scope, user: str) -> bool:
    """Whether the stored member is staff (False when unknown)."""
    t = schema.members
    value = (await conn.execute(
        select(t.c.is_staff).where(in_scope(t, scope), t.c.user_id == user)
    )).scalar_one_or_none()
    return bool(value)


async def channel_cursors(conn: AsyncConnection, scope: Scope
                          ) -> dict[str, tuple[float, str | None]]:
    """Per channel (or ``channel/thread``), the newest message seen: catch-up resumes there."""
    t = schema.channel_cursors
    rows = await conn.execute(
        select(t.c.channel, t.c.last_ts, t.c.last_id).where(in_scope(t, scope)))
    return {channel: (ts, last_id) for channel, ts, last_id in rows}
