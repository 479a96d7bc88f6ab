"""The engine: neutral events -> signals -> facts, written to the store in batches.

Events of one community are applied in order. Everything a message needs from earlier
messages (are they questions, who asked) comes from a bounded in-memory memory of recent
messages, filled from the store before each batch for the few older messages a batch
refers to. Corrections (mark, unmark, not-a-question, thanks) are rare and may need the
database, so the batch before them is written first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot import asker_evidence, changes
from bot.config import CommunitySettings
from bot.corrections import CorrectionResult, Corrections
from bot.delivery import RETRY_DELAYS, STOP_BUDGET_S, Delivery, with_retries
from bot.events import (
    Event,
    MarkAnswer,
    MemberJoin,
    MemberLeave,
    Message,
    MessageDelete,
    MessageEdit,
    NotQuestion,
    Reaction,
    ReactionRemove,
    Thanks,
    UnmarkAnswer,
)
from bot.memory import CommunityMemory
from bot.prefetch import prefetch
from bot.scope import Scope
from bot.settings_cache import SettingsCache
from bot.signals.credit import (
    IMPLICIT_REACH_S,
    Incoming,
    Option,
    decide_credit,
    question_options,
    weighs_options,
)
from bot.signals.links import Linker, default_linker
from bot.signals.questions import is_question
from bot.signals.thanks import is_non_answer, is_thanks
from bot.signals.utterance import Utterance
from bot.store import Store
from bot.store.facts import AnswerInfo, FactBatch, MessageInfo

log = logging.getLogger(__name__)
T = TypeVar("T")

DAY = 86400
CORRECTIONS = (MarkAnswer, UnmarkAnswer, NotQuestion, Thanks)  # a tuple: no union per event
YIELD_EVERY = 200  # events computed between two turns of the event loop
# ... while a batch is being written: each of its statements waits for a turn to start
YIELD_EVERY_WRITING = 16


@dataclass(slots=True)
class IngestStats:
    """Counts from one ``ingest`` call."""

    events: int = 0
    messages: int = 0
    duplicates: int = 0
    ignored: int = 0
    questions: int = 0
    answers: int = 0
    acks: int = 0  # acknowledgements new to the store
    corrections: list[CorrectionResult] = field(default_factory=list)

    def add(self, other: IngestStats) -> None:
        for name in ("events", "messages", "duplicates", "ignored", "questions", "answers", "acks"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.corrections.extend(other.corrections)


class Engine:
    """Applies events to the store. ``ingest`` for batches; ``submit`` for a live stream."""

    def __init__(self, store: Store, defaults: CommunitySettings | None = None,
                 linker: Linker | None = None, *, batch_size: int = 500,
                 flush_interval: float = 0.5, undelivered: Path | None = None,
                 retry_delays: tuple[float, ...] = RETRY_DELAYS,
                 clock: Callable[[], float] | None = None,
                 settings: SettingsCache | None = None, part_size: int | None = None) -> None:
        self.store = store
        # read through the cache the commands use; a change there drops our memory of it
        self.settings = settings or SettingsCache(store, defaults)
        self.settings.on_change(self.forget_state)
        # The wall clock retention is measured against when text is written: a question
        # older than ``text_retention_hours`` (imported history) is stored without its text.
        # Without a clock, expired text is left to the purge job (tests of dated chat).
        self.clock = clock
        self.corrections = Corrections(store)
        self.delivery = Delivery(self, batch_size=batch_size, flush_interval=flush_interval,
                                 undelivered=undelivered, retry_delays=retry_delays)
        self._write_delays: tuple[float, ...] = ()
        self.linker = linker or default_linker()
        self.batch_size = batch_size
        # Events applied after one look-up in the store (``prefetch``). Batches of a part are
        # written while the next is computed; the last one before the next part starts.
        self.part_size = part_size or batch_size * 4
        self.flush_interval = flush_interval
        self._communities: dict[Scope, CommunityMemory] = {}
        self._lock = asyncio.Lock()
        self.last_event_at: dict[Scope, float] = {}

    # -- live stream (bot/delivery.py) ------------------------------------------------
    async def start(self) -> None:
        """Start writing submitted events in the background."""
        await self.delivery.start()

    async def submit(self, event: Event, *, catchup: bool = False) -> None:
        """Queue a live event; it is written within ``flush_interval`` seconds."""
        await self.delivery.submit(event, catchup=catchup)

    async def flush(self) -> None:
        """Write everything submitted so far (including a batch the writer holds)."""
        await self.delivery.flush()

    async def stop(self, budget_s: float = STOP_BUDGET_S) -> None:
        """Stop the background writer: every accepted event is written or kept in the
        undelivered file within ``budget_s`` seconds (a clean shutdown, bounded in time)."""
        await self.delivery.stop(budget_s)

    async def ingest_live(self, events: list[Event], *, catchup: bool,
                          retry_delays: Sequence[float]) -> None:
        """Ingest live events; each write is retried after ``retry_delays`` while the
        database is away, with memory kept as it is (so nothing is computed twice)."""
        self._write_delays = tuple(retry_delays)
        try:
            await self.ingest(events, catchup=catchup)
        finally:
            self._write_delays = ()

    # -- batches ---------------------------------------------------------------------
    async def apply(self, event: Event) -> CorrectionResult | None:
        """Apply one event now (after what is queued); a correction's result is returned."""
        await self.flush()
        stats = await self.ingest([event])
        return stats.corrections[0] if stats.corrections else None

    async def ingest(self, events: Iterable[Event], *, catchup: bool = False) -> IngestStats:
        """Apply ``events`` in order and write their facts. ``catchup``: these come from an
        initial history read (members first seen there are never newcomers)."""
        by_scope: dict[Scope, list[Event]] = {}
        for event in events:
            by_scope.setdefault(Scope(event.platform, event.community), []).append(event)
        stats = IngestStats()
        async with self._lock:
            for scope, scoped in by_scope.items():
                for start in range(0, len(scoped), self.part_size):
                    part = scoped[start:start + self.part_size]
                    stats.add(await self._ingest_scope(scope, part, catchup))
        return stats

    async def community(self, scope: Scope) -> CommunityMemory:
        found = self._communities.get(scope)
        if found is None:
            settings = await self.settings.get(scope)
            privacy = await self.store.privacy_states(scope)
            found = CommunityMemory(scope, settings, privacy, self.store.secret,
                               self.linker.max_history)
            self._communities[scope] = found
        return found

    async def change_privacy(self, scope: Scope, change: Callable[[], Awaitable[T]]) -> T:
        """Apply a member's opt-out, opt-in or forget (``change``, a store call) in order with
        the events: what was submitted before is written first, ``change`` runs while no
        batch is written, and the community's memory is read again afterwards."""
        await self.flush()
        async with self._lock:
            result = await change()
            self.forget_state(scope)
        return result

    def forget_state(self, scope: Scope) -> None:
        """Drop what is remembered of ``scope`` (after its settings or privacy changed),
        message text in its signal cache included: after an opt-out or a forget nothing
        in memory still holds what the member wrote."""
        self._communities.pop(scope, None)

    async def _ingest_scope(self, scope: Scope, events: list[Event], catchup: bool
                            ) -> IngestStats:
        state = await self.community(scope)
        stats = IngestStats(events=len(events))
        stamps = [event.ts.timestamp() for event in events]  # once per event
        await prefetch(self.store, state, events, stamps)
        batch = FactBatch(scope)
        # Batch N is written while batch N+1 is computed: the write runs in the database
        # driver's thread, and the loop below yields now and then so the write's steps (and
        # the rest of the bot) go on. Nothing returns before every batch is written.
        writing: asyncio.Task[None] | None = None
        try:
            for index, event in enumerate(events):
                if isinstance(event, CORRECTIONS):
                    await self._finish(writing)
                    writing = None
                    await self._write(batch, stats)  # corrections read what came before
                    batch = FactBatch(scope)
                    result = await self.corrections.apply(state, event, batch)
                    stats.corrections.append(result)
                    await self._write(batch, stats)
                    batch = FactBatch(scope)
                    continue
                self._apply(state, event, stamps[index], batch, stats, catchup)
                if len(batch.messages) >= self.batch_size:
                    await self._finish(writing)
                    writing = asyncio.ensure_future(self._write(batch, stats))
                    batch = FactBatch(scope)
                elif index % (YIELD_EVERY if writing is None else YIELD_EVERY_WRITING) == 0:
                    if writing is not None and writing.done():
                        await self._finish(writing)
                        writing = None
                    await asyncio.sleep(0)
        finally:
            await self._finish(writing)
        await self._write(batch, stats)
        if events:
            self.last_event_at[scope] = max(stamps)
        return stats

    @staticmethod
    async def _finish(writing: asyncio.Task[None] | None) -> None:
        """Wait for the batch being written (its error, if any, is raised here)."""
        if writing is not None:
            await writing

    async def _write(self, batch: FactBatch, stats: IngestStats) -> None:
        if batch:
            stats.acks += await with_retries(lambda: self.store.write(batch),
                                             self._write_delays, "a batch of facts")

    # -- one event ------------------------------------------------------------------
    def _apply(self, state: CommunityMemory, event: Event, ts: float, batch: FactBatch,
               stats: IngestStats, catchup: bool) -> None:
        if isinstance(event, Message):
            self._on_message(state, event, ts, batch, stats, catchup)
        elif isinstance(event, ReactionRemove):
            self._on_reaction(state, event, ts, batch, stats, removed=True)
        elif isinstance(event, Reaction):
            self._on_reaction(state, event, ts, batch, stats, removed=False)
        elif isinstance(event, MessageEdit):
            changes.edit(state, event, batch, self.clock() if self.clock else None)
        elif isinstance(event, MessageDelete):
            changes.delete(state, event, batch)
        elif isinstance(event, (MemberJoin, MemberLeave)):
            changes.membership(state, event, batch)

    def _on_message(self, state: CommunityMemory, event: Message, ts: float, batch: FactBatch,
                    stats: IngestStats, catchup: bool) -> None:
        if (event.author_is_bot or event.author in state.ignored
                or not state.watches(event.channel)):
            stats.ignored += 1
            return
        if event.id in state.recent:
            stats.duplicates += 1
            return
        author = state.identity(event.author, ts)
        if author is None:
            stats.ignored += 1
            return
        if event.id in state.replaying:  # stored already: rebuild memory, write nothing
            stats.duplicates += 1
            batch, stats = FactBatch(batch.scope), IngestStats()
        settings = state.settings
        staff = state.is_staff(event)
        kind = state.channel_kind(event.channel, event.channel_kind)
        in_thread = event.thread is not None and event.thread != event.id
        thread_start = event.thread == event.id or (kind == "forum" and event.thread is None)
        question = (kind == "forum" and thread_start) or is_question(
            event.text, channel_kind=kind, thread_start=thread_start)
        utterance = Utterance(
            id=event.id, author=author, text=event.text, ts=ts, author_name=event.author_name,
            reply_to=event.reply_to, thread=event.thread if in_thread else None,
            mentions=event.mentions, is_question=question,
        )
        window = state.window((event.channel, event.thread if in_thread else None), ts)
        options: list[Option] | None = None
        if (event.reply_to is None and not in_thread and not question
                and _open_question_near(window, author, ts) and weighs_options(event.text)):
            # one scoring pass gives the link and the open questions it may answer
            best, scored = self.linker.options(utterance, window, state.signals)
            linked = None if best is None else window[best].id
            options = [Option(c, p) for pos, p in question_options(event.text, scored, window)
                       if (c := state.candidate(window[pos].id, window)) is not None]
        else:
            linked = self.linker.link(utterance, window, state.signals)
        if question and (event.reply_to or in_thread) and is_non_answer(event.text):
            # "same problem here, any fix?" under a question joins it; it is not a new one
            question = utterance.is_question = False
        parent = (linked or event.thread) if in_thread else linked
        if in_thread:
            assert event.thread is not None
            state.mark_threaded(event.thread)
        asked = state.candidate(linked, window)
        root = (state.candidate(event.thread, state.windows.get((event.channel, None)))
                if in_thread else None)
        credit = None if asked is None and root is None and not options else decide_credit(
            Incoming(event.id, author, event.text, ts, question, event.reply_to,
                     event.thread if in_thread else None, event.mentions, kind),
            asked, root,
            lambda question_id: self.linker.link_confidence(utterance, window, question_id,
                                                            state.signals), options)
        if credit is not None and credit.kept:
            target = state.recent[credit.question_id]
            answer = AnswerInfo(target.id, event.id, author, target.author, target.ts, ts,
                                credit.route, staff, credit.credited, credit.confidence)
            batch.answers.append(answer)
            state.remember_answer(answer)
            stats.answers += credit.credited
        if credit is None or not credit.credited:
            if not question and is_thanks(event.text):
                asker_evidence.thanks_message(state, event, author, parent, ts, batch, window)
            elif question:
                asker_evidence.asked_again(state, window, author, event.text, ts, batch)

        info = MessageInfo(event.id, event.channel, author, ts, event.thread, question, False,
                           False, staff, parent)
        state.remember(info)
        if state.newest_stored is not None and ts > state.newest_stored:
            state.newest_stored = ts
        window.append(utterance)
        if len(window) > state.history:
            del window[0]
        batch.messages.append((event.id, event.channel, event.thread, event.reply_to, parent,
                               author, ts, staff, question, False, False))
        stats.messages += 1
        if question:
            stats.questions += 1
            changes.keep_excerpt(settings, batch, event.id, event.text, ts,
                                 self.clock() if self.clock else None)
        day = int(ts // DAY)
        name = event.author_name if author == event.author else None
        written = state.members_written.get(author)
        week = day // 7
        # A member's row changes only with a new name, staff status or week (last seen is
        # kept to the week), or an earlier first message: most messages need no member write.
        if (written is None or written[:3] != (name, staff, week) or ts < written[3]
                or (catchup and not written[4])):
            state.members_written[author] = (name, staff, week,
                                             ts if written is None else min(ts, written[3]),
                                             catchup or bool(written and written[4]))
            seen = batch.member(author)
            if name:
                seen.name = name
            seen.is_staff = staff
            seen.first_seen_at = ts if seen.first_seen_at is None else min(seen.first_seen_at, ts)
            seen.last_seen_at = ts if seen.last_seen_at is None else max(seen.last_seen_at, ts)
            seen.seen_in_catchup = seen.seen_in_catchup or catchup
        if event.channel_name and state.channel_names.get(event.channel) != event.channel_name:
            state.channel_names[event.channel] = event.channel_name
            batch.channel_names[event.channel] = event.channel_name
        cursor_key = event.channel if not in_thread else f"{event.channel}/{event.thread}"
        previous = batch.cursors.get(cursor_key)
        if previous is None or ts >= previous[0]:
            batch.cursors[cursor_key] = (ts, event.id)

    def _on_reaction(self, state: CommunityMemory, event: Reaction, ts: float, batch: FactBatch,
                     stats: IngestStats, *, removed: bool) -> None:
        if event.emoji not in state.ack_emoji:
            return
        user = state.identity(event.user, ts)
        if user is not None:
            asker_evidence.reaction(state, event, user, ts, batch, removed=removed)


def _open_question_near(window: list[Utterance], author: str, ts: float) -> bool:
    """Whether the window holds a question of someone else recent enough for an implicit
    credit (else the linker's alternatives are not worth a scoring pass)."""
    for utterance in reversed(window):
        if ts - utterance.ts > IMPLICIT_REACH_S:
            return False
        if utterance.is_question and utterance.author != author:
            return True
    return False
