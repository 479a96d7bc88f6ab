"""Queries of backfills: one history read per community at a time, resumable by place."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update

from bot.scope import Scope
from bot.store import schema
from bot.store.database import Database
from bot.store.dialect import insert_ignore
from bot.store.schema import in_scope

b, bp = schema.backfills, schema.backfill_places


@dataclass(frozen=True, slots=True)
class BackfillJob:
    """A backfill asked for: how far back, by whom, and the places already read."""

    days: int
    since_ts: float
    requested_by: str | None
    started_at: float
    finished_at: float | None
    messages: int
    done: frozenset[str]


class BackfillQueries(Database):
    """Mixed into ``Store``."""

    async def start_backfill(self, scope: Scope, days: int, since_ts: float,
                             requested_by: str | None, now: float) -> None:
        """A new backfill replaces a finished one (or an unfinished one, from scratch)."""
        async with self.engine.begin() as conn:
            await conn.execute(delete(bp).where(in_scope(bp, scope)))
            await conn.execute(delete(b).where(in_scope(b, scope)))
            await conn.execute(b.insert().values(
                platform=scope.platform, community=scope.community, days=days,
                since_ts=since_ts, requested_by=requested_by, started_at=now,
                finished_at=None, messages=0))

    async def backfill_job(self, scope: Scope) -> BackfillJob | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(
                b.c.days, b.c.since_ts, b.c.requested_by, b.c.started_at, b.c.finished_at,
                b.c.messages).where(in_scope(b, scope)))).first()
            if row is None:
                return None
            done = (await conn.execute(select(bp.c.place).where(in_scope(bp, scope))))
            return BackfillJob(*row, frozenset(done.scalars()))

    async def backfill_place_done(self, scope: Scope, place: str, messages: int) -> None:
        """``place`` is read; ``messages`` more were read in all."""
        async with self.engine.begin() as conn:
            await conn.execute(insert_ignore(bp, conn.dialect.name).values(
                platform=scope.platform, community=scope.community, place=place))
            await conn.execute(update(b).where(in_scope(b, scope))
                               .values(messages=b.c.messages + messages))

    async def finish_backfill(self, scope: Scope, now: float) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(b).where(in_scope(b, scope))
                               .values(finished_at=now, requested_by=None))
            await conn.execute(delete(bp).where(in_scope(bp, scope)))
