"""Migrations (0002 among them) create exactly what ``bot.store.schema`` declares, on SQLite
and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.store import Store
from bot.store.migrate import alembic_config
from bot.store.schema import metadata


async def test_migrated_database_matches_metadata(store: Store) -> None:
    def diff(sync_conn):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(sync_conn)
        return compare_metadata(context, metadata), context.get_current_revision()

    async with store.engine.connect() as conn:
        diffs, revision = await conn.run_sync(diff)
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert revision == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert "0002" in {r.revision for r in ScriptDirectory.from_config(alembic_config())
                      .walk_revisions()}
    assert {"weekly_runs", "nominations", "alerts_sent"} <= tables
    assert diffs == []
