"""Linker speed: average microseconds per ``Linker.link`` call on realistic chat.

    .venv/bin/python bench/linker_speed.py [RAW_LOG ...] [--against REV] [--rounds 5]

``--against REV`` also times the linker of git revision ``REV`` (checked out in a temporary
worktree; this same script, only the ``bot`` package differs), alternating one run of each
per round, and prints both and their ratio: the machine's load hits both alike.

Replays Kummerfeld #ubuntu dev logs (read in place from ``$INNERCIRCLE_EVAL_DATA``), or a
synthetic chat when the data is absent, with a window of ``max_history`` earlier messages.
Question flags are set beforehand (the engine does that once per message) and the window
slices are prebuilt, so only the linker is timed. The bot needs >= 20,000 msg/s overall.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# the tree whose ``bot`` package is timed: this checkout, or another revision's (--against)
sys.path.insert(
    0, os.environ.get("INNERCIRCLE_BENCH_TREE") or str(Path(__file__).resolve().parents[1])
)

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


def _time_once(msgs: list[Utterance], windows: list[list[Utterance]]) -> tuple[float, float]:
    """Wall and CPU microseconds per message of one run."""
    linker = default_linker()
    features.clear_caches()  # every message is new to the linker, as in the live bot
    gc.collect()
    started = time.perf_counter()
    cpu = time.process_time()
    for msg, window in zip(msgs, windows, strict=True):
        linker.link(msg, window)
    return (1e6 * (time.perf_counter() - started) / len(msgs),
            1e6 * (time.process_time() - cpu) / len(msgs))


def _chat(args: list[Path]) -> tuple[list[Utterance], list[list[Utterance]]]:
    data = Path(os.environ.get("INNERCIRCLE_EVAL_DATA", REPO.parent / "shared" / "eval-data"))
    dev = data / "irc-disentanglement-ubuntu" / "dev"
    msgs = real_chat(args or [dev]) if args or dev.exists() else synthetic_chat()
    for m in msgs:
        m.is_question = is_question(m.text)
    k = default_linker().max_history
    return msgs, [msgs[max(0, i - k) : i] for i in range(len(msgs))]


def _against(rev: str, paths: list[Path], rounds: int) -> None:
    """Alternate runs of this checkout's linker and ``rev``'s, one of each per round."""
    msgs, windows = _chat(paths)
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(tree),
                        rev], check=True)
        try:
            env = {**os.environ, "INNERCIRCLE_BENCH_TREE": str(tree)}
            ours: list[tuple[float, float]] = []
            theirs: list[tuple[float, float]] = []
            for _ in range(rounds):
                ours.append(_time_once(msgs, windows))
                out = subprocess.run([sys.executable, __file__, "--once", *map(str, paths)],
                                     env=env, check=True, capture_output=True, text=True)
                wall, cpu = out.stdout.strip().splitlines()[-1].split()
                theirs.append((float(wall), float(cpu)))
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                           check=False)
    print(f"{len(msgs)} messages, {rounds} alternating rounds, load average "
          f"{os.getloadavg()[0]:.1f} (best / median us per message):")
    for kind, col in (("wall", 0), ("CPU", 1)):
        a = sorted(t[col] for t in ours)
        b = sorted(t[col] for t in theirs)
        mid = len(a) // 2
        print(f"  {kind}: this checkout {a[0]:.1f} / {a[mid]:.1f}, {rev} {b[0]:.1f} / "
              f"{b[mid]:.1f}; ratio this / {rev}: best {a[0] / b[0]:.3f}, "
              f"median {a[mid] / b[mid]:.3f}")


def main() -> None:
    """Time the linker over the chat and print microseconds per message."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("logs", nargs="*", type=Path)
    parser.add_argument("--against", metavar="REV", help="also time this git revision")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.against:
        _against(args.against, args.logs, args.rounds)
        return
    msgs, windows = _chat(args.logs)
    if args.once:  # one run for --against: just the figures (wall, CPU)
        wall, cpu = _time_once(msgs, windows)
        print(f"{wall:.3f} {cpu:.3f}")
        return
    runs = [_time_once(msgs, windows) for _ in range(7)]
    walls = sorted(r[0] for r in runs)
    cpus = sorted(r[1] for r in runs)
    print(
        f"{len(msgs)} messages, window {default_linker().max_history}: best {walls[0]:.1f} "
        f"us/message wall ({cpus[0]:.1f} CPU), median {walls[3]:.1f} ({cpus[3]:.1f} CPU); "
        f"7 runs, load average {os.getloadavg()[0]:.1f} (the machine is shared, best is the "
        "cleanest)"
    )


if __name__ == "__main__":
    main()
