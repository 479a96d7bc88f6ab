"""Question detection on hand-made messages."""

from __future__ import annotations

import pytest

from bot.signals.questions import is_question, question_score


@pytest.mark.parametrize(
    "text",
    [
        "how do I mount a usb stick?",
        "anyone know why apt hangs",
        "is there a way to list open ports",
        "what's the command for that?",
        "can someone help me with grub",
    ],
)
def test_questions(text: str) -> None:
    assert is_question(text)


@pytest.mark.parametrize(
    "text",
    ["thanks, that worked", "use sudo apt install foo", "lol", "", "https://example.com/?q=1"],
)
def test_not_questions(text: str) -> None:
    assert not is_question(text)


def test_score_is_a_probability_and_context_lowers_the_bar() -> None:
    for text in ("", "ok", "why?", "how do i fix this? anyone?"):
        assert 0.0 <= question_score(text) <= 1.0
    text = "my wifi keeps dropping"
    assert question_score(text, channel_kind="help") >= question_score(text)
    assert question_score(text, thread_start=True) >= question_score(text)
