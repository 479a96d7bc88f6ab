"""Writing one ``FactBatch`` in one transaction, and keeping question rollups right."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.scope import Scope
from bot.store import schema
from bot.store.dialect import insert_ignore, upsert
from bot.store.driver import (
    BulkInsert,
    BulkUpdate,
    run_bulk,
    run_bulk_returning,
    stored_keys,
)
from bot.store.facts import AnswerInfo, FactBatch
from bot.store.schema import in_scope

T = TypeVar("T")
CHUNK = 500
DAY = 86400

m, a, k = schema.messages, schema.answers, schema.acks

# The statements every batch runs (see bot/store/driver.py). Column order of ``MESSAGE_ROW``
# is the order of the tuples in ``FactBatch.messages``.
MESSAGE_ROW = ("id", "channel", "thread", "reply_to", "parent", "author", "ts",
               "author_is_staff", "is_question", "not_question", "deleted")
INSERT_MESSAGES = BulkInsert("messages", MESSAGE_ROW, (
    "text", "text", "text", "text", "text", "text", "float8", "boolean", "boolean", "boolean",
    "boolean"))
ADD_ACTIVITY = BulkInsert(
    "activity_days", ("user_id", "day", "messages"), ("text", "integer", "integer"),
    "ON CONFLICT (platform, community, user_id, day) "
    "DO UPDATE SET messages = activity_days.messages + excluded.messages")
INSERT_ANSWERS = BulkInsert("answers", (
    "question_id", "answer_id", "answerer", "asker", "question_ts", "ts", "via",
    "answerer_is_staff", "active", "acknowledged", "confidence"), (
    "text", "text", "text", "text", "float8", "float8", "text", "boolean", "boolean", "boolean",
    "float8"))
REVISE_ANSWERS = BulkUpdate("answers", ("question_id", "answer_id"), ("counts", "conf"),
                            ("text", "text", "boolean", "float8"),
                            "active = {counts}, confidence = {conf}")
INSERT_ACKS = BulkInsert("acks", ("source", "question_id", "helper", "user_id", "ts"),
                         ("text", "text", "text", "text", "float8"))
KEEP_EXCERPTS = BulkInsert(
    "excerpts", ("message_id", "text", "expires_at"), ("text", "text", "float8"),
    "ON CONFLICT (platform, community, message_id) "
    "DO UPDATE SET text = excluded.text, expires_at = excluded.expires_at")
MOVE_CURSORS = BulkInsert(
    "channel_cursors", ("channel", "last_ts", "last_id"), ("text", "float8", "text"),
    "ON CONFLICT (platform, community, channel) DO UPDATE SET "
    "last_id = CASE WHEN excluded.last_ts >= channel_cursors.last_ts "
    "THEN excluded.last_id ELSE channel_cursors.last_id END, "
    "last_ts = CASE WHEN excluded.last_ts > channel_cursors.last_ts "
    "THEN excluded.last_ts ELSE channel_cursors.last_ts END")
EARLIER_FIRST_ANSWER = {
    column: BulkUpdate(
        "messages", ("id",), ("answered_at",), ("text", "float8"),
        f"{column} = CASE WHEN {column} IS NULL OR {{answered_at}} < {column} "
        f"THEN {{answered_at}} ELSE {column} END")
    for column in ("first_peer_answer_ts", "first_staff_answer_ts")
}
SET_FIRST_ANSWERS = BulkUpdate(
    "messages", ("id",), ("fp", "fs"), ("text", "float8", "float8"),
    "first_peer_answer_ts = {fp}, first_staff_answer_ts = {fs}")
ACKNOWLEDGE = BulkUpdate("answers", ("question_id", "answerer"), ("ack",),
                         ("text", "text", "boolean"), "acknowledged = {ack}")


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


async def _insert_messages(conn: AsyncConnection, key: tuple[str, str],
                           rows: list[tuple[Any, ...]]) -> set[str]:
    """Insert message rows (those stored already are skipped); the ids this write added.
    When the rows cannot go in one statement (SQLite, see ``run_bulk``), the caller's
    transaction holds the write lock (``BEGIN IMMEDIATE``), so the ids found stored before
    the insert are exactly the ones it skips."""
    if not rows:
        return set()
    added = await run_bulk_returning(conn, INSERT_MESSAGES, key, rows, "id")
    if added is not None:
        return set(added)
    ids = {row[0] for row in rows}
    stored = await stored_keys(conn, "messages", "id", key, ids)
    await run_bulk(conn, INSERT_MESSAGES, key, rows)
    return ids - stored


def _in_scope(table: Any, platform: str, community: str) -> Any:
    return in_scope(table, Scope(platform, community))


async def write_batch(conn: AsyncConnection, batch: FactBatch) -> int:
    """Write every fact of ``batch``; the caller holds the transaction. Returns how many of
    its acknowledgements were new (a replay of stored events adds none)."""
    new_acks = 0
    platform, community = batch.scope
    dialect = conn.dialect.name
    scope = {"platform": platform, "community": community}

    key = (platform, community)
    added = await _insert_messages(conn, key, batch.messages)
    for message_id, values in batch.message_updates.items():
        await conn.execute(
            update(m).where(_in_scope(m, platform, community), m.c.id == message_id)
            .values(**values)
        )
    await _write_members(conn, batch, key)
    # Activity counts only the messages this write added: any number of writers of the
    # same events (a re-run, a second process) count each message once.
    activity = Counter((row[5], int(row[6] // DAY)) for row in batch.messages
                       if row[0] in added)
    await run_bulk(conn, ADD_ACTIVITY, key,
                   [(user, day, n) for (user, day), n in activity.items()])
    if batch.answers:
        await run_bulk(conn, INSERT_ANSWERS, key, [_answer_tuple(x) for x in batch.answers])
        await _earlier_first_answers(conn, key, batch.answers)
    if batch.marked_answers:
        stmt = upsert(a, dialect, ["platform", "community", "question_id", "answer_id"], {
            "active": lambda ex: ex.active, "via": lambda ex: ex.via,
            "confidence": lambda ex: ex.confidence,
        })
        await conn.execute(stmt, [_answer_row(scope, x) for x in batch.marked_answers])
        batch.touched_questions.update(x.question_id for x in batch.marked_answers)
    if batch.revised_answers:
        revised = {(x.question_id, x.answer_id): x for x in batch.revised_answers}
        await run_bulk(conn, REVISE_ANSWERS, key,
                       [(q, ans, x.active, x.confidence) for (q, ans), x in revised.items()])
        batch.touched_questions.update(q for q, _ in revised)
    for ids in chunks(batch.deactivated_answers):
        found = await conn.execute(
            select(a.c.question_id).where(_in_scope(a, platform, community), a.c.answer_id.in_(ids))
        )
        batch.touched_questions.update(found.scalars())
        await conn.execute(update(a).where(
            _in_scope(a, platform, community), a.c.answer_id.in_(ids))
            .values(active=False, confidence=0.0))
    for ids in chunks(batch.deactivated_questions):
        await conn.execute(update(a).where(
            _in_scope(a, platform, community), a.c.question_id.in_(ids)).values(active=False))
        batch.touched_questions.update(ids)
    if batch.acks:
        new_sources = {ack.source for ack in batch.acks}
        new_acks = len(new_sources - await stored_keys(conn, "acks", "source", key,
                                                       new_sources))
        await run_bulk(conn, INSERT_ACKS, key, batch.acks)  # Ack's fields in column order
        pairs = {(ack.question_id, ack.helper) for ack in batch.acks}
        await run_bulk(conn, ACKNOWLEDGE, key, [(q, h, True) for q, h in sorted(pairs)])
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
    await run_bulk(conn, MOVE_CURSORS, key, [
        (channel, ts, last_id) for channel, (ts, last_id) in batch.cursors.items()])
    if batch.channel_names:
        t = schema.channels
        await conn.execute(upsert(t, dialect, ["platform", "community", "channel"],
                                  {"name": lambda ex: ex.name}),
                           [{**scope, "channel": channel, "name": name[:200]}
                            for channel, name in batch.channel_names.items()])
    if batch.touched_questions:
        await refresh_questions(conn, platform, community, batch.touched_questions)
    return new_acks


def _answer_tuple(x: AnswerInfo) -> tuple[Any, ...]:
    return (x.question_id, x.answer_id, x.answerer, x.asker, x.question_ts, x.ts, x.via,
            x.answerer_is_staff, x.active, False, x.confidence)


def _answer_row(scope: dict[str, str], x: AnswerInfo) -> dict[str, Any]:
    return {**scope, "question_id": x.question_id, "answer_id": x.answer_id,
            "answerer": x.answerer, "asker": x.asker, "question_ts": x.question_ts, "ts": x.ts,
            "via": x.via, "answerer_is_staff": x.answerer_is_staff, "active": x.active,
            "confidence": x.confidence, "acknowledged": False}


def _member_upsert(*, update_staff: bool) -> BulkInsert:
    def earliest(column: str, newer: bool = False) -> str:
        new, old = f"excluded.{column}", f"members.{column}"
        return (f"CASE WHEN {new} IS NULL THEN {old} WHEN {old} IS NULL OR {new} "
                f"{'>' if newer else '<'} {old} THEN {new} ELSE {old} END")

    changes = [
        "name = COALESCE(excluded.name, members.name)",
        # a join after a leave starts a new membership; otherwise keep the first join
        "joined_at = CASE WHEN excluded.joined_at IS NOT NULL AND excluded.left_at IS NULL "
        f"AND members.left_at IS NOT NULL THEN excluded.joined_at "
        f"ELSE {earliest('joined_at')} END",
        "left_at = CASE WHEN excluded.left_at IS NOT NULL THEN excluded.left_at "
        "WHEN excluded.joined_at IS NOT NULL THEN NULL ELSE members.left_at END",
        f"first_seen_at = {earliest('first_seen_at')}",
        f"last_seen_at = {earliest('last_seen_at', newer=True)}",
    ]
    if update_staff:
        changes.append("is_staff = excluded.is_staff")
    return BulkInsert(
        "members", ("user_id", "name", "is_staff", "joined_at", "left_at", "first_seen_at",
                    "last_seen_at", "seen_in_catchup"),
        ("text", "text", "boolean", "float8", "float8", "float8", "float8", "boolean"),
        "ON CONFLICT (platform, community, user_id) DO UPDATE SET " + ", ".join(changes))


UPSERT_MEMBERS = _member_upsert(update_staff=True)
UPSERT_MEMBERS_KEEP_STAFF = _member_upsert(update_staff=False)


async def _write_members(conn: AsyncConnection, batch: FactBatch, key: tuple[str, str]) -> None:
    known: list[tuple[Any, ...]] = []
    unknown: list[tuple[Any, ...]] = []  # staff status not seen in this batch: keep the stored
    for user, seen in batch.members.items():
        row = (user, seen.name, bool(seen.is_staff), seen.joined_at, seen.left_at,
               seen.first_seen_at, seen.last_seen_at, seen.seen_in_catchup)
        (unknown if seen.is_staff is None else known).append(row)
    await run_bulk(conn, UPSERT_MEMBERS, key, known)
    await run_bulk(conn, UPSERT_MEMBERS_KEEP_STAFF, key, unknown)


async def _write_excerpts(conn: AsyncConnection, batch: FactBatch, scope: dict[str, str]) -> None:
    t = schema.excerpts
    keep = [(mid, v) for mid, v in batch.excerpts.items() if v is not None]
    drop = [mid for mid, v in batch.excerpts.items() if v is None]
    await run_bulk(conn, KEEP_EXCERPTS, (scope["platform"], scope["community"]),
                   [(mid, text, expires) for mid, (text, expires) in keep])
    for ids in chunks(drop):
        await conn.execute(delete(t).where(
            _in_scope(t, scope["platform"], scope["community"]), t.c.message_id.in_(ids)))


async def _earlier_first_answers(conn: AsyncConnection, key: tuple[str, str],
                                 added: list[AnswerInfo]) -> None:
    """New answers can only make a question's first answer earlier: no need to recompute
    (removals do recompute, see ``refresh_questions``)."""
    for staff, column in ((False, "first_peer_answer_ts"), (True, "first_staff_answer_ts")):
        earliest: dict[str, float] = {}
        for x in added:
            if (x.answerer_is_staff == staff and x.active and x.answerer != x.asker
                    and x.ts < earliest.get(x.question_id, float("inf"))):
                earliest[x.question_id] = x.ts
        await run_bulk(conn, EARLIER_FIRST_ANSWER[column], key, list(earliest.items()))


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
        flips: list[tuple[str, str, bool]] = []
        rows = await conn.execute(
            select(a.c.question_id, a.c.answerer, a.c.answerer_is_staff, a.c.active,
                   a.c.acknowledged, a.c.ts, a.c.asker)
            .where(in_scope, a.c.question_id.in_(ids))
        )
        for question, answerer, staff, active, acknowledged, ts, asker in rows:
            is_acked = (question, answerer) in acked
            if bool(acknowledged) != is_acked:
                flips.append((question, answerer, is_acked))
            if active and answerer != asker:
                slot = firsts[question]
                index = 1 if staff else 0
                if slot[index] is None or ts < slot[index]:
                    slot[index] = ts
        await run_bulk(conn, ACKNOWLEDGE, (platform, community), _unique(flips))
        await run_bulk(conn, SET_FIRST_ANSWERS, (platform, community),
                       [(q, fp, fs) for q, (fp, fs) in firsts.items()])


def _unique(rows: list[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    return list({(q, h): (q, h, ack) for q, h, ack in rows}.values())


async def purge_expired_excerpts(conn: AsyncConnection, now: float) -> int:
    """Delete question excerpts whose retention has ended; how many went."""
    t = schema.excerpts
    result = await conn.execute(delete(t).where(t.c.expires_at <= now))
    return int(result.rowcount or 0)
