"""Run the bot's signals over annotated data and count hits against the gold annotation."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.eval.kummerfeld import Log
from bot.eval.molweni import Dialogue
from bot.eval.scoring import Counts
from bot.signals.credit import (
    Candidate,
    Credit,
    Incoming,
    Option,
    decide_credit,
    question_options,
    weighs_options,
)
from bot.signals.links import Linker
from bot.signals.questions import is_question
from bot.signals.utterance import Utterance
from bot.store.facts import MessageInfo

QuestionDetector = Callable[[str], bool]


def _detect(text: str) -> bool:
    return is_question(text)


def _parent(linker: Linker, msg: Utterance, window: Sequence[Utterance]) -> int | None:
    history = window[-linker.max_history :] if linker.max_history > 0 else []
    parent = linker.link(msg, history)
    if parent is None:
        return None
    try:
        return int(parent)
    except ValueError:
        return None


def predict_log(
    log: Log, linker: Linker, detect: QuestionDetector = _detect
) -> set[tuple[int, int]]:
    """Predicted ``(reply, parent)`` pairs for the messages the annotation covers.

    System lines and messages the linker leaves unlinked link to themselves. Earlier lines
    are context: they fill the linker's window but are not scored.
    """
    covered = set(log.annotated)
    last = max(covered, default=-1)
    window: list[Utterance] = []
    predicted: set[tuple[int, int]] = set()
    for index, msg in enumerate(log.messages[: last + 1]):
        if msg is None:
            if index in covered:
                predicted.add((index, index))
            continue
        msg.is_question = detect(msg.text)
        if index in covered:
            parent = _parent(linker, msg, window)
            predicted.add((index, index if parent is None else parent))
        window.append(msg)
        if len(window) > 4 * max(linker.max_history, 1):
            del window[: -linker.max_history]
    return predicted


def score_kummerfeld(
    logs: Iterable[Log], linker: Linker, detect: QuestionDetector = _detect
) -> Counts:
    """Link P/R/F1 micro-averaged over (message, parent) pairs of every log."""
    counts = Counts()
    for log in logs:
        counts.add(predict_log(log, linker, detect), log.gold)
    return counts


@dataclass(slots=True)
class MolweniResult:
    """Link scores over all links, and the bot's answer credits against gold QAP pairs:
    ``qap`` per (answer message, question) pair, ``qap_by_answerer`` per (question, member
    who answered it). The bot credits a member once per question however many messages the
    answer takes, and Molweni often splits one answer over several ``QAP`` messages (or a
    ``QAP`` message and its ``Continuation``): the second count scores both sides the same
    way, one item per question and answerer."""

    links: Counts = field(default_factory=Counts)
    qap: Counts = field(default_factory=Counts)
    qap_by_answerer: Counts = field(default_factory=Counts)

    def as_dict(self) -> dict[str, object]:
        """``{"precision","recall","f1","qap":{...},"qap_by_answerer":{...}}`` in percent."""
        out: dict[str, object] = dict(self.links.as_dict())
        out["qap"] = self.qap.as_dict()
        out["qap_by_answerer"] = self.qap_by_answerer.as_dict()
        return out


def predict_dialogue(
    dialogue: Dialogue, linker: Linker, detect: QuestionDetector = _detect
) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """Predicted links ``(child, parent)`` and the subset the bot would credit as answers."""
    links: set[tuple[int, int]] = set()
    credits: set[tuple[int, int]] = set()
    window: list[Utterance] = []
    for index, msg in enumerate(dialogue.utterances):
        msg.is_question = detect(msg.text)
        parent, credit = link_and_credit(linker, msg, window)
        if parent is not None and 0 <= parent < index:
            links.add((index, parent))
        if credit is not None and credit.credited:
            credits.add((index, int(credit.question_id)))
        window.append(msg)
    return links, credits


def link_and_credit(linker: Linker, msg: Utterance, window: Sequence[Utterance]
                    ) -> tuple[int | None, Credit | None]:
    """The engine's link and candidate credit for a message of chat without reply markers,
    threads or time (Molweni): every credit is implicit, and the positions are the ids."""
    history = window[-linker.max_history :] if linker.max_history > 0 else []
    options: list[Option] | None = None
    if history and not msg.is_question and weighs_options(msg.text):
        best, scored = linker.options(msg, history)
        options = [Option(_candidate(history[pos]), p)
                   for pos, p in question_options(msg.text, scored, history)]
        parent = None if best is None else int(history[best].id)
    else:
        parent = _parent(linker, msg, history)
    linked = (None if parent is None or not window[parent].is_question
              else _candidate(window[parent]))
    incoming = Incoming(msg.id, msg.author, msg.text, msg.ts, msg.is_question)
    credit = decide_credit(
        incoming, linked, None,
        lambda question_id: linker.link_confidence(msg, history, question_id), options)
    return parent, credit


def _candidate(question: Utterance) -> Candidate:
    info = MessageInfo(question.id, "", question.author, question.ts, is_question=True)
    return Candidate(info, question.text, question.author_name)


def score_molweni(
    dialogues: Iterable[Dialogue], linker: Linker, detect: QuestionDetector = _detect
) -> MolweniResult:
    """Link P/R/F1 and QAP answer-credit P/R/F1 over Molweni dialogues."""
    result = MolweniResult()
    for dialogue in dialogues:
        links, credits = predict_dialogue(dialogue, linker, detect)
        result.links.add(links, dialogue.links)
        result.qap.add(credits, dialogue.qap)
        speaker = [u.author for u in dialogue.utterances]
        result.qap_by_answerer.add({(q, speaker[a]) for a, q in credits},
                                   {(q, speaker[a]) for a, q in dialogue.qap})
    return result


def score_questions(
    items: Iterable[tuple[str, bool]], detect: QuestionDetector = _detect
) -> Counts:
    """Question detection P/R/F1 over ``(text, is_question)`` items."""
    predicted: list[int] = []
    gold: list[int] = []
    for index, (text, label) in enumerate(items):
        if detect(text):
            predicted.append(index)
        if label:
            gold.append(index)
    counts = Counts()
    counts.add(predicted, gold)
    return counts


def jsonl_questions(path: Path) -> list[tuple[str, bool]]:
    """``(text, is_question)`` items of a JSON-lines file; blank lines are skipped."""
    items: list[tuple[str, bool]] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                items.append((str(row["text"]), bool(row["is_question"])))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: expected {{text, is_question}}") from exc
    return items


def molweni_questions(dialogues: Iterable[Dialogue]) -> list[tuple[str, bool]]:
    """``(text, is_question)`` items of Molweni utterances, labelled from relation types."""
    items: list[tuple[str, bool]] = []
    for dialogue in dialogues:
        questions = dialogue.questions
        items.extend((u.text, i in questions) for i, u in enumerate(dialogue.utterances))
    return items
