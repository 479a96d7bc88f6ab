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
