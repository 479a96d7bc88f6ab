"""INSERT … ON CONFLICT for the two databases we run on (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignore(table: Table, dialect: str) -> Any:
    """INSERT that skips rows whose key exists already."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


def upsert(table: Table, dialect: str, keys: list[str], update: dict[str, Any]) -> Any:
    """INSERT that updates ``update`` (column -> expression over ``excluded``) on conflict.

    ``update`` is a function of the ``excluded`` pseudo-table, see callers.
    """
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table)
    values = {name: fn(stmt.excluded) if callable(fn) else fn for name, fn in update.items()}
    return stmt.on_conflict_do_update(index_elements=keys, set_=values)


async def fetch_tuples(conn: Any, stmt: Any) -> list[tuple[Any, ...]]:
    """Run a SELECT through the driver itself and return plain tuples.

    For the reports' large reads (a month of questions or answers): SQLAlchemy's row objects
    cost several times what the query does. The statement is still built and compiled by
    SQLAlchemy; booleans come back as the driver gives them (0/1 on SQLite).
    """
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args = [params[name] for name in compiled.positiontup or ()]
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    if conn.dialect.name == "sqlite":
        return list(await driver.execute_fetchall(str(compiled), args))
    return [tuple(record) for record in await driver.fetch(str(compiled), *args)]


async def execute_many(conn: Any, stmt: Any, rows: list[dict[str, Any]]) -> None:
    """Execute an INSERT (or UPSERT, or UPDATE) for many rows; the hot path of ingestion.

    On SQLite the statement, compiled with named parameters, goes straight to the driver's
    ``executemany`` with the row dicts, inside the transaction the caller holds: per-row
    parameter processing in SQLAlchemy costs more than SQLite's own work. Elsewhere
    SQLAlchemy's executemany is used as it is.
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        await conn.execute(stmt, rows)
        return
    compiled = stmt.compile(dialect=_NAMED_SQLITE, column_keys=list(rows[0]))
    constants = {name: value for name, value in compiled.construct_params(rows[0]).items()
                 if name not in rows[0]}
    data = [{**constants, **row} for row in rows] if constants else rows
    raw = await conn.get_raw_connection()
    await raw.driver_connection.executemany(str(compiled), data)


_NAMED_SQLITE = sqlite.dialect(paramstyle="named")
