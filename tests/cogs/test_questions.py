"""Corrections ("Mark as answer", "Not an answer", "Not a question"): figures follow at once,
through the runtime's message-action dispatch with the fake platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot import reports
from bot.features import Invoker
from bot.period import Period
from bot.runtime import Runtime
from bot.store import Store
from tests.fake_platform import FakePlatform
from tests.weekly.helpers import SCOPE, make_runtime, qa

T0 = datetime(2024, 3, 25, 8, tzinfo=UTC)
SPAN = Period(T0 - timedelta(days=1), T0 + timedelta(days=1))
STAFF = Invoker("mod1", "Mod")  # staff by the staff_users setting


async def figures(runtime: Runtime) -> tuple[dict[str, Any], list[tuple[str, int, int]]]:
    settings = await runtime.community_settings(SCOPE)
    health = (await reports.health(runtime.store, SCOPE, SPAN, settings)).to_json()
    ranked = await reports.helpers(runtime.store, SCOPE, SPAN, settings)
    return health, [(e.advocate.user, e.advocate.answers, e.advocate.thanked) for e in ranked]


async def test_corrections_move_figures_at_once(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake)
    events = qa(T0, "alice", "bob")
    question, answer = events[0].id, events[1].id  # type: ignore[attr-defined]
    await runtime.engine.ingest(events)
    health, helpers = await figures(runtime)
    assert (health["questions"], health["peer_answered"]) == (1, 1)
    assert helpers == [("bob", 1, 0)]

    reply = await runtime.run_message_action(fake, SCOPE, STAFF, "not_answer", answer)
    assert reply.tone == "good", reply.plain_text()
    health, helpers = await figures(runtime)
    assert (health["answered"], health["peer_answered"], health["unanswered"]) == (0, 0, 1)
    assert helpers == []

    reply = await runtime.run_message_action(fake, SCOPE, Invoker("alice"), "mark_answer",
                                             answer)
    assert reply.tone == "good", reply.plain_text()
    health, helpers = await figures(runtime)
    assert (health["answered"], health["peer_answered"]) == (1, 1)
    assert helpers == [("bob", 1, 1)]  # the asker's mark acknowledges the answer

    reply = await runtime.run_message_action(fake, SCOPE, STAFF, "not_question", question)
    assert reply.tone == "good", reply.plain_text()
    health, helpers = await figures(runtime)
    assert (health["questions"], health["answered"]) == (0, 0)
    assert helpers == []


async def test_corrections_respect_who_may(store: Store, fake: FakePlatform) -> None:
    runtime = make_runtime(store, fake)
    events = qa(T0, "alice", "bob")
    question, answer = events[0].id, events[1].id  # type: ignore[attr-defined]
    await runtime.engine.ingest(events)
    for action, target in (("not_answer", answer), ("not_question", question)):
        reply = await runtime.run_message_action(fake, SCOPE, Invoker("carol"), action, target)
        assert reply.tone == "error" and "staff only" in reply.text
    # only the asker (or staff) marks an answer
    await runtime.run_message_action(fake, SCOPE, STAFF, "not_answer", answer)
    refused = await runtime.run_message_action(fake, SCOPE, Invoker("carol"), "mark_answer",
                                                answer)
    assert refused.tone == "error" and "only the asker or staff" in refused.text
    health, helpers = await figures(runtime)
    assert (health["questions"], health["answered"], helpers) == (1, 0, [])
