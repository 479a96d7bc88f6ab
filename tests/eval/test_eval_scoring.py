"""The P/R/F1 scorers on small hand-made cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.eval import kummerfeld, molweni
from bot.eval.runs import predict_log, score_kummerfeld, score_molweni, score_questions
from bot.eval.scoring import Counts, prf
from bot.signals.links import Linker
from bot.signals.utterance import Utterance


def test_perfect_predictions_score_100() -> None:
    c = prf({(1, 0), (2, 2)}, {(1, 0), (2, 2)})
    assert (c.precision, c.recall, c.f1) == (100.0, 100.0, 100.0)


def test_empty_predictions_score_0_without_dividing_by_zero() -> None:
    c = prf(set(), {(1, 0)})
    assert (c.precision, c.recall, c.f1) == (0.0, 0.0, 0.0)
    assert prf(set(), set()).as_dict() == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_half_right() -> None:
    c = prf({(1, 0), (2, 0)}, {(1, 0), (2, 1)})
    assert c.precision == pytest.approx(50.0)
    assert c.recall == pytest.approx(50.0)
    assert c.f1 == pytest.approx(50.0)


def test_micro_average_adds_counts() -> None:
    c = Counts()
    c.add({1}, {1})
    c.add({2, 3, 4}, {5})
    assert (c.matched, c.predicted, c.gold) == (1, 4, 2)
    assert c.precision == pytest.approx(25.0)
    assert c.recall == pytest.approx(50.0)
    assert c.f1 == pytest.approx(100 / 3)


RAW = """=== alice has joined #test
[10:00] <alice> how do i mount a usb stick?
[10:01] <bob> alice: use the file manager
[10:01] <carol> anyone tried kde?
[10:02] * dave waves
"""
ANNOTATION = "0 0 -\n1 1 -\n1 2 -\n3 3 -\n4 4 -\n"


class PreviousLinker(Linker):
    """The published "previous message" baseline."""

    def link(self, msg: Utterance, history: object) -> str | None:  # type: ignore[override]
        assert isinstance(history, list)
        return history[-1].id if history else None

    def options(self, msg: Utterance, history: object  # type: ignore[override]
                ) -> tuple[int | None, list[tuple[int, float]]]:
        """The previous message, surely."""
        assert isinstance(history, list)
        return (len(history) - 1, [(len(history) - 1, 1.0)]) if history else (None, [])


class NoLinker(Linker):
    """Never links: every message starts a conversation."""

    def link(self, msg: Utterance, history: object) -> str | None:  # type: ignore[override]
        return None

    def options(self, msg: Utterance, history: object  # type: ignore[override]
                ) -> tuple[int | None, list[tuple[int, float]]]:
        """Nothing, surely."""
        return None, []


def _log(tmp_path: Path) -> kummerfeld.Log:
    raw = tmp_path / "x.raw.txt"
    raw.write_text(RAW)
    (tmp_path / "x.annotation.txt").write_text(ANNOTATION)
    return kummerfeld.load_log(raw)


def test_raw_parsing(tmp_path: Path) -> None:
    log = _log(tmp_path)
    assert log.messages[0] is None
    first = log.messages[1]
    assert first is not None and first.author == "alice" and first.text.startswith("how do")
    action = log.messages[4]
    assert action is not None and action.author == "dave" and action.text == "waves"
    assert log.annotated == [0, 1, 2, 3, 4]


def test_kummerfeld_previous_and_self_links(tmp_path: Path) -> None:
    log = _log(tmp_path)
    # previous: 0 self (system), 1 self (nothing before), 2->1 ok, 3->2 wrong, 4->3 wrong
    assert predict_log(log, PreviousLinker()) == {(0, 0), (1, 1), (2, 1), (3, 2), (4, 3)}
    c = score_kummerfeld([log], PreviousLinker())
    assert (c.matched, c.predicted, c.gold) == (3, 5, 5)
    # no links at all: every message links to itself; 2 is the only miss
    c = score_kummerfeld([log], NoLinker())
    assert (c.matched, c.predicted, c.gold) == (4, 5, 5)


def test_find_logs_skips_pilot_dev_when_parts_present(tmp_path: Path) -> None:
    for name in ("c.pilot", "c.dev", "c.pilot-dev"):
        (tmp_path / f"{name}.raw.txt").write_text(RAW)
        (tmp_path / f"{name}.annotation.txt").write_text(ANNOTATION)
    names = [p.name for p in kummerfeld.find_logs([tmp_path])]
    assert names == ["c.dev.raw.txt", "c.pilot.raw.txt"]


def _one_molweni_dialogue(tmp_path: Path, edus: list[tuple[str, str]],
                          relations: list[tuple[int, int, str]]) -> list[molweni.Dialogue]:
    """One dialogue written in Molweni's JSON format and loaded back."""
    data = [{
        "id": "1",
        "edus": [{"speaker": speaker, "text": text} for speaker, text in edus],
        "relations": [{"x": x, "y": y, "type": kind} for x, y, kind in relations],
    }]
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(data))
    return molweni.load(path)


def test_molweni_links_and_answer_credit(tmp_path: Path) -> None:
    dialogues = _one_molweni_dialogue(
        tmp_path,
        [("a", "how do i install grub ?"), ("b", "sudo apt install grub"), ("a", "thanks")],
        [(0, 1, "QAP"), (1, 2, "Comment")])
    result = score_molweni(dialogues, PreviousLinker())
    assert result.links.as_dict() == {"precision": 100.0, "recall": 100.0, "f1": 100.0}
    # one credit (1 answers question 0), and it is the gold QAP pair
    assert (result.qap.matched, result.qap.predicted, result.qap.gold) == (1, 1, 1)
    assert (result.qap_by_answerer.matched, result.qap_by_answerer.gold) == (1, 1)
    empty = score_molweni(dialogues, NoLinker())
    assert empty.links.predicted == 0 and empty.links.recall == 0.0
    assert dialogues[0].questions == {0}


def test_an_answer_in_two_messages_is_one_item_per_question_and_answerer(tmp_path: Path) -> None:
    """Molweni marks both messages of a two-part answer QAP; the bot credits the member once.
    Per message the second part is a miss; per question and answerer both sides count one."""
    dialogues = _one_molweni_dialogue(
        tmp_path,
        [("a", "how do i install grub ?"), ("b", "sudo apt install grub"),
         ("b", "then run update-grub")],
        [(0, 1, "QAP"), (0, 2, "QAP")])
    result = score_molweni(dialogues, PreviousLinker())
    assert (result.qap.matched, result.qap.predicted, result.qap.gold) == (1, 1, 2)
    by_answerer = result.qap_by_answerer
    assert (by_answerer.matched, by_answerer.predicted, by_answerer.gold) == (1, 1, 1)


def test_question_scoring() -> None:
    items = [("how do i do x?", True), ("ok", False), ("it broke", True), ("why?", False)]
    c = score_questions(items, detect=lambda text: "?" in text)
    assert (c.matched, c.predicted, c.gold) == (1, 2, 2)
    assert c.f1 == pytest.approx(50.0)
