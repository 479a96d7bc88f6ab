"""Queries of the weekly rhythm: posted weeks, nominations, rewards, sent alerts.

Exactly-once is decided here, by the database: a week's post (or digest) is claimed by
inserting its ``(platform, community, week_start, kind)`` row with INSERT … ON CONFLICT DO
NOTHING; the one process whose insert made a row posts, every other one sees a conflict.
While it works the owner renews its claim (``claimed_at``, a lease); a claim left unfinished
and not renewed for a lease is taken over by one conditional UPDATE, so of several
processes recovering it exactly one wins, and a live owner's claim is never taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.scope import Scope
from bot.store import schema
from bot.store.database import Database
from bot.store.dialect import insert_ignore
from bot.store.schema import in_scope

w, n, al, s = schema.weekly_runs, schema.nominations, schema.alerts_sent, schema.settings


@dataclass(frozen=True, slots=True)
class WeekRun:
    """A claimed week: who claimed it, and whether (and what) it posted."""

    week_start: str
    kind: str
    claimed_by: str
    claimed_at: float  # when claimed, or last renewed by its owner
    done_at: float | None
    result: str | None


@dataclass(frozen=True, slots=True)
class Nomination:
    """A member put forward for the community's reward, and what became of it."""

    id: int
    platform: str
    community: str
    user_id: str
    source: str  # weekly, manual
    week_start: str | None
    reason: str | None
    score: float | None
    nominated_by: str | None
    created_at: float
    state: str  # pending, approved, declined, withdrawn
    decided_by: str | None
    decided_at: float | None
    outcome: str | None

    @property
    def scope(self) -> Scope:
        return Scope(self.platform, self.community)


_NOMINATION_COLUMNS = (n.c.id, n.c.platform, n.c.community, n.c.user_id, n.c.source,
                       n.c.week_start, n.c.reason, n.c.score, n.c.nominated_by, n.c.created_at,
                       n.c.state, n.c.decided_by, n.c.decided_at, n.c.outcome)


def _nomination(row: Any) -> Nomination:
    return Nomination(*row)


async def _insert_once(conn: AsyncConnection, table: schema.Table, row: Mapping[str, object]
                       ) -> bool:
    result = await conn.execute(insert_ignore(table, conn.dialect.name).values(**row))
    return bool(result.rowcount)


class WeeklyQueries(Database):
    """Mixed into ``Store``."""

    # -- exactly-once claims ---------------------------------------------------------
    async def claim_week(self, scope: Scope, week_start: str, kind: str, by: str, at: float
                         ) -> bool:
        """Claim this week's ``kind`` (post, digest): True for exactly one caller, ever."""
        async with self.engine.begin() as conn:
            return await _insert_once(conn, w, {
                "platform": scope.platform, "community": scope.community,
                "week_start": week_start, "kind": kind, "claimed_by": by[:64],
                "claimed_at": at})

    async def renew_week(self, scope: Scope, week_start: str, kind: str, by: str, at: float
                         ) -> bool:
        """Renew ``by``'s unfinished claim (its lease starts again at ``at``); False when
        the claim is no longer ``by``'s (taken over, or finished)."""
        async with self.engine.begin() as conn:
            result = await conn.execute(update(w).where(
                in_scope(w, scope), w.c.week_start == week_start, w.c.kind == kind,
                w.c.claimed_by == by[:64], w.c.done_at.is_(None)).values(claimed_at=at))
            return bool(result.rowcount)

    async def take_over_week(self, scope: Scope, week_start: str, kind: str, by: str,
                             at: float, stale_before: float) -> bool:
        """Take over an unfinished claim whose owner has not renewed it since
        ``stale_before`` (a dead process's): True for exactly one caller."""
        async with self.engine.begin() as conn:
            result = await conn.execute(update(w).where(
                in_scope(w, scope), w.c.week_start == week_start, w.c.kind == kind,
                w.c.done_at.is_(None), w.c.claimed_at < stale_before)
                .values(claimed_by=by[:64], claimed_at=at))
            return bool(result.rowcount)

    async def week_run(self, scope: Scope, week_start: str, kind: str) -> WeekRun | None:
        """The claim of one week's ``kind``, if any."""
        query = select(w.c.week_start, w.c.kind, w.c.claimed_by, w.c.claimed_at, w.c.done_at,
                       w.c.result).where(in_scope(w, scope), w.c.week_start == week_start,
                                         w.c.kind == kind)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else WeekRun(*row)

    async def finish_week(self, scope: Scope, week_start: str, kind: str, result: str | None,
                          at: float) -> None:
        """Record that the claimed week was posted (``result``: the message id or a summary)."""
        async with self.engine.begin() as conn:
            await conn.execute(update(w).where(in_scope(w, scope), w.c.week_start == week_start,
                                               w.c.kind == kind)
                               .values(done_at=at, result=None if result is None
                                       else result[:200]))

    async def release_week(self, scope: Scope, week_start: str, kind: str, by: str) -> None:
        """Give up an unfinished claim (posting failed) so that a later try may post."""
        async with self.engine.begin() as conn:
            await conn.execute(delete(w).where(
                in_scope(w, scope), w.c.week_start == week_start, w.c.kind == kind,
                w.c.claimed_by == by[:64], w.c.done_at.is_(None)))

    async def week_runs(self, scope: Scope, kind: str | None = None) -> list[WeekRun]:
        """Claimed weeks of a community, oldest first."""
        query = select(w.c.week_start, w.c.kind, w.c.claimed_by, w.c.claimed_at, w.c.done_at,
                       w.c.result).where(in_scope(w, scope)).order_by(w.c.week_start, w.c.kind)
        if kind is not None:
            query = query.where(w.c.kind == kind)
        async with self.engine.connect() as conn:
            return [WeekRun(*row) for row in await conn.execute(query)]

    async def configured_scopes(self) -> list[Scope]:
        """Communities with settings changed by ``/circle config``."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(s.c.platform, s.c.community).distinct())
            return sorted(Scope(p, c) for p, c in rows)

    # -- nominations and rewards -----------------------------------------------------
    async def add_nomination(self, scope: Scope, user: str, *, source: str, at: float,
                             week_start: str | None = None, reason: str | None = None,
                             score: float | None = None, by: str | None = None) -> int | None:
        """A new pending nomination's id; ``None`` when this week's already exists."""
        row = {"platform": scope.platform, "community": scope.community, "user_id": user,
               "source": source, "week_start": week_start,
               "reason": None if reason is None else reason[:500], "score": score,
               "nominated_by": by, "created_at": at, "state": "pending"}
        async with self.engine.begin() as conn:
            if week_start is not None:
                if not await _insert_once(conn, n, row):
                    return None
                found = await conn.execute(select(n.c.id).where(
                    in_scope(n, scope), n.c.week_start == week_start, n.c.user_id == user))
                return int(found.scalar_one())
            result = await conn.execute(n.insert().values(**row).returning(n.c.id))
            return int(result.scalar_one())

    async def nomination(self, nomination_id: int) -> Nomination | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(*_NOMINATION_COLUMNS)
                                      .where(n.c.id == nomination_id))).first()
        return _nomination(row) if row is not None else None

    async def nominations(self, scope: Scope, *, states: Iterable[str] | None = None,
                          limit: int | None = None) -> list[Nomination]:
        """A community's nominations, newest first (optionally only in ``states``)."""
        query = (select(*_NOMINATION_COLUMNS).where(in_scope(n, scope))
                 .order_by(n.c.created_at.desc(), n.c.id.desc()))
        if states is not None:
            query = query.where(n.c.state.in_(list(states)))
        if limit is not None:
            query = query.limit(limit)
        async with self.engine.connect() as conn:
            return [_nomination(row) for row in await conn.execute(query)]

    async def decide_nomination(self, nomination_id: int, state: str, by: str, at: float
                                ) -> bool:
        """Move a pending nomination to ``state``: True for exactly one decider."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(n).where(n.c.id == nomination_id, n.c.state == "pending")
                .values(state=state, decided_by=by, decided_at=at))
            return bool(result.rowcount)

    async def set_nomination_outcome(self, nomination_id: int, outcome: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(n).where(n.c.id == nomination_id)
                               .values(outcome=outcome[:500]))

    async def recently_rewarded(self, scope: Scope, since: float) -> set[str]:
        """Members whose nomination was approved at or after ``since``, or is still pending."""
        query = select(n.c.user_id).where(
            in_scope(n, scope),
            ((n.c.state == "approved") & (n.c.decided_at >= since)) | (n.c.state == "pending"))
        async with self.engine.connect() as conn:
            return set((await conn.execute(query)).scalars())

    # -- alerts ------------------------------------------------------------------------
    async def claim_alerts(self, scope: Scope, kind: str, keys: Iterable[str], at: float
                           ) -> list[str]:
        """The ``keys`` not alerted before, now recorded as alerted (each claimed once)."""
        claimed = []
        async with self.engine.begin() as conn:
            for key in keys:
                if await _insert_once(conn, al, {"platform": scope.platform,
                                                 "community": scope.community, "kind": kind,
                                                 "key": key, "sent_at": at}):
                    claimed.append(key)
        return claimed
