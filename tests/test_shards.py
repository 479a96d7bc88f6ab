"""Two bot processes (Discord shards: each guild lives on one) writing one PostgreSQL
database, each ingesting its own communities at the same time from a fresh database, store
the same figures as one process ingesting everything."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import reports
from bot.config import CommunitySettings
from bot.events import Event
from bot.period import Period
from bot.sample import generate
from bot.scope import Scope
from bot.store import Store
from tests.conftest import create_pg_database, drop_pg_database

pytestmark = pytest.mark.postgres

END = datetime(2026, 11, 16, tzinfo=UTC)
COMMUNITIES = ("guild-a", "guild-b")


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two fresh PostgreSQL databases: one for the shards, one for the single process."""
    (shards, shards_url), (single, single_url) = (
        create_pg_database("innercircle_shards") for _ in range(2))
    yield shards_url, single_url
    for name in (shards, single):
        drop_pg_database(name)


def write_jsonl(events: list[Event], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for event in events:
            handle.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
    return path


def replay(path: Path, url: str) -> subprocess.Popen[bytes]:
    """A separate bot process replaying ``path`` into ``url``."""
    env = {**os.environ, "INNERCIRCLE_DB": url}
    return subprocess.Popen([sys.executable, "-m", "bot", "replay", str(path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish(process: subprocess.Popen[bytes]) -> None:
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, output.decode(errors="replace")


async def figures(url: str) -> dict[str, object]:
    store = await Store.open(url)
    settings = CommunitySettings()
    out: dict[str, object] = {}
    try:
        for community in COMMUNITIES:
            scope = Scope("demo", community)
            for days in (7, 30):
                period = Period(END - timedelta(days=days), END)
                health = await reports.health(store, scope, period, settings)
                ranked = await reports.helpers(store, scope, period, settings)
                out[f"{community}/{days}/health"] = health.to_json()
                out[f"{community}/{days}/helpers"] = [e.to_json() for e in ranked]
    finally:
        await store.close()
    return out


def test_two_shards_on_one_database_give_the_figures_of_one(
        databases: tuple[str, str], tmp_path: Path) -> None:
    shards_url, single_url = databases
    files = []
    for index, community in enumerate(COMMUNITIES):
        events = generate(seed=30 + index, weeks=4, end=END, community=community, scale=2,
                          id_prefix=f"s{index}-")
        assert len(events) > 1000
        files.append(write_jsonl(events, tmp_path / f"{community}.jsonl"))
    both = tmp_path / "both.jsonl"
    both.write_bytes(b"".join(f.read_bytes() for f in files))

    shards = [replay(path, shards_url) for path in files]  # at once, on a fresh database
    for process in shards:
        finish(process)
    finish(replay(both, single_url))

    from_shards = asyncio.run(figures(shards_url))
    from_one = asyncio.run(figures(single_url))
    assert from_shards == from_one
    assert from_one["guild-a/30/health"]["questions"] > 50  # type: ignore[index]
    assert from_one["guild-b/30/helpers"]
