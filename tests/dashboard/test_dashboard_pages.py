"""Page data that must agree with the reports exactly (the dashboard computes no figure of
its own)."""

from __future__ import annotations

from datetime import timedelta

from bot import reports
from bot.config import CommunitySettings
from bot.dashboard import member_page, pages
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


async def test_long_tables_page_by_page_make_the_whole_table(store: Store) -> None:
    """The pages of the advocates and unanswered tables, one after another, are exactly
    the whole table that the CSV and the command line have (ranks numbered on)."""
    now = utc_now()
    await build(store, now)
    period = Period(now - timedelta(days=30), now)
    settings = CommunitySettings()
    for builder, name, per_page in ((pages.advocates, "advocates", pages.ADVOCATES_PER_PAGE),
                                    (pages.unanswered, "unanswered",
                                     pages.UNANSWERED_PER_PAGE)):
        whole = (await builder(View(store, DEMO, period, settings, now.timestamp()))
                 ).table(name)
        assert len(whole.rows) > per_page and whole.count is None
        count = len(whole.rows)
        last = -(-count // per_page)
        joined = []
        for number in range(1, last + 2):  # one past the last page shows the last
            table = (await builder(View(store, DEMO, period, settings, now.timestamp(),
                                        page=number))).table(name)
            assert table.count == count and table.pages == last
            assert table.page == min(number, last) and table.paged
            assert len(table.rows) == (per_page if number < last else count - (last - 1) * per_page)
            if number <= last:
                joined.extend(table.rows)
        assert joined == whole.rows
