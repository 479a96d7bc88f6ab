"""The answer-credit policy (bot/signals/credit.py): routes, the decision per candidate, and
revision by later evidence. Pure functions: no store, no fakes."""

from __future__ import annotations

from typing import Any

from bot.signals.answers import current_model, is_credited
from bot.signals.credit import (
    IMPLICIT_REACH_S,
    Candidate,
    Credit,
    Incoming,
    Option,
    asks_again,
    decide_credit,
    question_options,
    revisable,
    revise,
)
from bot.signals.utterance import Utterance
from bot.store.facts import MessageInfo

QUESTION = MessageInfo("q1", "general", "ann", 1000.0, is_question=True)
ASKED = Candidate(QUESTION, "How do I rotate the nginx logs?", "ann")


def reply(text: str, *, ts: float = 1120.0, **extra: Any) -> Incoming:
    return Incoming(id="a1", author="bob", text=text, ts=ts, is_question=False, **extra)


def credit(message: Incoming, linked: Candidate | None, root: Candidate | None = None
           ) -> Credit:
    found = decide_credit(message, linked, root)
    assert found is not None
    return found


def test_each_route_is_named() -> None:
    answer = "use logrotate with a daily rule in /etc/logrotate.d/nginx"
    assert credit(reply(answer, reply_to="q1"), ASKED).route == "reply"
    assert credit(reply(answer, mentions=("ann",)), ASKED).route == "mention"
    assert credit(reply("ann: " + answer), ASKED).route == "mention"
    assert credit(reply(answer), ASKED).route == "implicit"
    in_thread = reply(answer, thread="q1")
    assert credit(in_thread, None, ASKED).route == "thread"
    in_forum = reply(answer, thread="q1", channel_kind="forum")
    assert credit(in_forum, None, ASKED).route == "forum"


def test_credit_follows_the_answer_decision() -> None:
    for text, route in (("use logrotate, daily, keep 7", "implicit"), ("+1", "reply"),
                        ("same here", "thread")):
        extra = {"reply_to": "q1"} if route == "reply" else {}
        if route == "thread":
            extra = {"thread": "q1"}
        message = reply(text, **extra)
        found = credit(message, None if route == "thread" else ASKED,
                       ASKED if route == "thread" else None)
        assert found.route == route
        assert found.credited == is_credited(found.confidence, route)
    assert not credit(reply("+1", reply_to="q1"), ASKED).credited


def test_nothing_to_credit() -> None:
    answer = "use logrotate"
    own = Incoming("a1", "ann", answer, 1100.0, False)
    assert decide_credit(own, ASKED) is None  # one's own question
    not_question = Candidate(MessageInfo("m0", "general", "ann", 1000.0), "lol", "ann")
    assert decide_credit(reply(answer), not_question) is None
    late = reply(answer, ts=QUESTION.ts + IMPLICIT_REACH_S + 1)
    assert decide_credit(late, ASKED) is None  # implicit links need closeness
    assert decide_credit(late, ASKED, None) is None
    assert decide_credit(reply(answer, ts=QUESTION.ts + IMPLICIT_REACH_S + 1, reply_to="q1"),
                         ASKED) is not None  # an explicit reply does not


def test_a_question_with_its_own_thread_takes_no_implicit_credit() -> None:
    threaded = Candidate(QUESTION, ASKED.text, "ann", threaded=True)
    assert decide_credit(reply("use logrotate"), threaded) is None
    assert decide_credit(reply("use logrotate", reply_to="q1"), threaded) is not None


def test_later_evidence_moves_confidence_both_ways() -> None:
    up, credited = revise(0.3, "implicit", acknowledged=True)
    assert up > 0.3 and credited == is_credited(up, "implicit")
    down, credited = revise(0.9, "implicit", asked_again=True)
    assert down < 0.9 and credited == is_credited(down, "implicit")
    assert revise(0.95, "reply", acknowledged=True)[0] <= 1.0


def test_marks_corrections_and_old_rows_are_final() -> None:
    assert not revisable(1.0, True, "mark")
    assert not revisable(0.0, False, "implicit")  # unmarked, deleted or edited away
    assert not revisable(None, True, "reply")  # stored before confidences were kept
    below = current_model().thresholds["implicit"] / 2
    assert revisable(below, False, "implicit")  # linked, below the threshold
    assert not revisable(0.99, False, "implicit")  # inactive though confident: corrected
    assert revisable(0.9, True, "implicit")


def test_asking_again_means_asking_about_the_same_thing() -> None:
    assert asks_again("Still skipping them, why does the importer ignore my rows?",
                      "Why does the importer skip empty rows?")
    assert not asks_again("Is there a dark mode?", "Why does the importer skip empty rows?")
    assert not asks_again("Why does the importer skip empty rows?", "")


def test_an_implicit_answer_goes_to_the_question_it_most_likely_answers() -> None:
    """In a busy channel the linker often prefers the chatter between a question and its
    answer: the answer decision weighs every open question the linker offers."""
    other = Candidate(MessageInfo("q0", "general", "cy", 900.0, is_question=True),
                      "Is there a dark mode in the settings?", "cy")
    answer = reply("use logrotate with a daily rule in /etc/logrotate.d/nginx")
    found = decide_credit(answer, None, None, options=[Option(other, 0.05),
                                                       Option(ASKED, 0.6)])
    assert found is not None and found.route == "implicit" and found.question_id == "q1"
    assert found.credited
    # the same answer, hardly linked to the question at all, credits nobody
    unsure = decide_credit(answer, None, None, options=[Option(ASKED, 0.02)])
    assert unsure is not None and not unsure.credited
    # chatter is weighed too, and stays below the threshold however sure the link
    chatter = decide_credit(reply("had a great hike on saturday"), None, None,
                            options=[Option(ASKED, 0.95)])
    assert chatter is not None and not chatter.credited
    # an explicit reply is not weighed against the options
    explicit = decide_credit(reply("use logrotate", reply_to="q1"), ASKED, None,
                             options=[Option(other, 0.9)])
    assert explicit is not None and explicit.route == "reply" and explicit.question_id == "q1"


def test_an_answer_with_substance_rarely_responds_to_chatter() -> None:
    """The linker's probability for options without substance moves to the questions when
    the message has substance of its own (by the learned ``chatter_parent`` weight)."""
    window = [Utterance("q1", "ann", "How do I rotate the nginx logs?", 1000.0,
                        is_question=True),
              Utterance("m1", "cy", "lol", 1010.0),
              Utterance("m2", "dee", "any plans for the weekend", 1020.0)]
    scored = [(0, 0.3), (1, 0.3), (2, 0.3)]
    shifted = dict(question_options("run logrotate -f /etc/logrotate.d/nginx", scored, window))
    assert list(shifted) == [0]
    if current_model().weights.get("chatter_parent", 0.0) < 0.0:
        assert 0.3 < shifted[0] <= 1.0
    # chatter itself gets no such help
    assert dict(question_options("haha nice", scored, window)) == {0: 0.3}
