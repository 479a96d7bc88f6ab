"""Command dispatch shared by both platforms: options, staff-only, help, cogs' replies."""

from __future__ import annotations

import pytest

from bot.app import build_runtime
from bot.command_text import parse_command_text
from bot.config import Settings
from bot.engine import Engine
from bot.features import Command, Invoker, Option, Reply, UsageError
from bot.runtime import Runtime
from bot.scope import Scope
from bot.store import Store
from tests.chat import START, Chat
from tests.fake_platform import FakePlatform

SCOPE = Scope("other", "c1")


@pytest.fixture
async def runtime(sqlite_store: Store) -> Runtime:
    chat = Chat()
    for i in range(3):
        q = chat.msg(f"asker{i}", f"How do I do thing {i}?")
        chat.msg("helpful", f"Open Settings, then Tools, and run thing {i} from there.",
                 reply_to=q)
    chat.msg("lonely", "Is anyone there who can rotate the API key?")  # a bare ping is no question
    clock = (START.timestamp() + 3600)
    rt = build_runtime(Settings(), sqlite_store, clock=lambda: clock)
    await rt.engine.ingest(chat.take())
    return rt


async def test_helpers_names_the_helper_with_parts(runtime: Runtime,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import time_machine

    with time_machine.travel(START.timestamp() + 3600, tick=False):
        reply = await runtime.run_command(FakePlatform(), SCOPE, Invoker("asker0"), "helpers",
                                          {"period": "7"})
    text = reply.plain_text()
    assert "1. <@helpful>: score" in text
    assert "helped 3 people" in text
    assert not reply.public


async def test_unanswered_lists_open_questions_with_links(runtime: Runtime) -> None:
    import time_machine

    with time_machine.travel(START.timestamp() + 3600, tick=False):
        reply = await runtime.run_command(FakePlatform(), SCOPE, Invoker("x"), "unanswered",
                                          {"public": True})
    assert reply.public
    assert "Is anyone there who can rotate the API key?" in reply.plain_text()
    assert "https://chat.example/c1/general/m7" in reply.plain_text()


async def test_wrong_option_gets_a_clear_message(runtime: Runtime) -> None:
    reply = await runtime.run_command(FakePlatform(), SCOPE, Invoker("x"), "health",
                                      {"period": "12"})
    assert reply.tone == "error"
    assert "`period` of `/circle health` must be one of 7, 30, 90" in reply.text


async def test_unknown_command_shows_help(runtime: Runtime) -> None:
    reply = await runtime.run_command(FakePlatform(), SCOPE, Invoker("x"), "dance", {})
    assert "Unknown command `dance`" in reply.text
    assert "/circle helpers" in reply.plain_text()


async def test_staff_only_commands_and_actions_are_refused_to_members(runtime: Runtime
                                                                     ) -> None:
    async def secret(ctx: object) -> Reply:
        return Reply(title="secret")

    runtime.commands["secret"] = Command("secret", "staff only", secret, staff_only=True)
    member = await runtime.run_command(FakePlatform(), SCOPE, Invoker("x"), "secret", {})
    assert member.tone == "error" and "staff only" in member.text
    staff = await runtime.run_command(FakePlatform(), SCOPE, Invoker("x", is_staff=True),
                                      "secret", {})
    assert staff.title == "secret"
    refused = await runtime.run_message_action(FakePlatform(), SCOPE, Invoker("x"),
                                               "not_question", "m1")
    assert refused.tone == "error" and "staff only" in refused.text


async def test_mark_as_answer_credits_the_helper(sqlite_store: Store) -> None:
    chat = Chat()
    q = chat.msg("ann", "How do I reset my password?")
    a = chat.msg("bob", "in settings", channel="random")
    runtime = build_runtime(Settings(), sqlite_store, Engine(sqlite_store))
    await runtime.engine.ingest(chat.take())
    reply = await runtime.run_message_action(FakePlatform(), SCOPE, Invoker("ann"),
                                             "mark_answer", a)
    assert reply.tone == "error"  # no open question in #random
    chat.msg("bob", "in settings", channel="general", id="m3")
    await runtime.engine.ingest(chat.take())
    reply = await runtime.run_message_action(FakePlatform(), SCOPE, Invoker("ann"),
                                             "mark_answer", "m3")
    assert reply.tone == "good", reply.text
    credited = await sqlite_store.answer_facts(SCOPE, START.timestamp(),
                                               START.timestamp() + 86400)
    assert [(f.question_id, f.answerer, f.asker, f.acknowledged) for f in credited] == [
        (q, "bob", "ann", True)], "bob credited for ann's question; her mark acknowledges it"


def test_command_text_parsing() -> None:

    async def noop(ctx: object, **kwargs: object) -> Reply:
        return Reply(title="")

    commands = {
        "helpers": Command("helpers", "", noop, (Option("period", "choice", "", choices=(
            "7", "30")), Option("public", "bool", ""))),
        "nominate": Command("nominate", "", noop, (Option("member", "member", "",
                                                          required=True),
                                                   Option("reason", "text", "", required=True))),
    }
    assert parse_command_text("", commands) == ("help", {})
    assert parse_command_text("helpers 30 public", commands) == (
        "helpers", {"period": "30", "public": True})
    assert parse_command_text("HELPERS period=7", commands) == ("helpers", {"period": "7"})
    assert parse_command_text("nominate <@U123|bob> always kind and quick", commands) == (
        "nominate", {"member": "U123", "reason": "always kind and quick"})
    assert parse_command_text("nope 1 2", commands) == ("nope", {})
    with pytest.raises(UsageError, match="did not expect"):
        parse_command_text("helpers 7 8", commands)
