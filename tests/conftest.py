"""Shared fixtures: a real SQLite file and a real PostgreSQL database for every store test."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.store import Store

PG_ADMIN_URL = os.environ.get("INNERCIRCLE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _pg_admin(statement: str) -> None:
    """Run one statement on the admin database, in a thread of its own (pytest-asyncio may
    already run a loop in this one)."""
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


def create_pg_database(prefix: str) -> tuple[str, str]:
    """Create a fresh PostgreSQL database; its (name, url). Drop it with ``drop_pg_database``.

    Outside CI a missing server skips the test; in CI (CI=true) it fails it.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        _pg_admin(f'CREATE DATABASE "{name}"')
    except Exception as error:
        message = f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return name, f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def drop_pg_database(name: str) -> None:
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    name, url = create_pg_database("innercircle_test")
    yield url
    drop_pg_database(name)


async def _clear(store: Store) -> None:
    from sqlalchemy import delete

    from bot.store.schema import metadata

    async with store.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name != "meta":
                await conn.execute(delete(table))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated, empty store: a SQLite file, then the same test on PostgreSQL."""
    if request.param == "sqlite":
        opened = await Store.open(str(tmp_path / "test.sqlite"))
    else:
        url = request.getfixturevalue("pg_database")
        opened = await Store.open(url)
        await _clear(opened)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated, empty SQLite store (for platform tests, where the database is not the point)."""
    opened = await Store.open(str(tmp_path / "test.sqlite"))
    try:
        yield opened
    finally:
        await opened.close()
