"""The store's bulk statements (bot/store/driver.py) store exactly what they are given: on
SQLite the rows of an insert travel as one JSON array, floats as exact fractions."""

from __future__ import annotations

import random

from bot.store import Store
from bot.store.driver import BulkInsert, run_bulk, stored_keys

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
