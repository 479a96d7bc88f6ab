"""Per-community settings overrides and privacy states."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select
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
