"""Events become the right facts: answers, acknowledgements, corrections, edits, deletes,
idempotent replay. Each test runs on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot import reports
from bot.config import CommunitySettings
from bot.engine import Engine
from bot.metrics.health import Health
from bot.period import Period
from bot.scope import Scope
from bot.store import Store
from tests.chat import START, Chat

SCOPE = Scope("other", "c1")
WEEK = Period(START - timedelta(days=1), START + timedelta(days=6))


async def health(store: Store) -> Health:
    return await reports.health(store, SCOPE, WEEK, CommunitySettings())


async def helpers(store: Store) -> dict[str, reports.NamedAdvocate]:
    ranked = await reports.helpers(store, SCOPE, WEEK, CommunitySettings())
    return {entry.advocate.user: entry for entry in ranked}


async def test_reply_thread_and_addressed_answers_count(store: Store) -> None:
    chat = Chat()
    q1 = chat.msg("ann", "How do I reset my password?")
    chat.msg("bob", "Settings, then reset", reply_to=q1)
    q2 = chat.msg("cat", "Is there a dark mode?", channel="help", thread=None)
    chat.msg("dan", "yes, under appearance", channel="help", thread=q2)
    q3 = chat.msg("eve", "anyone know why sync fails?")
    chat.msg("bob", "eve: restart the sync service")
    await Engine(store).ingest(chat.take())
    figures = await health(store)
    assert figures.questions == 3
    assert figures.answered == 3
    assert figures.peer_answered == 3
    assert figures.helpers == 2
    board = await helpers(store)
    assert board["bob"].advocate.answers == 2
    assert board["bob"].advocate.people_helped == 2
    assert board["dan"].advocate.answers == 1
    assert q3  # eve's question answered by addressing her by name


async def test_self_answers_bots_and_non_answers_count_for_nothing(store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I export to CSV?")
    chat.msg("ann", "oh I found it, never mind", reply_to=q)
    chat.msg("botty", "Here is a doc link", reply_to=q, author_is_bot=True)
    chat.msg("bob", "+1", reply_to=q)
    chat.msg("cat", "same problem here, did you find a fix?", reply_to=q)
    await Engine(store).ingest(chat.take())
    figures = await health(store)
    assert figures.questions == 1  # "same problem here, …?" is not a new question
    assert figures.answered == 0
    assert figures.unanswered == 1
    assert figures.helpers == 0
    assert figures.active_members == 3  # ann, bob, cat: bots are not members


async def test_several_messages_by_one_helper_make_one_answer(store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I configure webhooks?")
    chat.msg("bob", "First open the settings", reply_to=q)
    chat.msg("bob", "then paste the secret", reply_to=q)
    chat.msg("bob", "and save", reply_to=q)
    await Engine(store).ingest(chat.take())
    board = await helpers(store)
    assert board["bob"].advocate.answers == 1
    assert (await health(store)).bus_factor == 1


async def test_staff_answers_are_counted_apart(store: Store) -> None:
    chat = Chat()
    q1 = chat.msg("ann", "How do I upgrade?")
    chat.msg("sam", "Use the installer", reply_to=q1, author_roles=["Moderator"])
    q2 = chat.msg("bob", "Where is the changelog?")
    chat.msg("cat", "On the releases page", reply_to=q2, after=timedelta(minutes=10))
    await Engine(store).ingest(chat.take())
    figures = await health(store)
    assert figures.answered == 2
    assert figures.peer_answered == 1
    assert figures.peer_answer_rate == 0.5
    assert figures.helpers == 1  # staff are not peer helpers
    assert figures.median_first_response_staff_s == 60
    assert figures.median_first_response_peer_s == 600
    board = await helpers(store)
    assert board["sam"].advocate.is_staff and not board["cat"].advocate.is_staff
    ranked = list(board)
    assert ranked.index("cat") < ranked.index("sam")  # peers first, staff after


async def test_replaying_the_same_events_twice_counts_once(store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I reset my password?")
    a = chat.msg("bob", "Settings, then reset", reply_to=q)
    chat.react("ann", a, "white_check_mark")
    chat.msg("ann", "thanks bob!", reply_to=a)
    events = chat.take()
    await Engine(store).ingest(events)
    first = await health(store)
    first_board = await helpers(store)
    await Engine(store).ingest(events)  # a new engine: nothing in memory, only the database
    assert await health(store) == first
    assert await helpers(store) == first_board
    assert first_board["bob"].advocate.thanked == 1


async def test_reactions_and_thanks_acknowledge_answers(store: Store) -> None:
    chat = Chat()
    q1 = chat.msg("ann", "How do I reset my password?")
    a1 = chat.msg("bob", "Settings, then reset", reply_to=q1)
    q2 = chat.msg("cat", "Where are the logs?")
    a2 = chat.msg("dan", "In /var/log/app", reply_to=q2)
    q3 = chat.msg("eve", "Can I change my username?")
    chat.msg("fay", "Yes, in your profile", reply_to=q3)
    chat.react("ann", a1, "✅")  # the asker: acknowledged
    chat.react("zed", a2, "👍")  # not the asker: not an acknowledgement
    chat.react("cat", a2, "🎉")  # not an acknowledgement emoji
    chat.msg("eve", "thanks fay, that worked", mentions=["fay"])
    await Engine(store).ingest(chat.take())
    board = await helpers(store)
    assert board["bob"].advocate.thanked == 1
    assert board["dan"].advocate.thanked == 0
    assert board["fay"].advocate.thanked == 1
    chat.react("ann", a1, "✅", remove=True)
    await Engine(store).ingest(chat.take())
    assert (await helpers(store))["bob"].advocate.thanked == 0


async def test_thanks_event_counts_once_a_day_per_pair(store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I reset my password?")
    chat.msg("bob", "Settings, then reset", reply_to=q)
    engine = Engine(store)
    await engine.ingest(chat.take())
    chat.thanks("ann", "bob")
    chat.thanks("ann", "bob")
    chat.thanks("cat", "bob")  # bob never answered cat
    stats = await engine.ingest(chat.take())
    assert [r.ok for r in stats.corrections] == [True, True, False]
    assert "not answered" in stats.corrections[2].reason
    async with store.engine.connect() as conn:
        from sqlalchemy import func, select

        from bot.store.schema import acks
        count = (await conn.execute(select(func.count()).select_from(acks))).scalar()
    assert count == 1


async def test_edits_rerun_the_signals(store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "the export is broken")
    a = chat.msg("bob", "Use the v2 endpoint", reply_to=q)
    engine = Engine(store)
    await engine.ingest(chat.take())
    assert (await health(store)).questions == 0
    chat.edit(q, "why is the export broken?")
    await engine.ingest(chat.take())
    assert (await health(store)).questions == 1
    chat.edit(a, "+1")  # an answer edited into a non-answer stops counting
    await engine.ingest(chat.take())
    assert (await health(store)).helpers == 0


async def test_deleted_answers_and_questions_stop_counting(store: Store) -> None:
    chat = Chat()
    q1 = chat.msg("ann", "How do I reset my password?")
    a1 = chat.msg("bob", "Settings, then reset", reply_to=q1)
    q2 = chat.msg("cat", "Where are the logs?")
    chat.msg("dan", "In /var/log/app", reply_to=q2)
    engine = Engine(store)
    await engine.ingest(chat.take())
    chat.delete(a1)
    chat.delete(q2)
    await Engine(store).ingest(chat.take())  # works from the database alone too
    figures = await health(store)
    assert figures.questions == 1
    assert figures.answered == 0
    assert figures.helpers == 0


async def test_mark_unmark_and_not_question(store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I reset my password?")
    chat.msg("zed", "lunch anyone", after=timedelta(days=2))
    a = chat.msg("bob", "it's under settings", after=timedelta(days=2))
    engine = Engine(store)
    await engine.ingest(chat.take())
    assert (await health(store)).answered == 0  # too far apart for an implicit link
    chat.mark("cat", a)  # neither the asker nor staff
    chat.mark("ann", a)  # the asker: the latest open question before it by someone else
    stats = await engine.ingest(chat.take())
    assert [r.ok for r in stats.corrections] == [False, True]
    assert stats.corrections[1].question_id == q
    board = await helpers(store)
    assert board["bob"].advocate.answers == 1 and board["bob"].advocate.thanked == 1
    chat.unmark("ann", a)
    await engine.ingest(chat.take())
    assert (await health(store)).answered == 0
    chat.not_question("ann", q)
    await engine.ingest(chat.take())
    assert (await health(store)).questions == 0


async def test_newcomers_and_new_members(store: Store) -> None:
    chat = Chat()
    chat.join("new")
    q1 = chat.msg("new", "How do I get started?")
    chat.msg("old", "Read the quickstart", reply_to=q1)
    chat.msg("quiet", "How do I change my avatar?")
    engine = Engine(store)
    await engine.ingest(chat.take())
    figures = await health(store)
    assert figures.newcomers_asking == 1
    assert figures.newcomers_answered == 1
    assert figures.new_members == 3  # one joined, two first posted this week
    assert (await helpers(store))["old"].advocate.newcomers_helped == 1


async def test_members_first_seen_in_catchup_are_not_new(store: Store) -> None:
    chat = Chat()
    chat.msg("old", "hello again")
    await Engine(store).ingest(chat.take(), catchup=True)
    assert (await health(store)).new_members == 0


async def test_ignored_users_and_excluded_channels(store: Store) -> None:
    settings = CommunitySettings(ignored_users=["bridge"], excluded_channels=["random"])
    chat = Chat()
    q = chat.msg("ann", "How do I reset my password?")
    chat.msg("bridge", "relayed: settings", reply_to=q)
    chat.msg("bob", "why is the sky blue?", channel="random")
    await Engine(store, settings).ingest(chat.take())
    figures = await health(store)
    assert figures.questions == 1 and figures.answered == 0 and figures.active_members == 1


async def test_answers_outside_the_window_do_not_count_as_answered(store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I reset my password?")
    chat.msg("bob", "Settings, then reset", reply_to=q, after=timedelta(hours=80))
    await Engine(store).ingest(chat.take())
    figures = await health(store)
    assert figures.answered == 0  # default answer window: 72 hours
    assert figures.unanswered == 1


async def test_text_is_kept_only_for_questions_and_only_while_retained(store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I reset my password? " + "x" * 400)
    chat.msg("bob", "secret chatter that must not be stored", channel="random")
    await Engine(store).ingest(chat.take())
    fresh = await reports.unanswered(store, SCOPE, WEEK, now=START.timestamp() + 3600)
    assert fresh[0].id == q and fresh[0].excerpt is not None
    assert len(fresh[0].excerpt) == 200
    later = await reports.unanswered(store, SCOPE, WEEK, now=START.timestamp() + 217 * 3600)
    assert later[0].excerpt is None
    async with store.engine.connect() as conn:
        from sqlalchemy import select

        from bot.store.schema import excerpts, metadata
        texts = (await conn.execute(select(excerpts.c.text))).scalars().all()
        assert all("chatter" not in t for t in texts)
        for table in metadata.sorted_tables:  # no other table holds message text
            for row in (await conn.execute(select(table))).all():
                assert not any(isinstance(v, str) and "chatter" in v for v in row)


async def test_expired_excerpts_are_deleted(store: Store) -> None:
    chat = Chat()
    chat.msg("ann", "How do I reset my password?")
    await Engine(store).ingest(chat.take())
    assert await store.purge_expired_excerpts(START.timestamp() + 3600) == 0
    assert await store.purge_expired_excerpts(START.timestamp() + 217 * 3600) == 1


async def test_a_clean_shutdown_writes_everything_submitted(store: Store) -> None:
    chat = Chat()
    for i in range(7):
        chat.msg(f"u{i}", f"message {i}")
    engine = Engine(store, batch_size=3, flush_interval=30)
    await engine.start()
    for event in chat.take():
        await engine.submit(event)
    await engine.stop()
    assert (await health(store)).active_members == 7


async def test_active_members_counts_each_human_once_across_partial_days(store: Store) -> None:
    chat = Chat()  # START is Monday 10:00 UTC
    chat.msg("early", "before the period", after=timedelta(hours=-20))  # Sunday 14:00
    chat.msg("ann", "first partial day", after=timedelta(hours=21))  # Monday 11:00
    chat.msg("bob", "a whole day", after=timedelta(days=1))  # Tuesday 11:00
    chat.msg("ann", "again, another day", after=timedelta(days=1))  # Wednesday 11:00
    chat.msg("cat", "last partial day", after=timedelta(days=2))  # Friday 11:00
    await Engine(store).ingest(chat.take())
    monday_1001 = START.timestamp() + 60
    friday = START.timestamp() + 4 * 86400
    assert await store.active_members(SCOPE, monday_1001, friday + 3 * 3600) == 3
    assert await store.active_members(SCOPE, monday_1001, friday + 1800) == 2  # not cat
    assert await store.active_members(SCOPE, monday_1001 + 86400, friday + 3 * 3600) == 3
    assert await store.active_members(SCOPE, monday_1001 - 86400, monday_1001) == 1  # early


async def test_forgetting_a_community_state_drops_cached_text(store: Store) -> None:
    from bot.signals import features, message_info

    features.clear_caches()  # what offline tests (training, evaluation) cached
    chat = Chat()
    chat.msg("ann", "my secret question about invoices?")
    chat.msg("bob", "an answer")
    engine = Engine(store)
    await engine.ingest(chat.take())
    cache = (await engine.community(SCOPE)).signals
    assert any("secret" in i.text for i in cache.infos.values())
    assert not message_info.OFFLINE.infos, "the bot's linker caches nothing process-wide"
    engine.forget_state(SCOPE)
    fresh = (await engine.community(SCOPE)).signals
    assert fresh is not cache and not fresh.infos and not fresh.windows


async def test_live_events_survive_a_database_outage(store: Store, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I reset my password?")
    chat.msg("bob", "Settings, then reset", reply_to=q)
    real_write = Store.write
    failures = {"left": 2}

    async def flaky(self: Store, batch: object) -> int:
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("database went away")
        return await real_write(self, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "write", flaky)
    engine = Engine(store, retry_delays=(0, 0), undelivered=tmp_path / "undelivered.jsonl")
    await engine.start()
    for event in chat.take():
        await engine.submit(event)
    await engine.stop()
    assert (await health(store)).answered == 1  # the third attempt wrote everything
    assert not (tmp_path / "undelivered.jsonl").exists()


async def test_events_that_cannot_be_written_are_kept_for_replay(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.replay import replay_file

    chat = Chat()
    q = chat.msg("ann", "How do I reset my password?")
    chat.msg("bob", "Settings, then reset", reply_to=q)
    real_write = Store.write

    async def down(self: Store, batch: object) -> None:
        raise ConnectionError("database went away")

    monkeypatch.setattr(Store, "write", down)
    kept = tmp_path / "undelivered.jsonl"
    engine = Engine(store, retry_delays=(0,), undelivered=kept)
    await engine.start()
    for event in chat.take():
        await engine.submit(event)
    await engine.stop()
    assert len(kept.read_text().splitlines()) == 2
    monkeypatch.setattr(Store, "write", real_write)
    result = await replay_file(Engine(store), kept)
    assert not result.bad
    assert (await health(store)).answered == 1


async def test_an_answer_after_a_restart_links_to_the_question_before_it(store: Store) -> None:
    chat = Chat()
    chat.msg("ann", "How do I rotate the webhook secret?")
    await Engine(store).ingest(chat.take())
    # the bot restarts: a new engine, nothing in memory; the answer comes without a reply
    chat.msg("bob", "Open the webhook settings and press rotate", after=timedelta(minutes=4))
    await Engine(store).ingest(chat.take())
    figures = await health(store)
    assert figures.answered == 1 and figures.helpers == 1
