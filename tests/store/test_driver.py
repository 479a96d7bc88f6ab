"""The store's bulk statements (bot/store/driver.py) store exactly what they are given: on
SQLite the rows of an insert travel as one JSON array, floats as exact fractions."""

from __future__ import annotations

import random
from pathlib import Path

from bot.store import Store
from bot.store.driver import BulkInsert, BulkUpdate, run_bulk, stored_keys
from bot.store.writes import (
    ACKNOWLEDGE,
    EARLIER_FIRST_ANSWER,
    REVISE_ANSWERS,
    SET_FIRST_ANSWERS,
)

SAMPLE = BulkInsert("acks", ("source", "question_id", "helper", "user_id", "ts"),
                    ("text", "text", "text", "text", "float8"))
SCOPE = ("demo", "driver")


def awkward_floats() -> list[float]:
    rng = random.Random(3)
    return [0.1, 1 / 3, 2.0 ** -60, 1763251200.123456, 1e15 + 0.5, 0.0,
            *(rng.random() for _ in range(200)),
            *(1.7e9 + rng.randrange(10 ** 15) / 1e6 for _ in range(200))]


async def read_back(store: Store) -> dict[str, tuple[str, str, float]]:
    async with store.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        if store.dialect == "sqlite":
            rows = await driver.execute_fetchall(
                "SELECT source, helper, ts FROM acks WHERE community = 'driver'")
        else:
            rows = await driver.fetch(
                "SELECT source, helper, ts FROM acks WHERE community = 'driver'")
    return {row[0]: (row[0], row[1], row[2]) for row in rows}


async def test_bulk_inserts_keep_every_value_exactly(store: Store) -> None:
    floats = awkward_floats()
    rows = [(f"s{i}", "q", f"name \"{i}\" ✓ \\ \n {chr(0x1F600)}", "u", x)
            for i, x in enumerate(floats)]
    async with store.engine.begin() as conn:
        await run_bulk(conn, SAMPLE, SCOPE, rows)
        await run_bulk(conn, SAMPLE, SCOPE, [("s0", "q", "again", "u", 5.0)])  # a duplicate
    stored = await read_back(store)
    assert len(stored) == len(rows)
    for source, _, helper, _, x in rows:
        got = stored[source]
        assert got[1] == helper and got[2] == x


async def test_floats_without_an_exact_fraction_are_bound_row_by_row(store: Store) -> None:
    rows = [("tiny", "q", "h", "u", 1e-300), ("plain", "q", "h", "u", 2.5)]
    async with store.engine.begin() as conn:
        await run_bulk(conn, SAMPLE, SCOPE, rows)
    stored = await read_back(store)
    assert stored["tiny"][2] == 1e-300 and stored["plain"][2] == 2.5


async def test_stored_keys_finds_exactly_the_stored_ones(store: Store) -> None:
    async with store.engine.begin() as conn:
        await run_bulk(conn, SAMPLE, SCOPE, [(f"k{i}", "q", "h", "u", 1.0) for i in range(50)])
    async with store.engine.connect() as conn:
        found = await stored_keys(conn, "acks", "source", SCOPE,
                                  {f"k{i}" for i in range(40, 60)} | {"it's \"quoted\""})
    assert found == {f"k{i}" for i in range(40, 50)}


REVISE = BulkUpdate("acks", ("source",), ("helper", "ts"), ("text", "text", "float8"),
                    "helper = {helper}, ts = {ts}")
LOWER = BulkUpdate("acks", ("source",), ("ts",), ("text", "float8"),
                   "ts = CASE WHEN {ts} < ts THEN {ts} ELSE ts END")


async def test_bulk_updates_set_every_value_exactly(store: Store) -> None:
    floats = awkward_floats()
    async with store.engine.begin() as conn:
        await run_bulk(conn, SAMPLE, SCOPE, [(f"s{i}", "q", "h", "u", 9e9)
                                             for i in range(len(floats) + 1)])
        await run_bulk(conn, REVISE, SCOPE, [(f"s{i}", f"h{i} \"✓\"", x)
                                             for i, x in enumerate(floats)])
    stored = await read_back(store)
    for i, x in enumerate(floats):
        assert stored[f"s{i}"][1:] == (f"h{i} \"✓\"", x)
    assert stored[f"s{len(floats)}"][1:] == ("h", 9e9)  # not in the update: untouched


async def test_a_sqlite_update_that_repeats_a_key_applies_each_row_in_turn(
        sqlite_store: Store) -> None:
    """(Ingest never repeats a key in an update; on PostgreSQL one of the rows would apply.)"""
    store = sqlite_store
    async with store.engine.begin() as conn:
        await run_bulk(conn, SAMPLE, SCOPE, [("a", "q", "h", "u", 5.0), ("b", "q", "h", "u", 5.0)])
        await run_bulk(conn, LOWER, SCOPE, [("a", 3.0), ("a", 4.0), ("b", 7.0), ("a", 1.5)])
    stored = await read_back(store)
    assert stored["a"][2] == 1.5 and stored["b"][2] == 5.0


async def test_sqlite_updates_look_each_row_up_by_key(sqlite_store: Store) -> None:
    """Joined directly to the JSON rows, SQLite's planner scanned the community's rows for
    each of them; every ingest update must look its rows up by the table's key."""
    async with sqlite_store.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        for statement in (ACKNOWLEDGE, REVISE_ANSWERS, SET_FIRST_ANSWERS,
                          *EARLIER_FIRST_ANSWER.values()):
            plan = [row[3] for row in await driver.execute_fetchall(
                "EXPLAIN QUERY PLAN " + statement.sqlite_json_sql, (*SCOPE, "[]"))]
            keys = " AND ".join(f"{k}=?" for k in statement.keys)
            assert any(step.startswith(f"SEARCH {statement.table} ")
                       and f"(platform=? AND community=? AND {keys})" in step
                       for step in plan), plan
            assert not any(step.startswith(f"SCAN {statement.table}") for step in plan), plan


async def test_a_bulk_import_gets_a_larger_sqlite_page_cache(tmp_path: Path) -> None:
    """The running bot keeps SQLite's default page cache (its memory is capped); an import
    asks for more, on every connection it opens."""
    sizes = []
    for cache_kib in (None, 65536):
        store = await Store.open(str(tmp_path / f"{cache_kib}.sqlite"), sqlite_cache_kib=cache_kib)
        try:
            async with store.engine.connect() as conn:
                raw = await conn.get_raw_connection()
                rows = await raw.driver_connection.execute_fetchall("PRAGMA cache_size")
                sizes.append(rows[0][0])
        finally:
            await store.close()
    assert sizes == [-2000, -65536]
