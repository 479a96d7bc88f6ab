"""Signed, expiring grants: who may see which community's dashboard.

A grant is ``base64url(JSON payload) "." base64url(HMAC-SHA256)`` under the database's
dashboard key. A *link* grant (in ``?key=`` of a link staff receive) is exchanged, once
opened, for a *session* grant kept in an HttpOnly cookie; the cookie holds one session grant
per community the browser was given.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

from bot.scope import Scope

COOKIE = "innercircle_dashboard"
SEPARATOR = "~"  # between the session grants in the cookie
MAX_GRANTS = 8


class Refused(Exception):
    """A grant that does not open this page. The reason is for logs, never for the page."""


@dataclass(frozen=True, slots=True)
class Grant:
    kind: str  # link, session
    scope: Scope
    expires_at: float


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def sign(key: bytes, kind: str, scope: Scope, expires_at: float) -> str:
    """A grant of ``kind`` for ``scope`` until ``expires_at`` (epoch seconds)."""
    payload = _b64(json.dumps({"k": kind, "p": scope.platform, "c": scope.community,
                               "x": int(expires_at)}, separators=(",", ":")).encode())
    return f"{payload}.{_mac(key, payload)}"


def verify(key: bytes, token: str, kind: str, now: float) -> Grant:
    """The grant ``token`` carries, or ``Refused``: tampered, expired or of another kind."""
    payload, _, mac = token.partition(".")
    if not payload or not mac or not hmac.compare_digest(mac, _mac(key, payload)):
        raise Refused("bad signature")
    try:
        data = json.loads(_unb64(payload))
        grant = Grant(str(data["k"]), Scope(str(data["p"]), str(data["c"])), float(data["x"]))
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise Refused("unreadable grant") from None
    if grant.kind != kind:
        raise Refused(f"a {grant.kind} grant where a {kind} grant was expected")
    if grant.expires_at <= now:
        raise Refused("expired")
    return grant


def session_grants(key: bytes, cookie: str | None, now: float) -> tuple[list[Grant], bool]:
    """The valid session grants in a cookie, and whether any part of it was refused."""
    grants: list[Grant] = []
    refused = False
    for token in (cookie or "").split(SEPARATOR):
        if not token:
            continue
        try:
            grants.append(verify(key, token, "session", now))
        except Refused:
            refused = True
    return grants, refused


def add_session(key: bytes, grants: list[Grant], scope: Scope, expires_at: float) -> str:
    """The cookie value with a fresh session for ``scope`` (the oldest dropped past eight)."""
    kept = [g for g in grants if g.scope != scope][-(MAX_GRANTS - 1):]
    tokens = [sign(key, "session", g.scope, g.expires_at) for g in kept]
    tokens.append(sign(key, "session", scope, expires_at))
    return SEPARATOR.join(tokens)
