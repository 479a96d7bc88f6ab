"""The answer decision: which replies to a question earn an answer credit."""

from bot.signals.answers import ROUTES, answer_confidence, is_credited


def credited(reply: str, question: str = "how do I mount my usb drive?", *,
             route: str = "reply", gap_s: float | None = 60.0, reply_is_question: bool = False,
             same_author: bool = False) -> bool:
    confidence = answer_confidence(question_text=question, reply_text=reply, route=route,
                                   gap_s=gap_s, reply_is_question=reply_is_question,
                                   same_author=same_author)
    assert 0.0 <= confidence <= 1.0
    return is_credited(confidence, route)


def test_a_substantive_reply_is_credited_on_every_route() -> None:
    for route in ROUTES:
        assert credited("run sudo mount /dev/sdb1 /mnt and check dmesg for errors", route=route)


def test_the_asker_never_answers_their_own_question() -> None:
    assert not credited("run sudo mount /dev/sdb1 /mnt", same_author=True)


def test_a_counter_question_and_a_me_too_are_not_answers() -> None:
    assert not credited("which filesystem is it on?", reply_is_question=True)
    assert not credited("same here")
