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


@pytest.mark.parametrize(
    "text",
    ["anyone around?", "u there?", "lol?", "what a day", "hello??", "you guys still up?",
     "is anybody online?", "<@123> you there?", "hey everyone, what a week"],
)
def test_pings_and_exclamations_open_no_question(text: str) -> None:
    assert not is_question(text)


@pytest.mark.parametrize(
    "text",
    ["anyone around who knows nginx?", "what a mess, how do I undo a rebase?", "why?",
     "u there? my build fails with ENOSPC"],
)
def test_a_ping_with_content_still_asks(text: str) -> None:
    assert is_question(text)
