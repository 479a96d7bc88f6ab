"""The credit policy as the engine applies it: every stored answer keeps its route and
confidence, corrections stay authoritative, later evidence revises a credit, a question
answered in its thread collects nothing from the channel, and a restart changes nothing.
Each test runs on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.engine import Engine
from bot.events import Message
from bot.scope import Scope
from bot.signals.answers import is_credited
from bot.signals.credit import revise
from bot.store import Store
from bot.store.facts import AnswerInfo
from tests.chat import Chat

SCOPE = Scope("other", "c1")


async def rows(store: Store, chat_ids: list[str]) -> dict[str, AnswerInfo]:
    return {r.answer_id: r for r in await store.answers_by_message(SCOPE, chat_ids)}


def ids(chat: Chat) -> list[str]:
    return [e.id for e in chat.events if isinstance(e, Message)]


async def test_each_answer_keeps_its_route_and_confidence(store: Store) -> None:
    chat = Chat()
    q1 = chat.msg("ann", "How do I rotate the nginx logs?")
    by_reply = chat.msg("bob", "use logrotate with a daily rule", reply_to=q1)
    q2 = chat.msg("cat", "Is there a dark mode in the app?", channel="help")
    in_thread = chat.msg("dan", "yes, under Settings → Appearance", channel="help", thread=q2)
    q3 = chat.msg("eve", "anyone know why sync fails with error 502?")
    by_name = chat.msg("bob", "eve: restart the sync service, the proxy times out")
    q4 = chat.msg("fay", "How do I export a board to PDF?", channel="forum",
                  channel_kind="forum", thread=None)
    in_forum = chat.msg("gus", "File → Export → PDF, top right", channel="forum",
                        channel_kind="forum", thread=q4)
    q5 = chat.msg("hal", "What's the max upload size for attachments?", channel="misc")
    marked = chat.msg("ivy", "I think 25 MB on the free plan", channel="misc")
    chat.mark("hal", marked, q5)
    seen = ids(chat)
    await Engine(store).ingest(chat.take())
    stored = await rows(store, seen)
    routes = {answer: stored[answer].via for answer in
              (by_reply, in_thread, by_name, in_forum, marked)}
    assert routes == {by_reply: "reply", in_thread: "thread", by_name: "mention",
                      in_forum: "forum", marked: "mark"}
    assert stored[marked].confidence == 1.0 and stored[marked].active
    for answer in (by_reply, in_thread, by_name, in_forum):
        row = stored[answer]
        assert row.confidence is not None and 0.0 < row.confidence <= 1.0
        assert row.active == is_credited(row.confidence, row.via)
    assert {stored[a].question_id for a in (by_reply, in_thread, by_name, in_forum)} == {
        q1, q2, q3, q4}


async def test_staff_corrections_stay_authoritative(store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I rotate the nginx logs?")
    answer = chat.msg("bob", "use logrotate with a daily rule", reply_to=q)
    chat.unmark("ann", answer)
    chat.msg("ann", "thanks bob!", reply_to=answer)  # thanks do not undo the correction
    seen = ids(chat)
    await Engine(store).ingest(chat.take())
    row = (await rows(store, seen))[answer]
    assert not row.active and row.confidence == 0.0


async def test_the_askers_thanks_and_asking_again_revise_a_credit(store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I rotate the nginx logs?")
    answer = chat.msg("bob", "logrotate", reply_to=q)
    seen = ids(chat)
    engine = Engine(store)
    await engine.ingest(chat.take())
    before = (await rows(store, seen))[answer]
    assert before.confidence is not None and before.confidence > 0.0
    chat.msg("ann", "thanks, that worked", reply_to=answer)
    await engine.ingest(chat.take())
    after = (await rows(store, seen))[answer]
    expected = revise(before.confidence, "reply", acknowledged=True)
    if not before.active:  # below the threshold: the thanks lifts it
        assert (after.confidence, after.active) == expected
    else:  # counted already: the thanks acknowledges it
        assert after.active and after.acknowledged

    q2 = chat.msg("cat", "Why does the importer skip empty rows?", channel="help")
    answer2 = chat.msg("dan", "it's the skip_blank option, set it to false", channel="help")
    await engine.ingest(chat.take())
    first = (await rows(store, [answer2]))[answer2]
    assert first.question_id == q2 and first.confidence is not None
    assert first.active  # a plain answer is found
    chat.msg("cat", "Still skipping them, why does the importer ignore my rows?",
             channel="help")
    await engine.ingest(chat.take())
    second = (await rows(store, [answer2]))[answer2]
    assert (second.confidence, second.active) == revise(first.confidence, "implicit",
                                                         asked_again=True)
    assert second.confidence is not None and second.confidence < first.confidence


async def test_a_question_answered_in_its_thread_collects_nothing_from_the_channel(
        store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I rotate the nginx logs?")
    chat.msg("bob", "use logrotate with a daily rule in /etc/logrotate.d", thread=q)
    later = chat.msg("cat", "you could also rotate nginx logs with a cron job and kill -USR1",
                     after=timedelta(minutes=3))
    seen = ids(chat)
    engine = Engine(store)
    await engine.ingest(chat.take())
    assert later not in await rows(store, seen)
    # the same after a restart: the thread is known from the store
    chat.msg("dan", "or rotate the nginx logs with the docker logging driver",
             after=timedelta(minutes=3))
    seen = ids(chat)
    await Engine(store).ingest(chat.take())
    assert not set(seen) & set(await rows(store, seen))


async def test_a_restart_gives_the_same_credits_as_never_stopping(store: Store) -> None:
    def script(community: str) -> list[list[Message]]:
        chat = Chat(community=community)
        q = chat.msg("ann", "How do I rotate the nginx logs?")
        chat.msg("zed", "morning all")
        answer = chat.msg("bob", "logrotate", reply_to=q)
        parts = [chat.take()]
        chat.msg("ann", "thanks, that worked", reply_to=answer)
        q2 = chat.msg("cat", "Why does the importer skip empty rows?")
        chat.msg("dan", "set skip_blank to false in importer.toml", thread=q2)
        chat.msg("zed", "lunch anyone? 🍕")
        parts.append(chat.take())
        return parts  # type: ignore[return-value]

    steady = Engine(store)
    for part in script("steady"):
        await steady.ingest(part)
    for part in script("restarted"):
        await Engine(store).ingest(part)  # a new engine for each part: a restart

    async def credits(community: str) -> list[tuple[object, ...]]:
        scope = Scope("other", community)
        found = await store.answers_by_message(scope, [f"m{i}" for i in range(1, 20)])
        return sorted((r.question_id, r.answer_id, r.via, r.active, r.confidence,
                       r.acknowledged) for r in found)

    assert await credits("steady") == await credits("restarted")
    assert await credits("steady")


async def test_a_thank_you_addressed_to_nobody_acknowledges_the_latest_answer(
        store: Store) -> None:
    chat = Chat()
    chat.msg("ann", "How do I rotate the nginx logs?")
    answer = chat.msg("bob", "use logrotate: add a daily rule in /etc/logrotate.d/nginx")
    chat.msg("zed", "lol what a day")
    seen = ids(chat)
    engine = Engine(store)
    await engine.ingest(chat.take())
    before = (await rows(store, seen))[answer]
    assert before.confidence is not None
    chat.msg("ann", "thanks, that worked!")
    await engine.ingest(chat.take())
    after = (await rows(store, seen))[answer]
    if before.active:
        assert after.active and after.acknowledged
    else:  # pointing at no message, it is no evidence about this candidate
        assert (after.confidence, after.active, after.acknowledged) == (
            before.confidence, False, False)


async def test_chatter_in_a_thread_is_no_answer(store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I rotate the nginx logs?", channel="help")
    in_thread = chat.msg("zed", "lol 😂", channel="help", thread=q)
    seen = ids(chat)
    await Engine(store).ingest(chat.take())
    stored = await rows(store, seen)
    assert in_thread not in stored or not stored[in_thread].active


async def test_chatter_as_an_explicit_reply_is_no_answer(store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I rotate the nginx logs?", channel="help")
    replied = chat.msg("yan", "haha good luck with that, brb coffee", channel="help",
                       reply_to=q)
    seen = ids(chat)
    await Engine(store).ingest(chat.take())
    stored = await rows(store, seen)
    assert replied not in stored or not stored[replied].active
