"""Thanks and non-answers on hand-made messages."""

from __future__ import annotations

import pytest

from bot.signals.thanks import is_non_answer, is_thanks


@pytest.mark.parametrize(
    "text", ["thanks!", "ty @bob", "that worked, cheers", "Thank you so much", "much appreciated"]
)
def test_thanks(text: str) -> None:
    assert is_thanks(text)


@pytest.mark.parametrize("text", ["the thing is broken", "try typing it again", "pretty sure no"])
def test_not_thanks(text: str) -> None:
    assert not is_thanks(text)


@pytest.mark.parametrize(
    "text", ["+1", "same here", "me too!", "same problem, did you ever find a fix?", "bump"]
)
def test_non_answers(text: str) -> None:
    assert is_non_answer(text)


@pytest.mark.parametrize(
    "text", ["run sudo update-grub", "same thing happened to me, rebooting fixed it", "yes"]
)
def test_answers_are_not_non_answers(text: str) -> None:
    assert not is_non_answer(text)
