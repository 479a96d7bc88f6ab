"""The dashboard's web application (aiohttp, which the bot already runs on; server-rendered
Jinja2 pages, inline SVG charts, no script).

Addresses: ``/c/{platform}/{community}/{page}`` with ``?days=7|30|90`` or
``?since=…&until=…``; ``&csv=<table>`` downloads one of the page's tables. A link staff
receive carries ``?key=<signed grant>``: it is exchanged for a session cookie and the
browser is sent on to the same page without the key.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from aiohttp import web

from bot.config import Settings
from bot.dashboard import access, member_page, pages
from bot.dashboard.table import Link, shown
from bot.dashboard.view import View
from bot.period import Period, PeriodError, period_from
from bot.scope import Scope
from bot.store import Store

log = logging.getLogger(__name__)

PAGES: dict[str, tuple[str, Callable[..., Awaitable[pages.Page]]]] = {
    "overview": ("Overview", pages.overview),
    "advocates": ("Advocates", pages.advocates),
    "unanswered": ("Unanswered", pages.unanswered),
    "channels": ("Channels", pages.channels),
    "newcomers": ("Newcomers", pages.newcomers),
}
DAYS = ("7", "30", "90")
DEFAULT_DAYS = 30
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "img-src 'self' data:; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
STORE: web.AppKey[Store] = web.AppKey("store", Store)
SETTINGS: web.AppKey[Settings] = web.AppKey("settings", Settings)
KEY: web.AppKey[bytes] = web.AppKey("key", bytes)
TEMPLATES: web.AppKey[jinja2.Environment] = web.AppKey("templates", jinja2.Environment)
CLOCK: web.AppKey[Callable[[], float]] = web.AppKey("clock")


def templates() -> jinja2.Environment:
    """The pages' templates, compiled once here rather than on the first request (they do
    not change while the server runs)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.filters["cell"] = shown
    env.tests["link"] = lambda value: isinstance(value, Link)
    for name in ("page.html", "refused.html"):
        env.get_template(name)
    return env


async def make_app(store: Store, settings: Settings,
                   clock: Callable[[], float] = time.time) -> web.Application:
    """The application over ``store`` (its signing key is made on first use)."""
    app = web.Application(middlewares=[_headers])
    app[STORE] = store
    app[SETTINGS] = settings
    app[KEY] = await store.dashboard_key()
    app[TEMPLATES] = templates()
    app[CLOCK] = clock
    app.router.add_get("/", _home)
    app.router.add_get("/c/{platform}/{community}/", _page)
    app.router.add_get("/c/{platform}/{community}/member/{user}", _page)
    app.router.add_get("/c/{platform}/{community}/{page}", _page)
    return app


@web.middleware
async def _headers(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers.update(HEADERS)
        raise
    response.headers.update(HEADERS)
    return response


def _render(request: web.Request, template: str, status: int = 200, **values: Any
            ) -> web.Response:
    html = request.app[TEMPLATES].get_template(template).render(**values)
    return web.Response(text=html, status=status, content_type="text/html")


def _refuse(request: web.Request, status: int) -> web.Response:
    """401 (no grant) or 403 (a grant that does not open this page); nothing else said."""
    return _render(request, "refused.html", status=status, status_code=status)


def _secure(request: web.Request) -> bool:
    public = request.app[SETTINGS].dashboard.public_url or ""
    return request.secure or public.startswith("https://")


async def _home(request: web.Request) -> web.StreamResponse:
    grants, _ = access.session_grants(request.app[KEY], request.cookies.get(access.COOKIE),
                                      request.app[CLOCK]())
    if not grants:
        return _refuse(request, 401)
    raise web.HTTPSeeOther(_address(grants[-1].scope, "overview"))


def _address(scope: Scope, page: str, query: dict[str, str] | None = None) -> str:
    path = f"/c/{quote(scope.platform, safe='')}/{quote(scope.community, safe='')}/"
    if page != "overview":
        path += page
    return path + (f"?{urlencode(query)}" if query else "")


def _period(request: web.Request, now: float) -> tuple[Period, dict[str, str]]:
    """The period asked for, and the query that keeps it across links."""
    q = request.query
    if q.get("days") == "custom" or ("since" in q and "days" not in q):
        since, until = q.get("since") or None, q.get("until") or None
        end = None
        if until:  # a date picked as the last day: the period ends the day after
            end = (datetime.fromisoformat(until[:10]).replace(tzinfo=UTC)
                   + timedelta(days=1)).isoformat()
        period = period_from(since, end, days=DEFAULT_DAYS,
                             now=datetime.fromtimestamp(now, UTC))
        return period, {"days": "custom", "since": since or "", "until": until or ""}
    days = q.get("days", str(DEFAULT_DAYS))
    if days not in DAYS:
        raise PeriodError(f"days must be one of {', '.join(DAYS)} or custom")
    return (period_from(None, None, days=int(days), now=datetime.fromtimestamp(now, UTC)),
            {"days": days})


def _page_number(request: web.Request) -> int:
    """Which page of a long table to show (``?page=``, from 1)."""
    number = int(request.query.get("page", "1"))
    if number < 1:
        raise ValueError("page must be 1 or more")
    return number


async def _page(request: web.Request) -> web.StreamResponse:
    app = request.app
    now = app[CLOCK]()
    scope = Scope(request.match_info["platform"], request.match_info["community"])
    key = app[KEY]
    link = request.query.get("key")
    if link is not None:
        try:
            grant = access.verify(key, link, "link", now)
        except access.Refused as why:
            log.info("dashboard: a link was refused (%s)", why)
            return _refuse(request, 403)
        if grant.scope != scope:
            log.info("dashboard: a link for another community was refused")
            return _refuse(request, 403)
        grants, _ = access.session_grants(key, request.cookies.get(access.COOKIE), now)
        session_ends = now + app[SETTINGS].dashboard.session_hours * 3600
        query = {k: v for k, v in request.query.items() if k != "key"}
        response = web.HTTPSeeOther(request.path + (f"?{urlencode(query)}" if query else ""))
        response.set_cookie(access.COOKIE, access.add_session(key, grants, scope, session_ends),
                            max_age=int(session_ends - now), path="/", httponly=True,
                            samesite="Lax", secure=_secure(request))
        raise response
    cookie = request.cookies.get(access.COOKIE)
    grants, refused = access.session_grants(key, cookie, now)
    if not any(g.scope == scope for g in grants):
        return _refuse(request, 403 if grants or refused else 401)
    return await _show(request, scope, [g.scope for g in grants], now)


async def _show(request: web.Request, scope: Scope, granted: list[Scope], now: float
                ) -> web.StreamResponse:
    app = request.app
    store, settings = app[STORE], app[SETTINGS]
    name = request.match_info.get("page", "overview")
    user = request.match_info.get("user")
    if user is None and name not in PAGES:
        raise web.HTTPNotFound()
    try:
        period, keep = _period(request, now)
        shown = _page_number(request)
    except (PeriodError, ValueError) as error:
        raise web.HTTPBadRequest(text=f"{error}") from None
    wanted = request.query.get("csv")
    community = settings.community.with_overrides(await store.settings_overrides(scope))
    view = View(store, scope, period, community, now,
                member_href=lambda u: _address(scope, f"member/{quote(u, safe='')}", keep),
                page=None if wanted is not None else shown)
    title = PAGES[name][0] if user is None else "Member"
    try:
        if user is not None:
            page = await member_page.member(view, user)
            title = page.facts["name"]
        elif name == "overview":
            weeks = 52 if request.query.get("weeks") == "52" else 12
            page = await pages.overview(view, weeks)
        else:
            page = await PAGES[name][1](view)
    except member_page.NoSuchMember:
        raise web.HTTPNotFound(text="No such member in this community.") from None
    if wanted is not None:
        table = next((t for t in page.tables if t.name == wanted), None)
        if table is None:
            raise web.HTTPNotFound(text="No such table on this page.")
        filename = f"{name if user is None else 'member'}-{table.name}.csv"
        return web.Response(text=table.csv(), content_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{filename}"'})
    here = request.path
    return _render(
        request, "page.html", title=title, page=page, period=period, keep=keep,
        scope=scope, current=name if user is None else "", here=here,
        nav=[(key, label, _address(scope, key, keep)) for key, (label, _) in PAGES.items()],
        communities=[(str(s), _address(s, "overview", keep), s == scope) for s in granted],
        csv_href=lambda table: f"{here}?{urlencode({**keep, 'csv': table})}",
        page_href=lambda number: f"{here}?{urlencode({**keep, 'page': str(number)})}",
        weeks=request.query.get("weeks", "12"), days_choices=DAYS)
