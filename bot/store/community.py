"""Per-community settings overrides and privacy states."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from sqlalchemy import case, delete, false, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.scope import Scope
from bot.store import schema
from bot.store.dialect import upsert
from bot.store.schema import in_scope

s, p = schema.settings, schema.privacy



async def settings_overrides(conn: AsyncConnection, scope: Scope) -> dict[str, Any]:
    """Settings changed by ``/circle config`` for this community."""
    rows = await conn.execute(select(s.c.key, s.c.value).where(in_scope(s, scope)))
    return {key: json.loads(value) for key, value in rows}


async def set_setting(conn: AsyncConnection, scope: Scope, key: str, value: Any,
                      by: str | None, at: float) -> None:
    """Store one override (``None`` removes it: the default applies again)."""
    if value is None:
        await conn.execute(delete(s).where(in_scope(s, scope), s.c.key == key))
        return
    stmt = upsert(s, conn.dialect.name, ["platform", "community", "key"], {
        "value": lambda ex: ex.value, "updated_by": lambda ex: ex.updated_by,
        "updated_at": lambda ex: ex.updated_at,
    })
    await conn.execute(stmt, [{"platform": scope.platform, "community": scope.community,
                               "key": key, "value": json.dumps(value), "updated_by": by,
                               "updated_at": at}])


async def privacy_states(conn: AsyncConnection, scope: Scope) -> dict[str, tuple[str, float]]:
    """user hash -> (``opted_out`` | ``forgotten``, since)."""
    rows = await conn.execute(select(p.c.user_hash, p.c.state, p.c.since).where(in_scope(p, scope)))
    return {h: (state, since) for h, state, since in rows}


class CommunityOverview(NamedTuple):
    """What ``innercircle communities`` lists for one community."""

    scope: Scope
    messages: int
    questions: int
    members: int
    first_ts: float | None
    last_ts: float | None


async def community_overviews(conn: AsyncConnection) -> list[CommunityOverview]:
    """Every community with stored members or messages, with its size and time span."""
    m, mem = schema.messages, schema.members
    by_messages = {
        (row.platform, row.community): row for row in await conn.execute(
            select(m.c.platform, m.c.community, func.count().label("messages"),
                   func.sum(case((m.c.is_question, 1), else_=0)).label("questions"),
                   func.min(m.c.ts).label("first"), func.max(m.c.ts).label("last"))
            .where(m.c.deleted == false())
            .group_by(m.c.platform, m.c.community))}
    by_members = {
        (row.platform, row.community): row.members for row in await conn.execute(
            select(mem.c.platform, mem.c.community, func.count().label("members"))
            .group_by(mem.c.platform, mem.c.community))}
    out = []
    for key in sorted(set(by_messages) | set(by_members)):
        row = by_messages.get(key)
        out.append(CommunityOverview(
            Scope(*key), int(row.messages) if row else 0,
            int(row.questions or 0) if row else 0, int(by_members.get(key, 0)),
            row.first if row else None, row.last if row else None))
    return out
