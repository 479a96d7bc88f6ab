"""Helpers for the weekly-rhythm (and privacy) tests: a runtime on the ``store`` fixture,
with the fake platform connected, and a little community history."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from bot.app import build_runtime
from bot.config import CommunitySettings, Settings
from bot.events import Event, MemberJoin, Message
from bot.runtime import Runtime
from bot.scope import Scope
from bot.store import Store
from tests.fake_platform import FakePlatform

SCOPE = Scope("fake", "guild1")
_ids = itertools.count(1)


def community_settings(**overrides: Any) -> CommunitySettings:
    base: dict[str, Any] = {"report_channel": "C-report", "moderators": ["mod1"],
                            "staff_users": ["mod1", "mod2"]}
    base.update(overrides)
    return CommunitySettings(**base)


def make_runtime(store: Store, platform: FakePlatform | None = None, **overrides: Any
                 ) -> Runtime:
    runtime = build_runtime(Settings(community=community_settings(**overrides)), store)
    runtime.add_platform(platform or FakePlatform())
    return runtime


def qa(ts: datetime, asker: str, helper: str | None, *, scope: Scope = SCOPE,
       thanks: bool = False, channel: str = "c1", text: str | None = None) -> list[Event]:
    """A question by ``asker``, answered by ``helper`` five minutes later (a reply)."""
    n = next(_ids)
    common = {"community": scope.community, "platform": scope.platform, "channel": channel}
    events: list[Event] = [Message(**common, ts=ts, id=f"q{n}", author=asker,
                                   author_name=asker.title(),
                                   text=text or f"How do I configure widget number {n}?")]
    if helper is not None:
        events.append(Message(**common, ts=ts + timedelta(minutes=5), id=f"a{n}",
                              author=helper, author_name=helper.title(), reply_to=f"q{n}",
                              text=f"You set widget.{n}.enabled = true in the config file"))
        if thanks:
            events.append(Message(**common, ts=ts + timedelta(minutes=9), id=f"t{n}",
                                  author=asker, reply_to=f"a{n}", text="thanks, that worked!"))
    return events


def joins(ts: datetime, *users: str, scope: Scope = SCOPE) -> list[Event]:
    return [MemberJoin(community=scope.community, platform=scope.platform, ts=ts, user=u,
                       user_name=u.title()) for u in users]
