"""A bounded fuzz of the JSONL reader and the store's writer (hypothesis, a few seconds): any
line is either ingested or reported bad with its number, never a crash; an event written back
as JSON reads the same."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import Engine
from bot.events import EVENT_TYPES, parse_event
from bot.replay import BadLine, ReplayResult, read_events, replay_file
from bot.store import Store

FIELDS = ["id", "channel", "author", "text", "author_name", "reply_to", "thread", "mentions",
          "author_roles", "author_is_staff", "author_is_bot", "channel_kind", "message",
          "user", "emoji", "user_name", "answer", "question", "by_staff", "helper", "platform"]

hostile_text = st.text(alphabet=st.characters(codec=None), max_size=80) | st.sampled_from(
    ["\ud800", "\x00", "a\rb", "\u202etxt", "\x1b[2J", "", " ", "x" * 300, "<!here>"])
hostile_int = st.integers(min_value=-(10**80), max_value=10**80) | st.sampled_from([0, 2**63])
timestamps = st.sampled_from([
    "2026-11-02T10:00:00Z", "2026-11-02T10:00:00+14:00", "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "now",
    "1970-01-01T00:00:00Z", "2099-12-31T23:59:59Z",
]) | st.datetimes().map(lambda d: d.isoformat() + "Z")
values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | hostile_int | st.floats() | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=8,
)
SHARP = ["how?\ud800", "why\x00?", "u" * 65, 10**70, -1, "c" * 200, "what?" * 9000, 12,
         "0001-01-01T00:00:00+01:00", ["u"] * 500, [["x"]], {"a": 1}, "\x1b]0;x\x07"]
VALID = {"community": "c1", "ts": "2026-11-02T10:00:00Z", "id": "m1", "channel": "help",
         "author": "u1", "text": "how do I reset it?", "message": "m1", "user": "u2",
         "emoji": "+1", "answer": "m1", "helper": "u1"}


def _event(kind: str, changes: dict[str, Any]) -> dict[str, Any]:
    """A valid event of ``kind`` with some fields replaced by hostile values."""
    return {"type": kind, **VALID, **changes}


objects = st.builds(
    _event, st.sampled_from([*EVENT_TYPES, "nope"]),
    st.dictionaries(st.sampled_from(["community", "ts", *FIELDS]),
                    st.sampled_from(SHARP) | values | timestamps, max_size=3),
)
lines = st.lists(objects.map(lambda o: json.dumps(o).encode()) | st.binary(max_size=60),
                 min_size=1, max_size=25)


@settings(max_examples=80, deadline=None)
@given(lines)
def test_the_reader_reports_or_parses_every_line(raw: list[bytes]) -> None:
    bad: list[BadLine] = []
    events = list(read_events(raw, bad))
    numbers = [b.number for b in bad]
    assert len(numbers) == len(set(numbers))
    assert len(events) + len(bad) <= len(raw)
    for event in events:  # what was parsed writes back as the same event
        assert parse_event(json.loads(json.dumps(event.to_json()))) == event


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "fuzz.sqlite")
    return str(request.getfixturevalue("pg_database"))


def test_the_writer_stores_whatever_the_reader_accepts(database_url: str,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "fuzz.jsonl"

    @settings(max_examples=20, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(lines)
    def check(raw: list[bytes]) -> None:
        path.write_bytes(b"\n".join(line.replace(b"\n", b" ") for line in raw) + b"\n")
        result = asyncio.run(_replay(database_url, path))
        assert result.stats.events + len(result.bad) <= len(raw)

    check()


async def _replay(url: str, path: Path) -> ReplayResult:
    store = await Store.open(url)
    try:
        return await replay_file(Engine(store), path)
    finally:
        await store.close()
