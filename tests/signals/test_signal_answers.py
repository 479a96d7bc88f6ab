"""The answer decision: which replies to a question earn an answer credit.

None of these messages is in the training data (Molweni and #ubuntu): they check that the
learned decision holds on chat it never saw.
"""

import pytest

from bot.signals.answers import ROUTES, answer_confidence, gap_adjustment, is_credited

QUESTION = "how do I get my wifi driver working after the kernel update?"


def confidence(reply: str, *, route: str = "reply", link_confidence: float | None = None,
               gap_s: float | None = 60.0, same_author: bool = False) -> float:
    value = answer_confidence(question_text=QUESTION, reply_text=reply, route=route,
                              gap_s=gap_s, reply_is_question="?" in reply,
                              same_author=same_author, link_confidence=link_confidence)
    assert 0.0 <= value <= 1.0
    return value


def credited(reply: str, *, route: str = "reply", link_confidence: float | None = None,
             gap_s: float | None = 60.0) -> bool:
    return is_credited(confidence(reply, route=route, link_confidence=link_confidence,
                                  gap_s=gap_s), route)


@pytest.mark.parametrize("reply", [
    "you need to rebuild the dkms module for the new kernel",
    "it's in /lib/firmware, copy the blob there",
    "yes, the driver works fine with 6.5",
    "boot the old kernel from grub, then reinstall the driver",
])
def test_substantive_answers_are_credited_on_explicit_routes(reply: str) -> None:
    for route in ("reply", "thread", "forum", "mention"):
        assert credited(reply, route=route)


@pytest.mark.parametrize("reply", [
    "nice weather today", "lol", "brb", "haha same", "good morning everyone", "🎉🎉",
])
def test_short_chatter_is_not_credited_even_as_an_explicit_reply(reply: str) -> None:
    for route in ROUTES:
        assert not credited(reply, route=route, link_confidence=0.9)


@pytest.mark.parametrize("reply", [
    "just shipped our release!!", "what a game last night", "congrats on the new job",
    "had a great hike on saturday", "anyone want pizza?",
])
def test_chatter_is_not_credited_on_a_sure_implicit_link(reply: str) -> None:
    assert not credited(reply, route="implicit", link_confidence=0.9)


def test_an_implicit_link_must_be_sure() -> None:
    reply = "you need to rebuild the dkms module for the new kernel"
    assert credited(reply, route="implicit", link_confidence=0.9)
    assert not credited(reply, route="implicit", link_confidence=0.2)
    assert (confidence(reply, route="implicit", link_confidence=0.5)
            < confidence(reply, route="implicit", link_confidence=0.9))


def test_the_asker_never_answers_their_own_question() -> None:
    assert confidence("run sudo modprobe wl", same_author=True) == 0.0


def test_a_counter_question_and_a_me_too_are_not_answers() -> None:
    assert not credited("which card is it, broadcom?")
    assert not credited("same here")


def test_a_late_reply_is_less_likely_an_answer() -> None:
    reply = "check dmesg for firmware errors"
    assert gap_adjustment(None) == 0.0 == gap_adjustment(60.0)
    assert confidence(reply, gap_s=6 * 3600) < confidence(reply, gap_s=60.0)


def test_an_explicit_reply_is_judged_without_the_question_text() -> None:
    """After a restart the question's text may be gone: a credit must not change with it."""
    reply = "It sleeps when the lid is closed, turn that off"
    with_text = answer_confidence(question_text=QUESTION, reply_text=reply, route="thread",
                                  gap_s=60.0, reply_is_question=False, same_author=False)
    without = answer_confidence(question_text="", reply_text=reply, route="thread", gap_s=60.0,
                                reply_is_question=False, same_author=False)
    assert with_text == without
