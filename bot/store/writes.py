"""Writing one ``FactBatch`` in one transaction, and keeping question rollups right."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import BindParameter, Float, bindparam, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.scope import Scope
from bot.store import schema
from bot.store.dialect import execute_many, insert_ignore, upsert
from bot.store.facts import AnswerInfo, FactBatch
from bot.store.schema import in_scope

T = TypeVar("T")
CHUNK = 500

m, a, k = schema.messages, schema.answers, schema.acks


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _in_scope(table: Any, platform: str, community: str) -> Any:
    return in_scope(table, Scope(platform, community))


def _earliest(existing: Any, new: Any) -> Any:
    return case(
        (new.is_(None), existing),
        (existing.is_(None), new),
        (new < existing, new),
        else_=existing,
    )


def _latest(existing: Any, new: Any) -> Any:
    return case(
        (new.is_(None), existing),
        (existing.is_(None), new),
        (new > existing, new),
        else_=existing,
    )


async def write_batch(conn: AsyncConnection, batch: FactBatch) -> int:
    """Write every fact of ``batch``; the caller holds the transaction. Returns how many of
    its acknowledgements were new (a replay of stored events adds none)."""
    new_acks = 0
    platform, community = batch.scope
    dialect = conn.dialect.name
    scope = {"platform": platform, "community": community}

    if batch.messages:
        await execute_many(conn, insert_ignore(m, dialect),
                           [{**scope, **row} for row in batch.messages])
    for message_id, values in batch.message_updates.items():
        await conn.execute(
            update(m).where(_in_scope(m, platform, community), m.c.id == message_id)
            .values(**values)
        )
    if batch.members:
        await _write_members(conn, batch, scope)
    if batch.activity:
        t = schema.activity_days
        stmt = upsert(t, dialect, ["platform", "community", "user_id", "day"],
                      {"messages": lambda ex: t.c.messages + ex.messages})
        await execute_many(conn, stmt, [
            {**scope, "user_id": user, "day": day, "messages": n}
            for (user, day), n in batch.activity.items()
        ])
    if batch.answers:
        await execute_many(conn, insert_ignore(a, dialect),
                           [_answer_row(scope, x) for x in batch.answers])
        await _earlier_first_answers(conn, platform, community, batch.answers)
    if batch.marked_answers:
        stmt = upsert(a, dialect, ["platform", "community", "question_id", "answer_id"], {
            "active": lambda ex: ex.active, "via": lambda ex: ex.via,
        })
        await conn.execute(stmt, [_answer_row(scope, x) for x in batch.marked_answers])
        batch.touched_questions.update(x.question_id for x in batch.marked_answers)
    for ids in chunks(batch.deactivated_answers):
        found = await conn.execute(
            select(a.c.question_id).where(_in_scope(a, platform, community), a.c.answer_id.in_(ids))
        )
        batch.touched_questions.update(found.scalars())
        await conn.execute(update(a).where(
            _in_scope(a, platform, community), a.c.answer_id.in_(ids)).values(active=False))
    for ids in chunks(batch.deactivated_questions):
        await conn.execute(update(a).where(
            _in_scope(a, platform, community), a.c.question_id.in_(ids)).values(active=False))
        batch.touched_questions.update(ids)
    if batch.acks:
        new_sources = {row["source"] for row in batch.acks}
        for part in chunks(sorted(new_sources)):
            stored = await conn.execute(select(k.c.source).where(
                _in_scope(k, platform, community), k.c.source.in_(part)))
            new_sources.difference_update(stored.scalars())
        new_acks = len(new_sources)
        await execute_many(conn, insert_ignore(k, dialect),
                           [{**scope, **row} for row in batch.acks])
        pairs = {(row["question_id"], row["helper"]) for row in batch.acks}
        await execute_many(
            conn,
            update(a).where(_in_scope(a, platform, community), a.c.question_id == bindparam("q"),
                            a.c.answerer == bindparam("h")).values(acknowledged=True),
            [{"q": q, "h": h} for q, h in sorted(pairs)])
    for sources in chunks(batch.removed_acks):
        found = await conn.execute(
            select(k.c.question_id)
            .where(_in_scope(k, platform, community), k.c.source.in_(sources))
        )
        batch.touched_questions.update(found.scalars())
        await conn.execute(delete(k).where(_in_scope(k, platform, community),
                                           k.c.source.in_(sources)))
    if batch.excerpts:
        await _write_excerpts(conn, batch, scope)
    if batch.corrections:
        await conn.execute(insert_ignore(schema.corrections, dialect),
                           [{**scope, **row} for row in batch.corrections])
    if batch.cursors:
        t = schema.channel_cursors
        stmt = upsert(t, dialect, ["platform", "community", "channel"], {
            "last_id": lambda ex: case((ex.last_ts >= t.c.last_ts, ex.last_id), else_=t.c.last_id),
            "last_ts": lambda ex: _latest(t.c.last_ts, ex.last_ts),
        })
        await execute_many(conn, stmt, [
            {**scope, "channel": channel, "last_ts": ts, "last_id": last_id}
            for channel, (ts, last_id) in batch.cursors.items()
        ])
    if batch.touched_questions:
        await refresh_questions(conn, platform, community, batch.touched_questions)
    return new_acks


def _answer_row(scope: dict[str, str], x: AnswerInfo) -> dict[str, Any]:
    return {**scope, "question_id": x.question_id, "answer_id": x.answer_id,
            "answerer": x.answerer, "asker": x.asker, "question_ts": x.question_ts, "ts": x.ts,
            "via": x.via, "answerer_is_staff": x.answerer_is_staff, "active": x.active,
            "acknowledged": False}


def _member_upsert(dialect: str, *, update_staff: bool) -> Any:
    t = schema.members
    changes: dict[str, Any] = {
        "name": lambda ex: func.coalesce(ex.name, t.c.name),
        # a join after a leave starts a new membership; otherwise keep the first join
        "joined_at": lambda ex: case(
            (ex.joined_at.isnot(None) & ex.left_at.is_(None) & t.c.left_at.isnot(None),
             ex.joined_at),
            else_=_earliest(t.c.joined_at, ex.joined_at)),
        "left_at": lambda ex: case(
            (ex.left_at.isnot(None), ex.left_at),
            (ex.joined_at.isnot(None), None),
            else_=t.c.left_at),
        "first_seen_at": lambda ex: _earliest(t.c.first_seen_at, ex.first_seen_at),
        "last_seen_at": lambda ex: _latest(t.c.last_seen_at, ex.last_seen_at),
    }
    if update_staff:
        changes["is_staff"] = lambda ex: ex.is_staff
    return upsert(t, dialect, ["platform", "community", "user_id"], changes)


async def _write_members(conn: AsyncConnection, batch: FactBatch, scope: dict[str, str]) -> None:
    known: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []  # staff status not seen in this batch: keep the stored one
    for user, seen in batch.members.items():
        row = {
            **scope, "user_id": user, "name": seen.name, "is_staff": bool(seen.is_staff),
            "joined_at": seen.joined_at, "left_at": seen.left_at,
            "first_seen_at": seen.first_seen_at, "last_seen_at": seen.last_seen_at,
            "seen_in_catchup": seen.seen_in_catchup,
        }
        (unknown if seen.is_staff is None else known).append(row)
    if known:
        await execute_many(conn, _member_upsert(conn.dialect.name, update_staff=True), known)
    if unknown:
        await execute_many(conn, _member_upsert(conn.dialect.name, update_staff=False), unknown)


async def _write_excerpts(conn: AsyncConnection, batch: FactBatch, scope: dict[str, str]) -> None:
    t = schema.excerpts
    keep = [(mid, v) for mid, v in batch.excerpts.items() if v is not None]
    drop = [mid for mid, v in batch.excerpts.items() if v is None]
    if keep:
        stmt = upsert(t, conn.dialect.name, ["platform", "community", "message_id"], {
            "text": lambda ex: ex.text, "expires_at": lambda ex: ex.expires_at,
        })
        await execute_many(conn, stmt, [
            {**scope, "message_id": mid, "text": text, "expires_at": expires}
            for mid, (text, expires) in keep
        ])
    for ids in chunks(drop):
        await conn.execute(delete(t).where(
            _in_scope(t, scope["platform"], scope["community"]), t.c.message_id.in_(ids)))


async def _earlier_first_answers(conn: AsyncConnection, platform: str, community: str,
                                 added: list[AnswerInfo]) -> None:
    """New answers can only make a question's first answer earlier: no need to recompute
    (removals do recompute, see ``refresh_questions``)."""
    for staff, column in ((False, m.c.first_peer_answer_ts), (True, m.c.first_staff_answer_ts)):
        earliest: dict[str, float] = {}
        for x in added:
            if (x.answerer_is_staff == staff and x.active and x.answerer != x.asker
                    and x.ts < earliest.get(x.question_id, float("inf"))):
                earliest[x.question_id] = x.ts
        if not earliest:
            continue
        ts: BindParameter[float] = bindparam("answered_at", type_=Float)
        await execute_many(
            conn,
            update(m).where(_in_scope(m, platform, community), m.c.id == bindparam("q"))
            .values({column: case((column.is_(None), ts), (ts < column, ts), else_=column)}),
            [{"q": q, "answered_at": t} for q, t in earliest.items()],
        )


async def refresh_questions(conn: AsyncConnection, platform: str, community: str,
                            question_ids: Iterable[str]) -> None:
    """Recompute the rollups of these questions: acknowledged answers, first answers."""
    for ids in chunks(sorted(set(question_ids))):
        in_scope = _in_scope(a, platform, community)
        acked = {
            (q, h) for q, h in await conn.execute(
                select(k.c.question_id, k.c.helper).distinct()
                .where(_in_scope(k, platform, community), k.c.question_id.in_(ids)))
        }
        firsts: dict[str, list[float | None]] = {q: [None, None] for q in ids}
        flips: list[dict[str, Any]] = []
        rows = await conn.execute(
            select(a.c.question_id, a.c.answerer, a.c.answerer_is_staff, a.c.active,
                   a.c.acknowledged, a.c.ts, a.c.asker)
            .where(in_scope, a.c.question_id.in_(ids))
        )
        for question, answerer, staff, active, acknowledged, ts, asker in rows:
            is_acked = (question, answerer) in acked
            if bool(acknowledged) != is_acked:
                flips.append({"q": question, "h": answerer, "ack": is_acked})
            if active and answerer != asker:
                slot = firsts[question]
                index = 1 if staff else 0
                if slot[index] is None or ts < slot[index]:
                    slot[index] = ts
        if flips:
            await conn.execute(
                update(a).where(in_scope, a.c.question_id == bindparam("q"),
                                a.c.answerer == bindparam("h"))
                .values(acknowledged=bindparam("ack")),
                _unique(flips),
            )
        await execute_many(
            conn,
            update(m).where(_in_scope(m, platform, community), m.c.id == bindparam("q"))
            .values(first_peer_answer_ts=bindparam("fp"), first_staff_answer_ts=bindparam("fs")),
            [{"q": q, "fp": fp, "fs": fs} for q, (fp, fs) in firsts.items()],
        )


def _unique(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        seen[(row["q"], row["h"])] = row
    return list(seen.values())


async def purge_expired_excerpts(conn: AsyncConnection, now: float) -> int:
    """Delete question excerpts whose retention has ended; how many went."""
    t = schema.excerpts
    result = await conn.execute(delete(t).where(t.c.expires_at <= now))
    return int(result.rowcount or 0)
