"""Keyed hashes of member ids, and the anonymous tokens opted-out members are known by."""

from __future__ import annotations

import hashlib
import hmac

from bot.scope import Scope

ANON_PREFIX = "anon-"


def user_hash(secret: bytes, scope: Scope, user: str) -> str:
    """HMAC-SHA256 of a member id in its community: what the suppression list keeps."""
    message = f"{scope.platform}\x00{scope.community}\x00{user}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def anon_id(hashed: str) -> str:
    """The anonymous token that stands for an opted-out member in stored facts."""
    return ANON_PREFIX + hashed[:16]


def is_anonymous(user: str) -> bool:
    """Whether a stored member id is an anonymous token."""
    return user.startswith(ANON_PREFIX)
