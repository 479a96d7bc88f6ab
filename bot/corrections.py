"""Corrections and credit: mark or unmark an answer, "not a question", thanks.

Rare, and they may need the database (a question asked long ago), so the engine writes the
batch before them first. Each says whether it was applied and why not.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.events import Event, MarkAnswer, NotQuestion, Thanks, UnmarkAnswer
from bot.memory import CommunityMemory
from bot.staff import acts_as_staff
from bot.store import Store
from bot.store.facts import Ack, AnswerInfo, FactBatch, MessageInfo

DAY = 86400


@dataclass(slots=True)
class CorrectionResult:
    """What became of a correction or credit: ``ok`` and a reason a person can read."""

    ok: bool
    reason: str
    question_id: str | None = None


class Corrections:
    """Applies correction events against the store and a community's memory."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def _staff(self, state: CommunityMemory, user: str) -> bool:
        return await acts_as_staff(state.staff, self.store, state.scope, user)

    async def _info(self, state: CommunityMemory, message_id: str) -> MessageInfo | None:
        info = state.recent.get(message_id)
        if info is None:
            info = (await self.store.message_infos(state.scope, [message_id])).get(message_id)
            if info is not None:
                state.remember(info)
        return info

    async def apply(self, state: CommunityMemory, event: Event, batch: FactBatch
                    ) -> CorrectionResult:
        """Apply one correction or credit; refusals say why."""
        ts = event.ts.timestamp()
        actor_id = getattr(event, "user", "")
        actor = state.identity(actor_id, ts)
        if actor is None:
            return CorrectionResult(False, "this member asked to be forgotten")
        staff = getattr(event, "by_staff", False) or await self._staff(state, actor)
        if isinstance(event, MarkAnswer):
            return await self._mark(state, event, actor, staff, batch)
        if isinstance(event, UnmarkAnswer):
            return await self._unmark(state, event, actor, staff, batch)
        if isinstance(event, NotQuestion):
            return await self._not_question(state, event, actor, staff, batch)
        assert isinstance(event, Thanks)
        return await self._thanks(state, event, actor, batch)

    async def _mark(self, state: CommunityMemory, event: MarkAnswer, actor: str, staff: bool,
                    batch: FactBatch) -> CorrectionResult:
        answer = await self._info(state, event.answer)
        if answer is None or answer.deleted:
            return CorrectionResult(False, "that message is not known (or was deleted)")
        question = await self._question_for(state, event, answer)
        if question is None:
            return CorrectionResult(False, "no open question by someone else found before it")
        if question.author == answer.author:
            return CorrectionResult(False, "an answer to one's own question does not count")
        if not (staff or actor == question.author):
            return CorrectionResult(False, "only the asker or staff can mark an answer")
        if not question.is_question:
            question.is_question = True
            batch.message_updates[question.id] = {"is_question": True, "not_question": False}
        row = AnswerInfo(question.id, answer.id, answer.author, question.author, question.ts,
                         answer.ts, "mark", answer.author_is_staff, confidence=1.0)
        batch.marked_answers.append(row)
        state.remember_answer(row)
        if actor == question.author:
            batch.acknowledge(Ack(f"mark:{answer.id}:{question.id}", question.id,
                                  answer.author, actor, event.ts.timestamp()), question.ts)
        batch.corrections.append(_correction_row(event, "mark", answer.id, question.id, actor))
        return CorrectionResult(True, "marked as the answer", question.id)

    async def _question_for(self, state: CommunityMemory, event: MarkAnswer, answer: MessageInfo
                            ) -> MessageInfo | None:
        if event.question:
            return await self._info(state, event.question)
        for candidate in (answer.parent, answer.thread):
            if candidate and candidate != answer.id:
                info = await self._info(state, candidate)
                if info is not None and info.is_question and not info.deleted \
                        and info.author != answer.author:
                    return info
        found = await self.store.latest_open_question(state.scope, answer.channel, answer.ts,
                                                      answer.author)
        if found is not None:
            state.remember(found)
            return state.recent[found.id]
        return None

    async def _unmark(self, state: CommunityMemory, event: UnmarkAnswer, actor: str, staff: bool,
                      batch: FactBatch) -> CorrectionResult:
        rows = state.answers.get(event.answer)
        if rows is None:
            rows = await self.store.answers_by_message(state.scope, [event.answer])
            for row in rows:
                state.remember_answer(row)
        active = [r for r in rows if r.active]
        if not active:
            return CorrectionResult(False, "that message is not counted as an answer")
        if not (staff or all(r.asker == actor for r in active)):
            return CorrectionResult(False, "only the asker or staff can say it is not an answer")
        for row in active:
            row.active, row.confidence = False, 0.0
        batch.deactivated_answers.add(event.answer)
        batch.corrections.append(_correction_row(event, "unmark", event.answer,
                                                 active[0].question_id, actor))
        return CorrectionResult(True, "no longer counted as an answer", active[0].question_id)

    async def _not_question(self, state: CommunityMemory, event: NotQuestion, actor: str,
                            staff: bool, batch: FactBatch) -> CorrectionResult:
        info = await self._info(state, event.message)
        if info is None:
            return CorrectionResult(False, "that message is not known")
        if not (staff or actor == info.author):
            return CorrectionResult(False, "only staff or its author can say it is not a question")
        info.is_question, info.not_question = False, True
        batch.message_updates[info.id] = {"is_question": False, "not_question": True}
        batch.deactivated_questions.add(info.id)
        batch.excerpts[info.id] = None
        batch.corrections.append(_correction_row(event, "not_question", info.id, info.id, actor))
        return CorrectionResult(True, "no longer counted as a question", info.id)

    async def _thanks(self, state: CommunityMemory, event: Thanks, actor: str, batch: FactBatch
                      ) -> CorrectionResult:
        ts = event.ts.timestamp()
        helper = state.identity(event.helper, ts)
        if helper is None or helper == actor:
            return CorrectionResult(False, "you cannot thank yourself")
        answer = await self.store.latest_answer(state.scope, helper, actor, ts)
        if answer is None:
            return CorrectionResult(False, "they have not answered a question of yours yet")
        day = int(ts // DAY)
        batch.acknowledge(Ack(f"thanks:{actor}:{helper}:{day}", answer.question_id, helper,
                              actor, ts), answer.question_ts)
        return CorrectionResult(True, "thanks recorded", answer.question_id)


def _correction_row(event: Event, kind: str, target: str, question: str | None, actor: str
                    ) -> dict[str, object]:
    return {"id": f"{kind}:{target}:{actor}:{event.ts.timestamp():.3f}", "kind": kind,
            "target": target, "question_id": question, "user_id": actor,
            "ts": event.ts.timestamp()}
