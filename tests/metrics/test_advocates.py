"""The advocate ranking rules: breadth beats volume, acknowledgement and newcomers weigh
more, mutual help gains little, staff ranked apart, and every score has its parts."""

from __future__ import annotations

import random

from bot.metrics.advocates import rank_advocates
from bot.metrics.answer_columns import AnswerColumns, Codes
from bot.store.metric_reads import AnswerFact

DAY = 86400.0


def answer(helper: str, asker: str, question: str, ts: float = 0.0, *, staff: bool = False,
           acked: bool = False) -> AnswerFact:
    return AnswerFact(question, helper, asker, ts - 60, ts, staff, acked)


def scores(answers: list[AnswerFact], joined: dict[str, float | None] | None = None
           ) -> dict[str, float]:
    return {a.user: a.score for a in rank_advocates(answers, joined or {}, since=0)}


def test_ten_people_once_beat_one_person_ten_times() -> None:
    answers = [answer("broad", f"asker{i}", f"q{i}", i * 100) for i in range(10)]
    answers += [answer("narrow", "friend", f"r{i}", i * 100) for i in range(10)]
    result = scores(answers)
    assert result["broad"] > 2 * result["narrow"]


def test_returns_diminish_per_asker() -> None:
    one = scores([answer("h", "a", "q1")])["h"]
    two = scores([answer("h", "a", "q1"), answer("h", "a", "q2", 10)])["h"]
    three = scores([answer("h", "a", f"q{i}", i) for i in range(3)])["h"]
    assert one < two < three
    assert two - one > three - two


def test_acknowledged_answers_weigh_more() -> None:
    result = scores([answer("thanked", "a", "q1", acked=True), answer("plain", "b", "q2")])
    assert result["thanked"] > result["plain"]


def test_helping_newcomers_weighs_more() -> None:
    joined = {"newbie": -5 * DAY, "veteran": -400 * DAY}
    result = scores([answer("h1", "newbie", "q1"), answer("h2", "veteran", "q2")], joined)
    assert result["h1"] > result["h2"]
    ranked = {a.user: a for a in rank_advocates(
        [answer("h1", "newbie", "q1")], joined, since=0)}
    assert ranked["h1"].newcomers_helped == 1


def test_members_who_mostly_answer_each_other_gain_little() -> None:
    pair = [answer("x", "y", f"a{i}", i) for i in range(3)]
    pair += [answer("y", "x", f"b{i}", i) for i in range(3)]
    honest = [answer("z", f"p{i}", f"c{i}", i) for i in range(2)]
    result = scores(pair + honest)
    assert result["z"] > result["x"]
    assert result["z"] > result["y"]


def test_one_answer_per_question_however_many_messages() -> None:
    ranked = rank_advocates([answer("h", "a", "q1", 1), answer("h", "a", "q1", 2),
                             answer("h", "a", "q1", 3, acked=True)], {}, since=0)
    assert ranked[0].answers == 1
    assert ranked[0].thanked == 1


def test_staff_ranked_apart_after_peers() -> None:
    answers = [answer("boss", f"a{i}", f"q{i}", staff=True) for i in range(20)]
    answers.append(answer("peer", "b", "r1"))
    ranked = rank_advocates(answers, {}, since=0)
    assert [a.user for a in ranked] == ["peer", "boss"]
    assert ranked[1].is_staff and not ranked[0].is_staff


def test_parts_explain_the_score() -> None:
    answers = [answer("h", "a", "q1", 0, acked=True), answer("h", "b", "q2", 8 * DAY),
               answer("h", "a", "q3", 15 * DAY)]
    (entry,) = rank_advocates(answers, {"b": 7 * DAY}, since=0)
    assert (entry.answers, entry.people_helped, entry.thanked, entry.newcomers_helped,
            entry.active_weeks) == (3, 2, 1, 1, 3)
    # a: 1.5 (acked) + 1/2; b: 1.5 (newcomer); three active weeks: +10%
    assert entry.score == round((1.5 + 0.5 + 1.5) * 1.10, 2)


def test_self_answers_never_score() -> None:
    assert rank_advocates([answer("a", "a", "q1")], {}, since=0) == []


def test_days_coded_apart_rank_as_one_list() -> None:
    """The week cache joins days' answers coded as columns at different times, with tables
    that hold other members and questions: the leaderboard is the list's, to the last bit."""
    rng = random.Random(12)
    for _ in range(300):
        people = [f"u{i}" for i in range(rng.randint(1, 7))]
        questions = [(f"q{i}", rng.choice(people), 3600.0 * rng.randint(0, 50))
                     for i in range(rng.randint(1, 9))]
        answers, ts = [], 0.0
        for _ in range(rng.randint(0, 30)):
            question, asker, asked = rng.choice(questions)
            ts += rng.choice([0.0, 1.0, 3600.0, 3 * DAY])
            answers.append(AnswerFact(question, rng.choice(people), asker, asked, ts,
                                      rng.random() < 0.2, rng.random() < 0.3))
        joined = {p: rng.choice([None, 0.0, DAY * rng.randint(0, 60)]) for p in people}
        members, asked = Codes(), Codes()
        members.encode(["someone", "u3"])
        asked.encode(["q5", "elsewhere"])
        cut = sorted(rng.randint(0, len(answers)) for _ in range(2))
        days = [answers[:cut[0]], answers[cut[0]:cut[1]], answers[cut[1]:]]
        blocks = AnswerColumns.joined(
            [AnswerColumns.of(day, members, asked) for day in days], members)
        as_list = rank_advocates(answers, joined, since=0, newcomer_days=20)
        assert rank_advocates(blocks, joined, since=0, newcomer_days=20) == as_list
