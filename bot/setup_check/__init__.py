"""``innercircle check``: is the set-up right before the bot runs? Each check is a ✓ or a ✗
with what to do; the platform and database checks live in the sibling modules."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the list: what was checked, whether it is right, and what to do if not."""

    ok: bool
    what: str
    fix: str | None = None

    def line(self) -> str:
        mark = "✓" if self.ok else "✗"
        return f"{mark} {self.what}" + (f"\n    → {self.fix}" if self.fix and not self.ok
                                        else "")


def passed(what: str) -> Check:
    return Check(True, what)


def failed(what: str, fix: str) -> Check:
    return Check(False, what, fix)
