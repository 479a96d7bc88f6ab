"""Opening the database: engine, pragmas, migrations, the per-database secret."""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.config import to_sqlalchemy_url
from bot.scope import Scope
from bot.store import schema
from bot.store.dialect import insert_ignore
from bot.store.migrate import upgrade

MIGRATION_LOCK = 0x1C_C1_2C_1E  # the advisory lock id processes take to migrate
CHECKPOINT_PAGES = 16384  # write-ahead log pages between checkpoints (the default is 1000)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, cache_kib: int | None = None) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    _use_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # deleted facts and expired excerpts are overwritten, not left in free pages
    cursor.execute("PRAGMA secure_delete=ON")
    if cache_kib is not None:
        # A bulk import inserts into a dozen indexes at scattered places: with SQLite's
        # default 2 MB page cache most of those pages are read back from the file again and
        # again as the tables grow (a write cost 48 us a message at 90k stored, 122 at 360k;
        # 37 and 68 with 64 MB). The running bot keeps the default: its memory is capped.
        cursor.execute(f"PRAGMA cache_size=-{cache_kib}")
    # Checkpoint the write-ahead log less often: a page written by many batches in a row
    # (the newest end of each index) is copied back to the database file once, not each time.
    cursor.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
    cursor.close()


def _use_wal(cursor: Any) -> None:
    """Switch a new database file to WAL (the mode then stays with the file).

    The switch needs the file to itself: processes opening a fresh database at once can see
    "database is locked" there even with a busy timeout, so it is retried for a while.
    """
    cursor.execute("PRAGMA journal_mode")
    if str(cursor.fetchone()[0]).lower() == "wal":
        return
    for attempt in range(100):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except Exception as error:
            if "locked" not in str(error) or attempt == 99:
                raise
            time.sleep(0.1)


def make_engine(url: str, sqlite_cache_kib: int | None = None) -> AsyncEngine:
    """An async engine for a file path or database URL; SQLite folders are created.
    ``sqlite_cache_kib``: each SQLite connection's page cache (``None``: SQLite's 2 MB)."""
    url = to_sqlalchemy_url(url)
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect",
                     functools.partial(_sqlite_pragmas, cache_kib=sqlite_cache_kib))
        # A task cancelled mid-query makes the pool "terminate" its connection: a graceful
        # close raced by a forced stop of aiosqlite's thread, which can leave the close
        # waiting forever and hang the event loop's final clean-up. A plain close cannot.
        engine.dialect.do_terminate = engine.dialect.do_close  # type: ignore[method-assign]
        return engine
    return create_async_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True)


class Database:
    """The engine plus what every query module needs."""

    def __init__(self, engine: AsyncEngine, secret: bytes) -> None:
        self.engine = engine
        self.secret = secret
        self.dialect = engine.dialect.name
        self.written = 0  # messages this process wrote, and that count at the last ANALYZE
        self.analyzed_at = 0
        self.listeners: list[Callable[[Scope, float], None]] = []

    def on_change(self, listener: Callable[[Scope, float], None]) -> None:
        """Call ``listener(scope, since)`` after each write this process makes that may change
        the health figures of ``scope`` from time ``since`` on (-inf: any time). Writes by
        other processes are not seen: caches built on this also expire with age."""
        self.listeners.append(listener)

    def changed(self, scope: Scope, since: float) -> None:
        for listener in self.listeners:
            listener(scope, since)

    @classmethod
    async def open_engine(cls, url: str, sqlite_cache_kib: int | None = None
                          ) -> tuple[AsyncEngine, bytes]:
        """Create the engine, migrate to the newest schema, load (or make) the secret."""
        engine = make_engine(url, sqlite_cache_kib)
        async with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                # Several bot processes (shards) may start at once on a fresh database: one
                # migrates, the others wait for it and find the schema up to date.
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": MIGRATION_LOCK})
            elif engine.dialect.name == "sqlite":
                # The same on SQLite: the write lock, taken before anything is read.
                await conn.exec_driver_sql("BEGIN IMMEDIATE")
            migrated = await conn.run_sync(upgrade)
            secret = await _ensure_secret(conn)
        if migrated:
            await analyze(engine)
        return engine, secret

    async def close(self) -> None:
        await self.engine.dispose()


async def analyze(engine: AsyncEngine, tables: tuple[str, ...] = ()) -> None:
    """Refresh PostgreSQL's planner statistics (after migrations and large batches): on a
    table it has no statistics for, the planner may scan a whole community's index where one
    primary-key lookup does. SQLite plans these queries well without statistics."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as conn:
        await conn.execute(text("ANALYZE" if not tables else "ANALYZE " + ", ".join(tables)))
        await conn.commit()


async def _ensure_secret(conn: AsyncConnection) -> bytes:
    """The HMAC key made at first start and kept with the database."""
    found = (
        await conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "hmac_key"))
    ).scalar_one_or_none()
    if found is not None:
        return bytes.fromhex(found)
    # Two processes may start at once: the first key written wins.
    await conn.execute(
        insert_ignore(schema.meta, conn.dialect.name).values(
            key="hmac_key", value=secrets.token_hex(32)
        )
    )
    stored = (
        await conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "hmac_key"))
    ).scalar_one()
    return bytes.fromhex(stored)
