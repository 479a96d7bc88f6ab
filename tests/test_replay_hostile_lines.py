"""Replaying hostile JSONL: every bad line is reported with its right number and never reaches
the store; the good lines around it are ingested (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Engine
from bot.replay import replay_file
from bot.store import Store

GOOD = {"type": "message", "community": "c1", "ts": "2026-11-02T10:00:00Z", "channel": "help",
        "author": "u1", "text": "How do I reset my password?"}


def line(**changes: Any) -> dict[str, Any]:
    out = {**GOOD, "id": f"m{len(json.dumps(changes))}", **changes}
    return {k: v for k, v in out.items() if v is not None}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# (the line's bytes, what its reason says)
HOSTILE: list[tuple[bytes, str]] = [
    (json.dumps(line(text="\ud800 lone")).encode(), "lone surrogate"),
    (json.dumps(line(author="\udfff")).encode(), "lone surrogate"),
    (b'{"type":"message","community":"c1","ts":"2026-11-02T10:00:00Z","channel":"help",'
     b'"author":"u1","text":"x","id":' + b"9" * 5000 + b"}", "digits"),
    (json.dumps(line(id=10**70)).encode(), "at most 64 digits"),
    (json.dumps(line(id=-3)).encode(), "non-negative"),
    (json.dumps(line(raw=None, extra=None)).encode()[:-1] + b',"raw":' + nested(1000).encode()
     + b"}", "nested too deeply"),
    (json.dumps(line(ts="9999-12-31T23:59:59-05:00")).encode(), "between 1990 and 2100"),
    (json.dumps(line(ts="0001-01-01T00:00:00+01:00")).encode(), "between 1990 and 2100"),
    (json.dumps(line(ts="0001-01-01T00:00:00Z")).encode(), "between 1990 and 2100"),
    (json.dumps(line(text="a\x00b")).encode(), "NUL"),
    (json.dumps(line(author="u\x00")).encode(), "NUL"),
    (json.dumps(line(author_name="n\x00")).encode(), "NUL"),
    (json.dumps(line(id="m" * 65)).encode(), "longer than 64"),
    (json.dumps(line(author="u" * 65)).encode(), "longer than 64"),
    (json.dumps(line(community="c" * 65)).encode(), "longer than 64"),
    (json.dumps(line(platform="p" * 17)).encode(), "longer than 16"),
    (json.dumps(line(channel="h" * 32)).encode(), "longer than 31"),
    (json.dumps(line(author_name="n" * 201)).encode(), "longer than 200"),
    (json.dumps(line(text=123)).encode(), "'text' must be a string"),
    (json.dumps(line(author_name=5)).encode(), "'author_name' must be a string"),
    (json.dumps(line(id=1.5)).encode(), "'id' must be a string"),
    (json.dumps(line(author="u\n2")).encode(), "control"),
    (json.dumps(line(channel_kind=["help"])).encode(), "channel_kind"),
    (json.dumps(line(text="x" * 40_001)).encode(), "longer than 40,000"),
    (json.dumps(line(author="é"), ensure_ascii=False).encode().replace("é".encode(), b"\xc3("),
     "not valid UTF-8"),
]


def write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


async def stored_ids(store: Store) -> set[str]:
    from sqlalchemy import select

    from bot.store.schema import messages

    async with store.engine.connect() as conn:
        return set((await conn.execute(select(messages.c.id))).scalars())


async def test_each_hostile_line_is_reported_and_the_good_ones_ingested(
        store: Store, tmp_path: Path) -> None:
    lines: list[bytes] = []
    for number, (bad, _reason) in enumerate(HOSTILE):
        lines.append(json.dumps(line(id=f"good{number}")).encode())
        lines.append(bad)
    lines.append(json.dumps(line(id="last")).encode())
    result = await replay_file(Engine(store), write(tmp_path / "e.jsonl", lines))
    reasons = {bad.number: bad.reason for bad in result.bad}
    for number, (_bad, reason) in enumerate(HOSTILE):
        assert reason in reasons.get(2 * number + 2, ""), (number, reasons.get(2 * number + 2))
    assert len(result.bad) == len(HOSTILE)
    assert await stored_ids(store) == {f"good{n}" for n in range(len(HOSTILE))} | {"last"}


async def test_a_bare_cr_does_not_shift_line_numbers_and_a_bom_is_skipped(
        store: Store, tmp_path: Path) -> None:
    first = b"\xef\xbb\xbf" + json.dumps(line(id="m1")).encode()
    with_cr = json.dumps(line(id="m2", text="two\rlines")).encode().replace(b"\\r", b"\r")
    crlf = json.dumps(line(id="m3")).encode() + b"\r"
    bad = b"{broken"
    result = await replay_file(Engine(store), write(tmp_path / "e.jsonl",
                                                    [first, with_cr, crlf, bad]))
    assert [b.number for b in result.bad] == [2, 4]  # a raw CR is not valid inside a string
    assert await stored_ids(store) == {"m1", "m3"}


async def test_invalid_utf8_is_rejected_not_merged_into_another_id(
        store: Store, tmp_path: Path) -> None:
    one = json.dumps(line(id="idA", author="ann")).encode().replace(b"idA", b"id\xff")
    two = json.dumps(line(id="idB", author="bob")).encode().replace(b"idB", b"id\xfe")
    result = await replay_file(Engine(store), write(tmp_path / "e.jsonl", [one, two]))
    assert [b.number for b in result.bad] == [1, 2]
    assert await stored_ids(store) == set()


async def test_a_hundred_thousand_mentions_are_capped_fast(store: Store, tmp_path: Path) -> None:
    mentions = [f"u{n}" for n in range(100_000)]
    lines = [json.dumps(line(id="q1")).encode(),
             json.dumps(line(id="a1", author="u2", text="thanks, fixed it",
                             mentions=mentions)).encode()]
    started = time.perf_counter()
    result = await replay_file(Engine(store), write(tmp_path / "e.jsonl", lines))
    assert time.perf_counter() - started < 10  # was over a minute
    assert not result.bad and result.stats.messages == 2


@pytest.mark.parametrize("secret", ["hunter2-the-members-words"])
async def test_reasons_never_quote_a_members_text(store: Store, tmp_path: Path,
                                                  secret: str) -> None:
    lines = [json.dumps(line(text=secret + "\ud800")).encode(),
             json.dumps(line(text=secret + "\x00")).encode(),
             json.dumps(line(text=[secret])).encode(),
             (json.dumps(line(text=secret)) + "{").encode()]
    result = await replay_file(Engine(store), write(tmp_path / "e.jsonl", lines))
    assert len(result.bad) == 4
    assert all(secret not in bad.reason for bad in result.bad)


async def test_a_rerun_claims_no_acknowledgements_it_did_not_add(store: Store,
                                                                 tmp_path: Path) -> None:
    from tests.chat import Chat

    chat = Chat()
    q = chat.msg("ann", "How do I reset my password?")
    a = chat.msg("bob", "Settings, then reset", reply_to=q)
    chat.react("ann", a, "white_check_mark")
    chat.msg("ann", "thanks bob!", reply_to=a, mentions=("bob",))
    path = write(tmp_path / "e.jsonl", [json.dumps(e.to_json()).encode() for e in chat.take()])
    first = await replay_file(Engine(store), path)
    assert first.stats.acks == 2 and first.stats.answers == 1
    again = await replay_file(Engine(store), path)
    assert again.stats.acks == 0 and again.stats.answers == 0
