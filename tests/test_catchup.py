"""``bot.catchup`` over a scripted history source, into the real engine and store (both
databases): the plan from cursors, the initial flag, partial reads and the report."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

import pytest

from bot.catchup import Place, PlaceRefused, SourceRefused, Start, catch_up, plan
from bot.engine import Engine
from bot.events import Event
from bot.scope import Scope
from bot.store import Store
from tests.chat import START, Chat

SCOPE = Scope("other", "c1")
NOW = (START + timedelta(days=2)).timestamp()


class ScriptedHistory:
    """Pages of events per place; a place may be refused after its pages."""

    def __init__(self, pages: dict[str, list[list[Event]]], refuse: dict[str, str]
                 | None = None) -> None:
        self.scope = SCOPE
        self.pages = pages
        self.refuse = refuse or {}
        self.starts: dict[str, Start] = {}

    async def places(self, since: float) -> Sequence[Place]:
        return [Place(key, key.split("/")[0], f"#{key}") for key in self.pages]

    async def read(self, place: Place, start: Start) -> AsyncIterator[list[Event]]:
        self.starts[place.key] = start
        for page in self.pages[place.key]:
            yield page
        if place.key in self.refuse:
            raise PlaceRefused(self.refuse[place.key])


def test_plan_starts_after_the_cursor_and_is_initial_only_where_nothing_was_seen() -> None:
    cursors = {"C1": (100.0, "m9")}
    assert plan(Place("C1", "C1"), cursors, 50.0) == Start((100.0, "m9"), 50.0, False, cursors)
    assert plan(Place("C1/T1", "C1"), cursors, 50.0).initial is False  # its channel was seen
    fresh = plan(Place("C2", "C2"), cursors, 50.0)
    assert fresh.after is None and fresh.initial and fresh.since == 50.0


async def test_catch_up_ingests_pages_and_reports_refusals(store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I export my data?", channel="C1")
    chat.msg("bob", "From the admin page.", channel="C1", reply_to=q)
    first = chat.take()
    chat.msg("cat", "Is the mirror down?", channel="C2")
    partial = chat.take()
    engine = Engine(store)
    source = ScriptedHistory({"C1": [first[:1], first[1:]], "C2": [partial]},
                             refuse={"C2": "the bot is not a member of the channel"})
    report = await catch_up(source, engine, store, NOW, days=14)

    assert report.places == 1 and report.messages == 3 and report.done
    assert report.skipped == {"#C2": "the bot is not a member of the channel"}
    assert report.summary() == "caught up on 1 channels and threads: 3 messages; 1 skipped"
    assert source.starts["C1"].initial and source.starts["C1"].since == NOW - 14 * 86400
    cursors = await store.channel_cursors(SCOPE)
    assert set(cursors) == {"C1", "C2"}, "what was read before a refusal stays ingested"

    again = ScriptedHistory({"C1": [], "C2": []})
    await catch_up(again, engine, store, NOW, days=14)
    assert again.starts["C1"].after == cursors["C1"] and not again.starts["C1"].initial


async def test_a_refused_source_stops_the_catch_up(store: Store) -> None:
    class Revoked(ScriptedHistory):
        async def places(self, since: float) -> Sequence[Place]:
            raise SourceRefused("the bot token was revoked")

    with pytest.raises(SourceRefused, match="revoked"):
        await catch_up(Revoked({}), Engine(store), store, NOW, days=14)
