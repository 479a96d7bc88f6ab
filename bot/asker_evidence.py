"""What the asker did next: thanks, acknowledging reactions, asking again. Each is later
evidence about an answer (see ``bot.signals.credit.revise``), applied to a community's memory
and a batch of facts; the engine calls these in event order."""

from __future__ import annotations

from bot.events import Message, Reaction
from bot.memory import THANKS_REACH_S, CommunityMemory
from bot.signals.credit import (
    ASKED_AGAIN_REACH_S,
    UNADDRESSED_THANKS_REACH_S,
    asks_again,
    revisable,
    revise,
)
from bot.signals.utterance import Utterance
from bot.store.facts import Ack, AnswerInfo, FactBatch


def thanks_message(state: CommunityMemory, event: Message, author: str, parent: str | None,
                   ts: float, batch: FactBatch, window: list[Utterance]) -> None:
    """A thank-you acknowledges the thanked helper's latest answer to the author (and
    raises a candidate below the credit threshold, see ``revise``). One addressed to
    nobody in particular acknowledges the latest answer the author got here."""
    before = len(batch.acks)
    helpers: list[str] = []
    target = state.recent.get(parent) if parent else None
    if target is not None and target.author != author:
        helpers.append(target.author)
    helpers.extend(u for u in event.mentions if u != author and u not in helpers)
    for helper in helpers:
        answer = None
        if target is not None and target.author == helper:
            rows = state.answers.get(target.id, [])
            # only a thank-you that replies to the message may lift it: the linker's
            # guess of what a thank-you answers is no evidence about that message
            answer = (acknowledge(state, rows, author, ts, batch)
                      if event.reply_to == target.id else
                      next((a for a in rows if a.asker == author and a.active), None))
        if answer is None:
            answer = state.latest_answer.get((author, helper))
        if answer is None or not answer.active or ts - answer.ts > THANKS_REACH_S:
            continue
        answer.acknowledged = True
        batch.acknowledge(Ack(f"msg:{event.id}:{helper}", answer.question_id, helper,
                              author, ts), answer.question_ts)
    if len(batch.acks) == before and not event.mentions:
        _unaddressed_thanks(state, event, author, ts, batch, window)


def _unaddressed_thanks(state: CommunityMemory, event: Message, author: str, ts: float,
                        batch: FactBatch, window: list[Utterance]) -> None:
    """The latest counted answer the author got here. Only a counted one: a thank-you
    that points at no message is no evidence about which candidate helped."""
    for utterance in reversed(window):
        if ts - utterance.ts > UNADDRESSED_THANKS_REACH_S:
            return
        for answer in state.answers.get(utterance.id, ()):
            if answer.asker == author and answer.active:
                answer.acknowledged = True
                batch.acknowledge(Ack(f"msg:{event.id}:{answer.answerer}",
                                      answer.question_id, answer.answerer, author, ts),
                                  answer.question_ts)
                return


def acknowledge(state: CommunityMemory, rows: list[AnswerInfo], asker: str, ts: float,
                batch: FactBatch) -> AnswerInfo | None:
    """The answer among ``rows`` that ``asker`` acknowledges now: a counted one, else a
    candidate the acknowledgement lifts over the threshold while its window is open."""
    for answer in rows:
        if answer.asker == asker and answer.active:
            return answer
    window = state.settings.answer_window_hours * 3600
    for answer in rows:
        if (answer.asker != asker or ts - answer.question_ts > window
                or not revisable(answer.confidence, answer.active, answer.via)):
            continue
        assert answer.confidence is not None
        answer.confidence, answer.active = revise(answer.confidence, answer.via,
                                                  acknowledged=True)
        batch.revised_answers.append(answer)
        state.remember_answer(answer)
        if answer.active:
            return answer
    return None


def asked_again(state: CommunityMemory, window: list[Utterance], asker: str, text: str,
                ts: float, batch: FactBatch) -> None:
    """The asker asks about the same thing again soon after being answered here: the
    answers they did not acknowledge lose confidence."""
    if not state.latest_answer:
        return
    asked = {u.id: u.text for u in window if u.author == asker and u.is_question}
    for utterance in reversed(window):
        if ts - utterance.ts > ASKED_AGAIN_REACH_S:
            break
        for answer in state.answers.get(utterance.id, ()):
            if (answer.asker != asker or not answer.active or answer.acknowledged
                    or not revisable(answer.confidence, answer.active, answer.via)
                    or not asks_again(text, asked.get(answer.question_id, ""))):
                continue
            assert answer.confidence is not None
            answer.confidence, answer.active = revise(answer.confidence, answer.via,
                                                      asked_again=True)
            batch.revised_answers.append(answer)


def reaction(state: CommunityMemory, event: Reaction, user: str, ts: float, batch: FactBatch,
             *, removed: bool) -> None:
    """An acknowledging reaction by the asker acknowledges (and may lift) the answer
    (``ts``: the reaction's time in epoch seconds)."""
    rows = state.answers.get(event.message, [])
    if not removed:
        acknowledge(state, rows, user, ts, batch)
    for answer in rows:
        if answer.asker != user or not answer.active:
            continue
        source = f"react:{event.message}:{user}:{event.emoji}"
        if removed:
            batch.removed_acks.add(source)
        else:
            answer.acknowledged = True
            batch.acknowledge(Ack(source, answer.question_id, answer.answerer, user, ts),
                              answer.question_ts)
