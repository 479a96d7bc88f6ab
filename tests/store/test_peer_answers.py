"""The one definition of a peer answer (``Store.peer_answer_counts``), on SQLite and
PostgreSQL: per non-staff helper, the distinct questions of someone else they answered."""

from __future__ import annotations

from datetime import timedelta

from bot.engine import Engine
from bot.scope import Scope
from bot.store import Store
from tests.chat import START, Chat

SCOPE = Scope("other", "c1")


async def test_peer_answers_count_distinct_questions_of_others_by_non_staff(store: Store
                                                                            ) -> None:
    chat = Chat()
    q1 = chat.msg("ann", "How do I reset my password?")
    chat.msg("pia", "Settings, then Security.", reply_to=q1)
    chat.msg("pia", "Then press Reset.", reply_to=q1)  # the same question: one answer
    q2 = chat.msg("bob", "How do I export my data?")
    chat.msg("pia", "Use the CSV export in the admin page.", reply_to=q2)
    chat.msg("pete", "The admin page has an export button.", reply_to=q2)
    q3 = chat.msg("cat", "How do I invite people?")
    chat.msg("sam", "From the members page.", reply_to=q3, author_is_staff=True)
    q4 = chat.msg("pete", "How do I delete a channel?")
    chat.msg("pete", "Found it: channel settings.", reply_to=q4)  # one's own question
    q5 = chat.msg("dan", "Why does the app crash?")
    gone = chat.msg("pete", "Reinstall the app.", reply_to=q5)
    chat.delete(gone)  # a deleted answer counts for nothing
    await Engine(store).ingest(chat.take())

    counts = await store.peer_answer_counts(SCOPE, START.timestamp(),
                                            (START + timedelta(days=1)).timestamp())
    assert counts == {"pia": 2, "pete": 1}
    assert await store.peer_answer_counts(SCOPE, START.timestamp(),
                                          (START + timedelta(minutes=3)).timestamp()
                                          ) == {"pia": 1}
