"""What an edit, a delete, a join or a leave changes in a community's facts, and the question
excerpts kept for a while (DESIGN.md's text retention). The engine calls these in event
order; messages themselves are ``bot.engine``'s."""

from __future__ import annotations

from bot.config import CommunitySettings
from bot.events import MemberJoin, MemberLeave, MessageDelete, MessageEdit
from bot.memory import CommunityMemory, window_key
from bot.signals.questions import is_question
from bot.signals.thanks import is_non_answer
from bot.store.facts import FactBatch

EXCERPT_CHARS = 200


def keep_excerpt(settings: CommunitySettings, batch: FactBatch, message_id: str, text: str,
                 ts: float, now: float | None) -> None:
    """A question's excerpt, kept for ``text_retention_hours`` (not when that is already
    over at ``now``: imported history keeps no text)."""
    retention = settings.text_retention_hours * 3600
    if retention <= 0 or (now is not None and ts + retention <= now):
        return
    batch.excerpts[message_id] = (" ".join(text.split())[:EXCERPT_CHARS], ts + retention)


def edit(state: CommunityMemory, event: MessageEdit, batch: FactBatch, now: float | None
         ) -> None:
    """The signals run again on the new text: a question may stop being one, an answer
    that became a question or a non-answer no longer counts."""
    info = state.recent.get(event.id)
    if info is None or info.deleted:
        return
    kind = state.channel_kind(info.channel, "chat")
    thread_start = info.thread == info.id
    question = not info.not_question and (
        (kind == "forum" and thread_start)
        or is_question(event.text, channel_kind=kind, thread_start=thread_start))
    batch.edited(info.ts, state.answers.get(event.id, ()))
    if question != info.is_question:
        info.is_question = question
        batch.message_updates.setdefault(event.id, {})["is_question"] = question
        if not question:
            batch.deactivated_questions.add(event.id)
    if question:
        keep_excerpt(state.settings, batch, event.id, event.text, info.ts, now)
    else:
        batch.excerpts[event.id] = None
    if is_non_answer(event.text) or question:
        for answer in state.answers.get(event.id, []):
            answer.active, answer.confidence = False, 0.0
        batch.deactivated_answers.add(event.id)
    for utterance in state.windows.get(window_key(info), ()):
        if utterance.id == event.id:
            utterance.text = event.text
            utterance.is_question = question


def delete(state: CommunityMemory, event: MessageDelete, batch: FactBatch) -> None:
    """A deleted message counts for nothing from then on."""
    info = state.recent.get(event.id)
    if info is None or info.deleted:
        return
    info.deleted = True
    batch.edited(info.ts, state.answers.get(event.id, ()))
    batch.message_updates.setdefault(event.id, {})["deleted"] = True
    batch.deactivated_answers.add(event.id)
    for answer in state.answers.get(event.id, []):
        answer.active, answer.confidence = False, 0.0
    if info.is_question:
        batch.deactivated_questions.add(event.id)
    batch.excerpts[event.id] = None
    window = state.windows.get(window_key(info))
    if window is not None:
        window[:] = [u for u in window if u.id != event.id]


def membership(state: CommunityMemory, event: MemberJoin | MemberLeave, batch: FactBatch
               ) -> None:
    """A join or a leave, under the member's stored identity."""
    ts = event.ts.timestamp()
    user = state.identity(event.user, ts)
    if user is None or event.user in state.ignored:
        return
    seen = batch.member(user)
    if event.user_name and user == event.user:
        seen.name = event.user_name
    if isinstance(event, MemberJoin):
        seen.joined_at, seen.left_at = ts, None
    else:
        seen.left_at = ts
