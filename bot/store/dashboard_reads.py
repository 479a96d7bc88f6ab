"""Reads the dashboard needs beyond the reports': channel names, a member's daily activity,
the members who arrived in a period, and the dashboard's signing key."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.scope import Scope
from bot.store import schema
from bot.store.database import Database
from bot.store.dialect import insert_ignore
from bot.store.metric_reads import MemberFact, arrived
from bot.store.schema import in_scope

a, m, e, d, mem = (schema.answers, schema.messages, schema.excerpts, schema.activity_days,
                   schema.members)
DASHBOARD_KEY = "dashboard_key"


class DashboardQueries(Database):
    """The dashboard's own reads (everything else comes from ``bot.reports``)."""

    async def channel_names(self, scope: Scope) -> dict[str, str]:
        """Channel id -> name, for the channels whose name an adapter reported."""
        t = schema.channels
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(t.c.channel, t.c.name).where(in_scope(t, scope)))
            return {channel: name for channel, name in rows}

    async def activity_days(self, scope: Scope, user: str, first_day: int, last_day: int
                            ) -> dict[int, int]:
        """Messages a member posted per day (days since 1970-01-01 UTC) in [first, last)."""
        query = select(d.c.day, d.c.messages).where(
            in_scope(d, scope), d.c.user_id == user, d.c.day >= first_day, d.c.day < last_day)
        async with self.engine.connect() as conn:
            return {int(day): int(n) for day, n in await conn.execute(query)}

    async def arrived_members(self, scope: Scope, since: float, until: float
                              ) -> list[MemberFact]:
        """Members who joined (or first posted) in [since, until), earliest first."""
        query = select(mem.c.user_id, mem.c.name, mem.c.is_staff, mem.c.joined_at,
                       mem.c.left_at, mem.c.first_seen_at, mem.c.seen_in_catchup).where(
            in_scope(mem, scope), arrived(since, until))
        async with self.engine.connect() as conn:
            rows = await conn.execute(query)
            found = [MemberFact(u, n, bool(s), j, left, f, bool(c))
                     for u, n, s, j, left, f, c in rows]
        return sorted(found, key=lambda x: (x.joined_at or x.first_seen_at or 0.0, x.user_id))

    async def dashboard_key(self) -> bytes:
        """The key dashboard links are signed with: made at first use, kept in the database
        (apart from the privacy key, so that it can be replaced to revoke every link)."""
        t = schema.meta
        async with self.engine.begin() as conn:
            found = await _meta(conn, DASHBOARD_KEY)
            if found is None:
                # Two processes may start at once: the first key written wins.
                await conn.execute(insert_ignore(t, conn.dialect.name).values(
                    key=DASHBOARD_KEY, value=secrets.token_hex(32)))
                found = await _meta(conn, DASHBOARD_KEY)
        assert found is not None
        return bytes.fromhex(found)


async def _meta(conn: AsyncConnection, key: str) -> str | None:
    t = schema.meta
    result = await conn.execute(select(t.c.value).where(t.c.key == key))
    value = result.scalar_one_or_none()
    return None if value is None else str(value)
