"""Credit in a busy channel (tests/busy_channel.py): chatter is never help, plain answers
are still found, and a member who only chats is no helper. Three generated communities
(seeds 1-3, three weeks each), pooled, on SQLite and PostgreSQL; prints the figures kept in
docs/accuracy.md."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot import reports
from bot.config import CommunitySettings
from bot.engine import Engine
from bot.events import Event, Message
from bot.period import Period
from bot.scope import Scope
from bot.store import Store
from tests.busy_channel import CHATTY, START, generate

SEEDS = (1, 2, 3)


async def pooled_figures(store: Store, *, export: bool) -> dict[str, float]:
    """Credits over the generated communities, against their labels."""
    counts = dict.fromkeys(("credits", "chatter_credits", "plain", "plain_right", "threaded",
                            "threaded_right", "chatty_credits", "chatty_ranked"), 0)
    for seed in SEEDS:
        busy = generate(seed=seed, export=export)
        scope = Scope("slack", f"busy{seed}")
        await Engine(store).ingest([_in(e, scope.community) for e in busy.events])
        ids = [e.id for e in busy.events if isinstance(e, Message)]
        rows = [r for r in await store.answers_by_message(scope, ids) if r.active]
        credited = {(r.question_id, r.answerer) for r in rows}
        counts["credits"] += len(rows)
        counts["chatter_credits"] += sum(r.answer_id in busy.chatter for r in rows)
        counts["plain"] += len(busy.plain)
        counts["plain_right"] += sum((q, h) in credited for q, _, h in busy.plain)
        counts["threaded"] += len(busy.threaded)
        counts["threaded_right"] += sum((q, h) in credited for q, _, h in busy.threaded)
        counts["chatty_credits"] += sum(r.answerer == CHATTY for r in rows)
        period = Period(START - timedelta(days=1), START + timedelta(days=30))
        ranked = await reports.helpers(store, scope, period, CommunitySettings())
        counts["chatty_ranked"] += any(e.advocate.user == CHATTY for e in ranked)
    figures: dict[str, float] = {
        **counts,
        "chatter_share": counts["chatter_credits"] / max(1, counts["credits"]),
        "plain_credited_right": counts["plain_right"] / max(1, counts["plain"]),
        "thread_credited_right": counts["threaded_right"] / max(1, counts["threaded"]),
    }
    print(f"busy channel, seeds {SEEDS} ({'Slack export' if export else 'live'}):",
          {k: round(v, 3) for k, v in figures.items()})
    return figures


def _in(event: Event, community: str) -> Event:
    return replace(event, community=community)


@pytest.mark.parametrize("export", [False, True], ids=["live", "export"])
async def test_chatter_stays_rare_and_real_answers_count(store: Store, export: bool) -> None:
    figures = await pooled_figures(store, export=export)
    assert figures["credits"] >= 100, "the real answers are still credited"
    assert figures["thread_credited_right"] >= 0.75
    # before the answer decision, chatter took more than half of all credits here (58%)
    assert figures["chatter_share"] <= 0.10


async def test_chatter_gets_at_most_two_percent_of_credits(store: Store) -> None:
    figures = await pooled_figures(store, export=False)
    assert figures["chatter_share"] <= 0.02


async def test_three_plain_answers_in_four_are_credited(store: Store) -> None:
    figures = await pooled_figures(store, export=False)
    assert figures["plain_credited_right"] >= 0.75


async def test_a_member_who_only_chats_is_no_helper(store: Store) -> None:
    figures = await pooled_figures(store, export=False)
    assert figures["chatty_credits"] == 0
    assert figures["chatty_ranked"] == 0
