"""The demo's story through the whole pipeline with the answer decision, on a SQLite file and
on PostgreSQL: the passionate helpers lead (breadth beats volume), the pair of friends who
only answer each other gains little, staff are ranked apart, and members who only chat
are no helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import reports
from bot.config import CommunitySettings
from bot.engine import Engine
from bot.period import Period
from bot.sample import generate
from bot.scope import Scope
from bot.store import Store

# bot/sample.py numbers its members by role, in this order (scale 1)
HELPERS = {f"u{i:04d}" for i in range(1, 6)}
FRIENDS = {"u0006", "u0007"}
STAFF = {"u0009", "u0010", "u0011"}
LURKERS = {f"u{i:04d}" for i in range(52, 77)}
# a fixed end: the sample's hours of activity follow the clock of its last day
END = datetime(2026, 11, 30, 18, tzinfo=UTC)
MONTH = Period(END - timedelta(days=30), END)


async def test_the_demo_story_holds(store: Store) -> None:
    await Engine(store).ingest(generate(seed=7, weeks=4, end=END))
    ranked = await reports.helpers(store, Scope("demo", "demo"),
                                   MONTH, CommunitySettings())
    order = [e.advocate.user for e in ranked]
    peers = [e.advocate.user for e in ranked if not e.advocate.is_staff]
    assert set(peers[:5]) == HELPERS, "the five passionate helpers lead"
    friends = [order.index(f) for f in FRIENDS if f in order]
    assert friends, "the pair of friends is ranked"
    assert all(rank > max(order.index(h) for h in HELPERS) for rank in friends)
    staff = [i for i, e in enumerate(ranked) if e.advocate.is_staff]
    assert {ranked[i].advocate.user for i in staff} == STAFF
    assert min(staff) == len(peers), "staff ranked apart, after every peer"


async def test_members_who_only_chat_are_no_helpers(store: Store) -> None:
    await Engine(store).ingest(generate(seed=7, weeks=4, end=END))
    ranked = await reports.helpers(store, Scope("demo", "demo"),
                                   MONTH, CommunitySettings())
    assert not LURKERS & {e.advocate.user for e in ranked}
