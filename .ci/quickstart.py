#!/usr/bin/env python3
"""Run the README's quick-start commands exactly as printed, in one shell, and check what
each prints. The commands are the lines of the README's code blocks that follow a
`<!-- ci: quick-start -->` marker; `make test` is left to .ci/run (it runs last, once)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {"make test"}
# What each command must print (a command without an entry must only succeed).
EXPECT = {
    "make demo": ["Installing Innercircle", "Community health, ", "Open now: ",
                  "Moderator digest", "Next, try:", "out/demo/weekly-trend.png"],
    "innercircle report health": ["Community health, ", "Questions asked", "(UTC)"],
    "innercircle report helpers": ["Advocates, ", "Score: breadth of help"],
    "innercircle report unanswered": ["Open now: "],
    "innercircle communities": ["demo:demo"],
}
FORBIDDEN = ["Traceback", "BuildBackendWarning", "DeprecationWarning", "command not found"]
MARK = "@@quick-start@@"


def quick_start_commands(readme: str) -> list[str]:
    commands = []
    for block in re.findall(r"<!-- ci: quick-start -->\s*```sh\n(.*?)```", readme, re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if command and command not in SKIP:
                commands.append(command)
    return commands


def main() -> int:
    commands = quick_start_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    if "make demo" not in commands:
        print("quick-start: the README marks no `make demo`", file=sys.stderr)
        return 1
    script = "".join(f"echo {shlex.quote(MARK)}; {command} || exit $?\n"
                     for command in commands)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(COLUMNS="120", TERM="dumb")
    run = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True,
                         env=env)
    outputs = (run.stdout + run.stderr).split(MARK + "\n")[1:]
    failed = 0
    for index, command in enumerate(commands):
        if index >= len(outputs):
            print(f"FAIL {command}: not reached")
            failed += 1
            continue
        output = outputs[index]
        problems = []
        if index == len(outputs) - 1 and run.returncode:
            problems.append(f"exit code {run.returncode}")
        prefix = next((p for p in EXPECT if command.startswith(p)), "")
        problems += [f"missing {w!r}" for w in EXPECT.get(prefix, []) if w not in output]
        problems += [f"printed {bad!r}" for bad in FORBIDDEN if bad in output]
        print(("FAIL " if problems else "ok   ") + command
              + (f": {'; '.join(problems)}" if problems else ""))
        if problems:
            print(output[-3000:])
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
