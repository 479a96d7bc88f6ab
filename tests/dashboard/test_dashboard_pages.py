"""Page data that must agree with the reports exactly (the dashboard computes no figure of
its own)."""

from __future__ import annotations

from datetime import timedelta

from bot import reports
from bot.config import CommunitySettings
from bot.dashboard import member_page
from bot.dashboard.view import View
from bot.period import Period
from bot.store import Store
from tests.dashboard.community import DEMO, DISCORD, build, utc_now


async def test_one_members_score_read_alone_equals_the_leaderboards(store: Store) -> None:
    now = utc_now()
    await build(store, now)
    settings = CommunitySettings()
    for scope in (DEMO, DISCORD):
        period = Period(now - timedelta(days=30), now)
        board = {e.advocate.user: e for e in await reports.helpers(store, scope, period,
                                                                   settings)}
        assert len(board) >= 4
        for user, entry in board.items():
            alone = [e for e in await reports.helpers(store, scope, period, settings,
                                                      involving=user)
                     if e.advocate.user == user]
            assert alone == [entry], user


async def test_member_page_counts_match_the_credits_report(store: Store) -> None:
    now = utc_now()
    await build(store, now, demo=False)
    settings = CommunitySettings()
    period = Period(now - timedelta(days=30), now)
    page = await member_page.member(View(store, DISCORD, period, settings, now.timestamp()),
                                    "ada")
    credits = await reports.credits(store, DISCORD, "ada", period, staff_view=True,
                                    excerpts=True, now=now.timestamp())
    assert len(page.table("credits").rows) == len(credits) == 2
    helped = {str(row[0].text if hasattr(row[0], "text") else row[0]): row[1]
              for row in page.table("helped").rows}
    assert helped == {"nina": 1, "bob": 1}
    assert page.facts["newcomers_helped"] == 1  # nina joined just before asking
