"""What a batch needs from the store before the engine applies it: the earlier messages and
answers it refers to, which of its messages are stored already, and (after a restart) the
recent questions of each channel's linking window."""

from __future__ import annotations

from bot.events import Event, Message, MessageDelete, MessageEdit, Reaction
from bot.memory import CommunityMemory
from bot.signals.credit import IMPLICIT_REACH_S
from bot.signals.thanks import is_thanks
from bot.signals.utterance import Utterance
from bot.store import Store


async def prefetch(store: Store, state: CommunityMemory, events: list[Event],
                   stamps: list[float]) -> None:
    """Load the earlier messages and answers this batch refers to, and learn which of its
    messages are stored already (a replay, a catch-up overlap): those count once.
    ``stamps``: each event's time in epoch seconds."""
    own: set[str] = set()
    wanted: set[str] = set()
    answer_targets: set[str] = set()
    for event in events:
        if isinstance(event, Message):
            own.add(event.id)
            if event.reply_to:
                wanted.add(event.reply_to)
                if is_thanks(event.text):  # may acknowledge (and lift) an answer
                    answer_targets.add(event.reply_to)
            if event.thread:
                wanted.add(event.thread)
        elif isinstance(event, Reaction):
            wanted.add(event.message)
            answer_targets.add(event.message)
        elif isinstance(event, MessageEdit | MessageDelete):
            wanted.add(event.id)
            answer_targets.add(event.id)
    if state.newest_stored is None:
        state.newest_stored = await store.newest_message_ts(state.scope)
    # A message newer than everything stored cannot be stored already (the same event
    # always has the same time): only older ones, from a replay or a catch-up, are probed.
    newest = state.newest_stored
    fresh = [e.id for e, ts in zip(events, stamps, strict=True)
             if ts <= newest and isinstance(e, Message) and e.id not in state.recent]
    stored = await store.stored_message_ids(state.scope, fresh) if fresh else set()
    # Stored messages of this batch (a resumed replay, a catch-up overlap) pass through
    # memory again, as they did when they were written, but are not written twice.
    state.replaying = stored
    missing = [i for i in wanted - own if i not in state.recent]
    if missing:
        for info in (await store.message_infos(state.scope, missing)).values():
            state.remember(info)
    await seed_windows(store, state, events, stamps)
    missing_answers = [i for i in answer_targets if i not in state.answers]
    if missing_answers:
        # Only what was stored before this batch: a later answer (written by another
        # writer already further on, or before a restart) comes again from its message.
        begins = min(stamps)
        for answer in await store.answers_by_message(state.scope, missing_answers):
            if answer.ts < begins:
                state.remember_answer(answer)

async def seed_windows(store: Store, state: CommunityMemory, events: list[Event],
                       stamps: list[float]) -> None:
    """After a restart a channel's linking window is empty: put back the questions
    asked there shortly before (their retained excerpts), so an answer that comes
    without a reply can still be linked to them."""
    first: dict[str, float] = {}
    for event, ts in zip(events, stamps, strict=True):
        if isinstance(event, Message) and event.channel not in state.seeded:
            first.setdefault(event.channel, ts)
    for channel, ts in first.items():
        state.seeded.add(channel)
        if state.windows.get((channel, None)):
            continue
        window = state.windows.setdefault((channel, None), [])
        stored = await store.linkable_questions(state.scope, channel,
                                                     ts - IMPLICIT_REACH_S, ts)
        for info, excerpt in stored[-state.history:]:
            if info.id not in state.recent:
                state.remember(info)
            window.append(Utterance(id=info.id, author=info.author, text=excerpt,
                                    ts=info.ts, is_question=True))
        if stored:
            for root in await store.threads_started(
                    state.scope, [info.id for info, _ in stored], ts - IMPLICIT_REACH_S):
                state.mark_threaded(root)
