"""The reply linker on hand-made conversations: explicit replies, addressing, implicit links."""

from __future__ import annotations

import numpy as np
import pytest

from bot.signals import features, message_info
from bot.signals.links import Linker, default_linker
from bot.signals.model import LinkModel
from bot.signals.questions import is_question
from bot.signals.utterance import Utterance


def _u(i: int, author: str, text: str, ts: float, **kw: object) -> Utterance:
    u = Utterance(f"m{i}", author, text, ts, author_name=author, **kw)  # type: ignore[arg-type]
    u.is_question = is_question(text)
    return u


def _link(linker: Linker, chat: list[Utterance]) -> str | None:
    return linker.link(chat[-1], chat[:-1])


def test_explicit_reply_always_wins() -> None:
    chat = [
        _u(1, "alice", "how do i mount a usb stick?", 0),
        _u(2, "bob", "anyone using wayland?", 10),
        _u(3, "carol", "alice: use the file manager", 20, reply_to="m2"),
    ]
    assert _link(default_linker(), chat) == "m2"


def test_addressing_by_name_beats_recency() -> None:
    chat = [
        _u(1, "alice", "how do i mount a usb stick?", 0),
        _u(2, "bob", "does anyone know a good irc client?", 10),
        _u(3, "dave", "hello everyone", 15),
        _u(4, "carol", "alice: open the file manager and click the drive", 20),
    ]
    assert _link(default_linker(), chat) == "m1"


def test_platform_mention_addresses_an_author() -> None:
    chat = [
        _u(1, "u1", "how do i mount a usb stick?", 0),
        _u(2, "u2", "does anyone know a good irc client?", 10),
        _u(3, "u3", "open the file manager and click the drive", 20, mentions=("u1",)),
    ]
    assert _link(default_linker(), chat) == "m1"


def test_implicit_answer_to_the_recent_question() -> None:
    chat = [
        _u(1, "alice", "how do i list open ports on ubuntu?", 0),
        _u(2, "bob", "use ss -tulpn to list open ports", 30),
    ]
    assert _link(default_linker(), chat) == "m1"


def test_first_message_and_greeting_are_unlinked() -> None:
    linker = default_linker()
    first = _u(1, "alice", "hi all, how do i mount a usb stick?", 0)
    assert linker.link(first, []) is None
    chat = [
        _u(1, "alice", "the upgrade finished fine", 0),
        _u(2, "bob", "hi everyone, does anyone know why my wifi drops?", 4000),
    ]
    assert _link(linker, chat) is None


def test_link_returns_an_id_from_history_or_none() -> None:
    linker = default_linker()
    chat = [_u(i, f"user{i % 4}", f"message number {i} about grub", i * 5) for i in range(80)]
    for i in range(1, len(chat)):
        history = chat[max(0, i - linker.max_history) : i]
        parent = linker.link(chat[i], history)
        assert parent is None or parent in {u.id for u in history}


def test_carried_window_matches_a_fresh_computation() -> None:
    """The window carried between calls gives the same options as one built from scratch."""
    chat = [
        _u(i, f"user{i % 3}", f"user{(i + 1) % 3}: step {i} of the grub fix?", i * 20)
        for i in range(30)
    ]
    carried = []
    for i in range(1, len(chat)):
        carried.append(features.options(chat[i], chat[:i]))
    features.clear_caches()
    fresh = []
    for i in range(1, len(chat)):
        features.clear_caches()
        fresh.append(features.options(chat[i], chat[:i]))
    assert carried == fresh


def test_edited_text_is_not_served_from_the_cache() -> None:
    a = Utterance("same-id", "alice", "first text", 0.0)
    b = Utterance("same-id", "alice", "other words entirely", 0.0)
    assert message_info.info(a).words != message_info.info(b).words


def _busy_chat(n: int = 60) -> list[Utterance]:
    names = ["alice", "bob", "carol", "dave", "erin"]
    texts = ["how do i mount the usb stick?", "{to}: try the disks tool", "lol", "thanks {to}",
             "the grub menu is gone after the update", "{to}: which release is it?", "brb"]
    return [
        _u(i, names[i % 5], texts[i % 7].format(to=names[(i + 2) % 5]), i * 40.0)
        for i in range(n)
    ]


def test_pure_python_scoring_matches_the_option_rows() -> None:
    """The linker's pure-Python scoring picks the option that numpy's scoring of the rows
    (hidden layer included) ranks first."""
    linker = default_linker()
    assert linker.model.packed is not None  # the shipped model is scored in pure Python
    chat = _busy_chat()
    for i in range(1, len(chat)):
        history = chat[max(0, i - linker.max_history) : i]
        scored = linker.model.scores(chat[i], history)
        top = max(score for _, score in scored)
        expected = {pos for pos, score in scored if score >= top - 1e-9}
        pos = linker.model.best(chat[i], history)
        assert (-1 if pos is None else pos) in expected


@pytest.mark.parametrize("hidden", [0, 1, 2])
def test_small_models_scored_in_pure_python_rank_as_numpy(hidden: int) -> None:
    """Random models with no, one or two hidden units: the pure-Python path (the one the
    bot uses) links each message of a busy chat to numpy's best option."""
    rng = np.random.default_rng(hidden)
    table = rng.normal(0.0, 1.0, (features.N_ROWS, hidden + 1))
    table[features.ZERO] = 0.0  # the padding row, as training leaves it
    model = LinkModel(table=table, out=rng.normal(0.0, 1.0, hidden))
    assert model.packed is not None
    chat = _busy_chat()
    for i in range(1, len(chat)):
        history = chat[max(0, i - 50) : i]
        scored = model.scores(chat[i], history)
        best_pos = max(scored, key=lambda item: item[1])[0]
        pos = model.best(chat[i], history)
        assert (-1 if pos is None else pos) == best_pos


def test_a_hidden_layer_model_ranks_by_its_scores() -> None:
    """A model with a hidden layer (what ``train_linker.py --hidden`` makes) links to its
    best-scoring option, and its confidences over the options sum to 1."""
    rng = np.random.default_rng(1)
    model = LinkModel(table=rng.normal(0.0, 1.0, (features.N_ROWS, 5)),
                      out=rng.normal(0.0, 1.0, 4))
    linker = Linker(model)
    chat = _busy_chat(30)
    for i in range(1, len(chat)):
        scored = model.scores(chat[i], chat[:i])
        best_pos = max(scored, key=lambda item: item[1])[0]
        parent = linker.link(chat[i], chat[:i])
        assert parent == (None if best_pos < 0 else chat[best_pos].id)
        total = sum(model.confidence(chat[i], chat[:i], None if pos < 0 else pos)
                    for pos, _ in scored)
        assert abs(total - 1.0) < 1e-9


def test_addressing_someone_who_spoke_before_the_window() -> None:
    chat = [_u(0, "zoe", "how do i resize an ext4 partition?", 0.0)]
    chat += [_u(i, f"user{i % 4}", f"chatting about topic {i}", i * 10.0) for i in range(1, 45)]
    chat.append(_u(45, "yan", "zoe: resize2fs after growing it with parted", 460.0))
    assert _link(default_linker(), chat) == "m0"


def test_a_model_for_another_feature_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="rows"):
        LinkModel(table=np.zeros((10, 1)), out=np.zeros(0))
