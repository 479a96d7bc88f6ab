"""``/circle config`` logic (pure): read a value as typed, check it with the settings model,
describe settings for people."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import ValidationError

from bot.config import CommunitySettings

RESET_WORDS = ("default", "reset")
NONE_WORDS = ("none", "off", "-")
_WRAPPED = re.compile(r"^<[#@]?[!&]?([^|>]+)(?:\|[^>]*)?>$")


class SettingError(ValueError):
    """A wrong key or value: the message names the setting and says what is wrong."""


def setting_names() -> list[str]:
    return list(CommunitySettings.model_fields)


def check_key(key: str) -> str:
    name = key.strip().lower().replace("-", "_")
    if name in CommunitySettings.model_fields:
        return name
    close = difflib.get_close_matches(name, setting_names(), n=1)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    listing = ", ".join(setting_names())
    raise SettingError(f"There is no setting `{key}`.{hint} Settings: {listing}.")


def _is_list(key: str) -> bool:
    annotation = CommunitySettings.model_fields[key].annotation
    return typing.get_origin(annotation) is list


def _optional(key: str) -> bool:
    annotation = CommunitySettings.model_fields[key].annotation
    origin = typing.get_origin(annotation)
    return origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(annotation)


def unwrap(item: str) -> str:
    """A channel, user or role mention (``<#C1|general>``, ``<@!123>``) -> its id."""
    found = _WRAPPED.match(item.strip())
    return found.group(1) if found else item.strip()


def parse_value(key: str, raw: str) -> Any:
    """A value as typed -> what the setting holds (lists: comma or space separated)."""
    text = raw.strip()
    if _is_list(key):
        if text.lower() in NONE_WORDS or text in ("[]", ""):
            return []
        return [unwrap(item) for item in re.split(r"[,\s]+", text) if item]
    if _optional(key) and text.lower() in NONE_WORDS:
        return ""  # stored as set-to-nothing (None would mean: no override, the default)
    return unwrap(text)


def validated(defaults: CommunitySettings, overrides: dict[str, Any], key: str, value: Any
              ) -> CommunitySettings:
    """The settings with ``key`` set to ``value``; a ``SettingError`` names what is wrong."""
    try:
        return defaults.with_overrides({**overrides, key: value})
    except ValidationError as error:
        problems = "; ".join(_message(item) for item in error.errors()
                             if not item["loc"] or item["loc"][0] == key) or str(error)
        raise SettingError(f"`{key}` cannot be {_shown_raw(value)}: {problems}.") from None


def _message(item: Any) -> str:
    message = str(item["msg"])
    return message.removeprefix("Value error, ")


def _shown_raw(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "empty"
    return repr(value)


def shown(value: Any) -> str:
    """A setting's value for people."""
    if value is None or value == "":
        return "not set"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
