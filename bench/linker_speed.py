"""Linker speed: average microseconds per ``Linker.link`` call on realistic chat.

    .venv/bin/python bench/linker_speed.py [RAW_LOG ...]

Replays Kummerfeld #ubuntu dev logs (read in place from ``$INNERCIRCLE_EVAL_DATA``), or a
synthetic chat when the data is absent, with a window of ``max_history`` earlier messages.
Question flags are set beforehand (the engine does that once per message) and the window
slices are prebuilt, so only the linker is timed. The bot needs >= 20,000 msg/s overall.
"""

from __future__ import annotations

import gc
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.eval import kummerfeld
from bot.signals import features
from bot.signals.links import default_linker
from bot.signals.questions import is_question
from bot.signals.utterance import Utterance

REPO = Path(__file__).resolve().parents[1]


def real_chat(paths: list[Path]) -> list[Utterance]:
    """Messages of the given raw logs (system lines dropped)."""
    out: list[Utterance] = []
    for raw in kummerfeld.find_logs(paths):
        for m in kummerfeld.load_log(raw).messages:
            if m is not None:
                m.id = f"{raw.name}:{m.id}"  # live ids are unique; line numbers repeat per file
                out.append(m)
    return out


def synthetic_chat(n: int = 20_000) -> list[Utterance]:
    """Chat-like messages: a few dozen speakers, some addressing, some questions."""
    rng = random.Random(1)
    names = [f"user{i}" for i in range(40)]
    words = [
        "how",
        "do",
        "i",
        "install",
        "the",
        "driver",
        "it",
        "fails",
        "with",
        "error",
        "after",
        "update",
        "try",
        "apt",
        "grub",
    ]
    out = []
    for i in range(n):
        author = rng.choice(names)
        text = " ".join(rng.choice(words) for _ in range(rng.randint(3, 14)))
        if rng.random() < 0.3:
            text = f"{rng.choice(names)}: {text}"
        if rng.random() < 0.25:
            text += " ?"
        out.append(Utterance(str(i), author, text, float(i * 7), author_name=author))
    return out


def main() -> None:
    """Time the linker over the chat and print microseconds per message."""
    args = [Path(a) for a in sys.argv[1:]]
    data = Path(os.environ.get("INNERCIRCLE_EVAL_DATA", REPO.parent / "shared" / "eval-data"))
    dev = data / "irc-disentanglement-ubuntu" / "dev"
    msgs = real_chat(args or [dev]) if args or dev.exists() else synthetic_chat()
    for m in msgs:
        m.is_question = is_question(m.text)
    linker = default_linker()
    k = linker.max_history
    windows = [msgs[max(0, i - k) : i] for i in range(len(msgs))]
    runs = []
    for _ in range(7):
        features.clear_caches()  # every message is new to the linker, as in the live bot
        gc.collect()
        started = time.perf_counter()
        for msg, window in zip(msgs, windows, strict=True):
            linker.link(msg, window)
        runs.append(1e6 * (time.perf_counter() - started) / len(msgs))
    runs.sort()
    print(
        f"{len(msgs)} messages, window {k}: best {runs[0]:.1f} us/message, "
        f"median {runs[len(runs) // 2]:.1f} (7 runs; the machine is shared, best is the cleanest)"
    )


if __name__ == "__main__":
    main()
