"""What a history left in the store, to compare two ways of reading the same history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot import reports
from bot.config import CommunitySettings
from bot.period import period_from
from bot.scope import Scope
from bot.store import Store
from bot.store.schema import acks, answers, members, messages


async def stored_history(store: Store, scope: Scope, settings: CommunitySettings
                         ) -> dict[str, Any]:
    """Messages, answers, acknowledgements, members and the week's health figures."""
    async with store.engine.connect() as conn:
        # A root that got its replies after an export was made is stored as the live bot
        # stores it (no thread yet); catch-up alone saw it with its replies: the same root.
        stored = sorted((i, c, None if t == i else t, a, q, s) for i, c, t, a, q, s in (
            await conn.execute(select(
                messages.c.id, messages.c.channel, messages.c.thread, messages.c.author,
                messages.c.is_question, messages.c.author_is_staff))).all())
        credited = sorted((await conn.execute(select(
            answers.c.question_id, answers.c.answer_id, answers.c.via))).all())
        thanked = sorted((await conn.execute(select(acks.c.question_id, acks.c.helper))).all())
        people = sorted((await conn.execute(select(
            members.c.user_id, members.c.name, members.c.is_staff, members.c.seen_in_catchup,
            members.c.first_seen_at))).all())
    health = await reports.health(store, scope, period_from(None, None, days=7), settings)
    return {"messages": stored, "answers": credited, "acks": thanked, "members": people,
            "health": health.to_json()}
