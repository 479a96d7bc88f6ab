"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright, against
a served dashboard over SQLite and over PostgreSQL. Screenshots land in out/dashboard/."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.dashboard.pages import ADVOCATES_PER_PAGE, UNANSWERED_PER_PAGE
from tests.conftest import IN_CI, create_pg_database, drop_pg_database
from tests.dashboard.community import DISCORD, HELP
from tests.dashboard.served import ServedDashboard

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).parents[2] / "out" / "dashboard"
PAGES = ("Overview", "Advocates", "Unanswered", "Channels", "Newcomers")


def _needs_chromium() -> None:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _needs_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres",
                                                                 marks=pytest.mark.postgres)])
def dashboard(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[ServedDashboard]:
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("dash") / "dashboard.sqlite")
        served = ServedDashboard(url).start()
        yield served
        served.stop()
        return
    name, url = create_pg_database("innercircle_dash")
    served = ServedDashboard(url).start()
    yield served
    served.stop()
    drop_pg_database(name)


@pytest.fixture
def console() -> list[str]:
    """The browser console's errors during a test (none allowed, unless the test expects)."""
    return []


@pytest.fixture
def page(browser: Any, dashboard: ServedDashboard, console: list[str]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    opened = context.new_page()
    errors = console
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: errors.append(str(e)))
    yield opened
    context.close()
    assert errors == [], f"browser console errors: {errors}"


def _db(dashboard: ServedDashboard) -> str:
    return "postgres" if dashboard.url.startswith("postgres") else "sqlite"


def _shot(page: Any, dashboard: ServedDashboard, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{_db(dashboard)}-{name}.png"), full_page=True)


def _figure(page: Any, label: str) -> str:
    card = page.locator(".figures li", has=page.locator(".label", has_text=re.compile(
        f"^{re.escape(label)}$")))
    return str(card.locator(".value").inner_text())


def _pages_through(page: Any, table: str, count: int, per_page: int) -> None:
    """A long table shows ``per_page`` rows a page, numbered on across pages; its pager's
    links go to the next page, the last and back, keeping the period."""
    pages = -(-count // per_page)
    assert pages >= 2, f"the test community should fill more than one page of {table}"
    rows = page.locator(f"#{table} tbody tr")
    pager = page.locator(f"#{table} .pager")
    assert pager.locator("p").inner_text().startswith(
        f"1–{per_page} of {count:,} · page 1 of {pages}")
    first_cells = rows.first.locator("td, th").all_inner_texts()
    pager.get_by_role("link", name="Next").click()
    assert "page=2" in page.url and "days=" in page.url
    assert rows.count() == min(per_page, count - per_page)
    assert pager.locator("p").inner_text().startswith(f"{per_page + 1}–")
    if table == "advocates":  # ranks go on from the page before
        assert rows.first.locator("td").first.inner_text() == str(per_page + 1)
    assert rows.first.locator("td, th").all_inner_texts() != first_cells
    if pages > 2:
        pager.get_by_role("link", name="Last").click()
    assert f"page {pages} of {pages}" in pager.locator("p").inner_text()
    assert rows.count() == count - (pages - 1) * per_page
    assert pager.get_by_role("link", name="Next").count() == 0
    pager.get_by_role("link", name="First").click()
    assert rows.first.locator("td, th").all_inner_texts() == first_cells
    assert pager.get_by_role("link", name="Previous").count() == 0


def test_a_visit_without_a_link_is_refused(page: Any, dashboard: ServedDashboard,
                                           console: list[str]) -> None:
    response = page.goto(dashboard.base + "/c/demo/demo/")
    assert response.status == 401
    assert "Sign-in needed" in page.content()
    assert page.locator("table").count() == 0
    assert console == ["Failed to load resource: the server responded with a status of 401 "
                       "(Unauthorized)"]
    console.clear()


def test_every_page_renders_its_figures_and_charts(page: Any, dashboard: ServedDashboard
                                                    ) -> None:
    expected = dashboard.expected
    response = page.goto(dashboard.link())
    assert response.status == 200 and "key=" not in page.url
    assert page.locator("h1").inner_text() == "Overview"
    assert _figure(page, "Questions asked") == expected["questions"]
    assert _figure(page, "Share answered") == expected["answer_rate"]
    assert page.locator("svg.chart").count() == 8
    assert page.locator(".period-label").inner_text().startswith(expected["month_label"])
    assert page.locator("table#health, #health table th[scope=col]").count() >= 1
    _shot(page, dashboard, "overview")

    page.get_by_role("link", name="Advocates", exact=True).click()
    assert page.locator("h1").inner_text() == "Advocates"
    first = page.locator("#advocates tbody tr").first
    assert first.locator("a").inner_text() == expected["top_peer"]
    assert first.locator("td").nth(3).inner_text() == str(expected["top_peer_answers"])
    assert page.locator("#staff tbody tr").count() >= 1
    _shot(page, dashboard, "advocates")
    _pages_through(page, "advocates", expected["peers"], ADVOCATES_PER_PAGE)
    page.get_by_role("link", name="Advocates", exact=True).click()
    first = page.locator("#advocates tbody tr").first

    first.locator("a").click()
    assert page.locator("h1").inner_text().startswith(expected["top_peer"])
    # one row per answer message; an answer to one question may take several messages
    assert page.locator("#credits tbody tr").count() >= expected["top_peer_answers"]
    assert page.locator("svg.chart rect.bar").count() == 12
    _shot(page, dashboard, "member")

    page.get_by_role("link", name="Unanswered", exact=True).click()
    assert page.locator("#unanswered tbody tr").count() == min(expected["open_questions"],
                                                               UNANSWERED_PER_PAGE)
    _shot(page, dashboard, "unanswered")
    _pages_through(page, "unanswered", expected["open_questions"], UNANSWERED_PER_PAGE)
    with page.expect_download() as download:  # the CSV has every row, not one page
        page.locator("#unanswered caption a", has_text="CSV").click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert len(list(csv.reader(io.StringIO(saved)))) == 1 + expected["open_questions"]

    page.get_by_role("link", name="Channels", exact=True).click()
    names = page.locator("#channels tbody th").all_inner_texts()
    assert "#help" in names and "#general" in names
    _shot(page, dashboard, "channels")

    page.get_by_role("link", name="Newcomers", exact=True).click()
    assert page.locator("#newcomers thead th").count() == 6
    _shot(page, dashboard, "newcomers")


def test_period_selector_and_csv_download(page: Any, dashboard: ServedDashboard) -> None:
    expected = dashboard.expected
    page.goto(dashboard.link())
    page.select_option("#days", "7")
    page.get_by_role("button", name="Show").click()
    assert "days=7" in page.url
    assert page.locator(".period-label").inner_text().startswith(expected["week_label"])
    assert _figure(page, "Questions asked") == expected["questions_7"]
    page.select_option("#weeks", "52")
    page.get_by_role("button", name="Show").click()
    assert page.locator("#trends tbody tr").count() == 52
    assert page.locator("svg.chart").count() == 8
    page.get_by_role("link", name="Advocates", exact=True).click()
    assert "days=7" in page.url  # the period follows the navigation

    page.select_option("#days", "custom")
    page.fill("#since", "2026-01-05")
    page.fill("#until", "2026-01-11")
    page.get_by_role("button", name="Show").click()
    assert page.locator(".period-label").inner_text().startswith("5 – 11 Jan 2026 (UTC)")

    with page.expect_download() as download:
        page.locator("#advocates caption a", has_text="CSV").click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert saved.splitlines()[0].startswith("#,Member,Score,Answers,People helped")
    assert download.value.suggested_filename == "advocates-advocates.csv"


def test_discord_pages_link_to_messages_and_show_channel_names(page: Any,
                                                               dashboard: ServedDashboard
                                                               ) -> None:
    known = dashboard.known
    assert known is not None
    page.goto(dashboard.link(DISCORD))
    page.get_by_role("link", name="Unanswered", exact=True).click()
    rows = page.locator("#unanswered tbody tr")
    assert rows.count() == dashboard.expected["discord_open"] == 1
    assert rows.first.locator("td").nth(2).inner_text() == "#help"
    link = rows.first.get_by_role("link", name="open")
    assert link.get_attribute("href") == (
        f"https://discord.com/channels/{DISCORD.community}/{HELP}/{known.open_question}")
    page.get_by_role("link", name="Advocates", exact=True).click()
    board = page.locator("#advocates").inner_text()
    assert "gone (left)" in board and "anon-" not in board
    page.get_by_role("link", name="ada", exact=True).click()
    credits = page.locator("#credits tbody tr")
    assert credits.count() == 2
    assert "reply" in credits.first.inner_text()
    headers = page.locator("#credits thead th").all_inner_texts()
    assert headers[3:5] == ["Route", "Confidence"]
    assert re.fullmatch(r"\d+%", credits.first.locator("td").nth(4).inner_text())
    rewards = page.locator("#rewards tbody tr")
    assert rewards.count() == 1 and "Answers newcomers patiently" in rewards.inner_text()
    _shot(page, dashboard, "member-discord")


def test_readable_on_a_phone_in_dark_mode(browser: Any, dashboard: ServedDashboard) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  color_scheme="dark", device_scale_factor=2)
    phone = context.new_page()
    phone.goto(dashboard.link())
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the screen (tables scroll inside their box)
    background = phone.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(21, 23, 26)"
    _shot(phone, dashboard, "overview-phone-dark")
    context.close()
