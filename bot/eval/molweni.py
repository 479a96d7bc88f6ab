"""Reader for Molweni discourse-parsing dialogues (``DP/*.json``).

Each dialogue is a list of EDUs (``speaker``, ``text``) with relations ``{"x", "y", "type"}``:
``y`` (the later utterance) responds to ``x``. There is no time, so ``ts`` is the position.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.signals.utterance import Utterance

#: relation types whose parent (``x``) is a question
QUESTION_PARENT = frozenset({"QAP"})
#: relation types whose child (``y``) is a question
QUESTION_CHILD = frozenset({"Clarification_question", "Q-Elab"})

Part = Literal["all", "tune", "heldout"]


@dataclass(slots=True)
class Dialogue:
    """One Molweni dialogue: utterances in order and typed links ``(child, parent, type)``."""

    id: str
    utterances: list[Utterance]
    relations: list[tuple[int, int, str]]

    @property
    def links(self) -> set[tuple[int, int]]:
        """Gold ``(child, parent)`` pairs of every type."""
        return {(y, x) for y, x, _ in self.relations}

    @property
    def qap(self) -> set[tuple[int, int]]:
        """Gold question-answer pairs ``(answer, question)``."""
        return {(y, x) for y, x, kind in self.relations if kind in QUESTION_PARENT}

    @property
    def questions(self) -> set[int]:
        """Positions of the utterances that are questions by the relation types."""
        out = {x for _, x, kind in self.relations if kind in QUESTION_PARENT}
        out |= {y for y, _, kind in self.relations if kind in QUESTION_CHILD}
        return out


def part_of(dialogue_id: str) -> Literal["tune", "heldout"]:
    """A fixed split of Molweni by dialogue id: about half for tuning, half held out."""
    return "tune" if zlib.crc32(dialogue_id.encode()) % 2 == 0 else "heldout"


def _dialogue(raw: dict[str, Any]) -> Dialogue:
    dialogue_id = str(raw.get("id", ""))
    utterances = [
        Utterance(
            id=str(i),
            author=str(edu.get("speaker", "")).lower(),
            author_name=str(edu.get("speaker", "")),
            text=str(edu.get("text", "")),
            ts=float(i),
        )
        for i, edu in enumerate(raw.get("edus", []))
    ]
    relations = []
    for rel in raw.get("relations", []):
        x, y = int(rel["x"]), int(rel["y"])
        if x == y:
            continue
        relations.append((max(x, y), min(x, y), str(rel.get("type", ""))))
    return Dialogue(id=dialogue_id, utterances=utterances, relations=relations)


def load(path: Path, part: Part = "all") -> list[Dialogue]:
    """Dialogues of a Molweni DP json file, optionally only the tune or held-out part."""
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    dialogues = [_dialogue(raw) for raw in data]
    if part == "all":
        return dialogues
    return [d for d in dialogues if part_of(d.id) == part]
