"""The store's hot paths through the database driver itself (aiosqlite or asyncpg), inside
the transaction SQLAlchemy holds. Everything else in the store is SQLAlchemy Core.

Ingest writes thousands of rows a batch. SQLAlchemy's per-row parameter processing costs
more than the database's own work, so the hot statements are written here once, with
positional parameters, for both databases:

- SQLite: an insert reads all its rows from one JSON array (``json_each``), so SQLite
  writes the whole batch in one step without Python's global lock: the engine computes the
  next batch meanwhile. (``executemany`` takes the lock back after every row, and while the
  engine computes it gets it only every few milliseconds: the write hardly moved.) A float
  travels as its exact fraction ``[numerator, power of two]``, divided back in SQLite: the
  stored value is the same double. An update joins the rows of its JSON array on the
  table's key (``UPDATE … FROM (SELECT … FROM json_each(?))``), so it too is one step;
  rows that repeat a key, or floats JSON cannot carry, go through ``executemany`` of
  plain tuples (one after the other, as before).
- PostgreSQL: one statement per batch over ``unnest``-ed arrays (one round trip). An update
  joins those arrays on the table's key, so the planner looks rows up by key whatever its
  statistics say: without statistics it used to scan an index of the whole community for
  each updated row.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy.dialects import sqlite

_SCOPE = ("platform", "community")


def _json_value(index: int, pg_type: str) -> str:
    """SQLite: the ``index``-th value of a JSON row of ``_json_rows`` (a float is sent as its
    exact fraction)."""
    if pg_type == "float8":
        return f"CAST(value ->> '$[{index}][0]' AS REAL) / (value ->> '$[{index}][1]')"
    return f"value ->> {index}"


@dataclass(frozen=True)
class BulkInsert:
    """``INSERT INTO table (platform, community, *columns)`` for many rows, then ``conflict``
    (``ON CONFLICT …``, the same text on both databases; ``excluded.x`` is the new row)."""

    table: str
    columns: tuple[str, ...]
    pg_types: tuple[str, ...]  # PostgreSQL element type of each column
    conflict: str = "ON CONFLICT DO NOTHING"

    @cached_property
    def sqlite_sql(self) -> str:
        names = ", ".join((*_SCOPE, *self.columns))
        marks = ", ".join("?" * (len(self.columns) + 2))
        return f"INSERT INTO {self.table} ({names}) VALUES ({marks}) {self.conflict}"

    @cached_property
    def sqlite_json_sql(self) -> str:
        """The insert with every row in the JSON array ``?3`` (see the module's docstring)."""
        names = ", ".join((*_SCOPE, *self.columns))
        values = ", ".join(_json_value(i, t) for i, t in enumerate(self.pg_types))
        # "WHERE true": without it SQLite would read ON CONFLICT as part of the SELECT
        return (f"INSERT INTO {self.table} ({names}) SELECT ?1, ?2, {values} "
                f"FROM json_each(?3) WHERE true {self.conflict}")

    @cached_property
    def float_columns(self) -> tuple[int, ...]:
        return tuple(i for i, t in enumerate(self.pg_types) if t == "float8")

    @cached_property
    def postgresql_sql(self) -> str:
        names = ", ".join((*_SCOPE, *self.columns))
        arrays = ", ".join(f"${i + 3}::{t}[]" for i, t in enumerate(self.pg_types))
        return (f"INSERT INTO {self.table} ({names}) SELECT $1, $2, * FROM unnest({arrays}) "
                f"{self.conflict}")


@dataclass(frozen=True)
class BulkUpdate:
    """``UPDATE table SET assignments`` for the rows of one community whose ``keys`` equal
    each row's first values. ``assignments`` names the row's other values as ``{name}``."""

    table: str
    keys: tuple[str, ...]
    values: tuple[str, ...]
    pg_types: tuple[str, ...]  # keys then values
    assignments: str

    @cached_property
    def sqlite_sql(self) -> str:
        # numbered parameters: ?1 platform, ?2 community, then keys, then values
        names = {v: f"?{i + 3 + len(self.keys)}" for i, v in enumerate(self.values)}
        where = " AND ".join(f"{k} = ?{i + 3}" for i, k in enumerate(self.keys))
        return (f"UPDATE {self.table} SET {self.assignments.format(**names)} "
                f"WHERE platform = ?1 AND community = ?2 AND {where}")

    @cached_property
    def sqlite_json_sql(self) -> str:
        """The update with every row in the JSON array ``?3``, joined on the key (one
        statement: SQLite runs it without Python's lock, as the inserts)."""
        columns = (*self.keys, *self.values)
        names = {v: f"v.{v}" for v in self.values}
        values = ", ".join(f"{_json_value(i, t)} AS {c}"
                           for i, (c, t) in enumerate(zip(columns, self.pg_types, strict=True)))
        where = " AND ".join(f"{self.table}.{k} = v.{k}" for k in self.keys)
        # MATERIALIZED: the rows are read first and each looks its row up by key (joined
        # directly, the planner scans the community's rows for each of them instead)
        return (f"WITH v AS MATERIALIZED (SELECT {values} FROM json_each(?3)) "
                f"UPDATE {self.table} SET {self.assignments.format(**names)} FROM v "
                f"WHERE {self.table}.platform = ?1 AND {self.table}.community = ?2 AND {where}")

    @cached_property
    def float_columns(self) -> tuple[int, ...]:
        return tuple(i for i, t in enumerate(self.pg_types) if t == "float8")

    @cached_property
    def postgresql_sql(self) -> str:
        columns = (*self.keys, *self.values)
        names = {v: f"v.{v}" for v in self.values}
        arrays = ", ".join(f"${i + 3}::{t}[]" for i, t in enumerate(self.pg_types))
        where = " AND ".join(f"{self.table}.{k} = v.{k}" for k in self.keys)
        return (f"UPDATE {self.table} SET {self.assignments.format(**names)} "
                f"FROM unnest({arrays}) AS v({', '.join(columns)}) "
                f"WHERE {self.table}.platform = $1 AND {self.table}.community = $2 AND {where}")


async def run_bulk(conn: Any, statement: BulkInsert | BulkUpdate, scope: tuple[str, str],
                   rows: Sequence[tuple[Any, ...]]) -> None:
    """Run ``statement`` for ``rows`` (tuples in the statement's column order, without the
    scope) in the caller's transaction."""
    if not rows:
        return
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    if conn.dialect.name == "sqlite":
        # an update joins its rows on the key: each key once (else one of them would apply)
        encoded = _json_rows(rows, statement.float_columns) if isinstance(
            statement, BulkInsert) or _unique_keys(rows, len(statement.keys)) else None
        if encoded is not None:
            await driver.execute(statement.sqlite_json_sql, (*scope, encoded))
        else:
            await driver.executemany(statement.sqlite_sql, [(*scope, *row) for row in rows])
    else:
        await driver.execute(statement.postgresql_sql, *scope, *map(list, zip(*rows, strict=True)))


def _unique_keys(rows: Sequence[tuple[Any, ...]], width: int) -> bool:
    return len({row[:width] for row in rows}) == len(rows)


_MAX_DENOMINATOR = 1 << 62  # a power of two SQLite holds exactly as an integer


def _json_rows(rows: Sequence[tuple[Any, ...]], floats: tuple[int, ...]) -> str | None:
    """``rows`` as one JSON array, each float as its exact fraction; ``None`` when a float
    has no such fraction within SQLite's integers (infinities, tiny numbers): the caller
    then binds the rows one by one."""
    payload: Sequence[Any] = rows
    if floats:
        encoded: list[list[Any]] = []
        for row in rows:
            values = list(row)
            for i in floats:
                value = values[i]
                if value is not None:
                    try:
                        numerator, denominator = value.as_integer_ratio()
                    except (OverflowError, ValueError):
                        return None
                    if denominator > _MAX_DENOMINATOR or abs(numerator) >= _MAX_DENOMINATOR:
                        return None
                    values[i] = (numerator, denominator)
            encoded.append(values)
        payload = encoded
    return json.dumps(payload, ensure_ascii=False, check_circular=False, allow_nan=False)


async def run_bulk_returning(conn: Any, statement: BulkInsert, scope: tuple[str, str],
                             rows: Sequence[tuple[Any, ...]], column: str) -> list[Any] | None:
    """``statement`` for ``rows``, returning ``column`` of each row it wrote (an ``ON CONFLICT
    DO NOTHING`` skips the others, even a concurrent writer's). ``None`` on SQLite when the
    rows cannot travel as JSON (see ``_json_rows``): nothing was written, use ``run_bulk``."""
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    if conn.dialect.name == "sqlite":
        encoded = _json_rows(rows, statement.float_columns)
        if encoded is None:
            return None
        found = await driver.execute_fetchall(
            f"{statement.sqlite_json_sql} RETURNING {column}", (*scope, encoded))
        return [row[0] for row in found]
    records = await driver.fetch(
        f"{statement.postgresql_sql} RETURNING {column}", *scope,
        *map(list, zip(*rows, strict=True)))
    return [record[0] for record in records]


async def stored_keys(conn: Any, table: str, column: str, scope: tuple[str, str],
                      keys: Collection[str]) -> set[str]:
    """Which of ``keys`` the community's rows of ``table`` hold in ``column`` (a key of the
    table's primary key or of an index). One statement whatever the number of keys: the keys
    travel as one array (a JSON array on SQLite), so nothing is compiled per call."""
    if not keys:
        return set()
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    if conn.dialect.name == "sqlite":
        rows = await driver.execute_fetchall(
            f"SELECT {column} FROM {table} WHERE platform = ? AND community = ? "
            f"AND {column} IN (SELECT value FROM json_each(?))",
            (*scope, json.dumps(list(keys))))
    else:
        rows = await driver.fetch(
            f"SELECT {column} FROM {table} WHERE platform = $1 AND community = $2 "
            f"AND {column} = ANY($3::text[])", *scope, list(keys))
    return {row[0] for row in rows}


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
    """Execute a SQLAlchemy INSERT (or UPSERT, or UPDATE) for many rows given as dicts.

    On SQLite the statement, compiled with named parameters, goes straight to the driver's
    ``executemany`` with the row dicts; elsewhere SQLAlchemy's executemany is used as it is.
    For the statements ingest runs for every batch, prefer ``BulkInsert``/``BulkUpdate``.
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
