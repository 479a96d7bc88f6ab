"""The files of an export, whether it is a ZIP archive or a folder: names, sizes, bytes.

Names are ``/``-separated paths relative to the export's root. ZIP archives made by tools
that do not set the UTF-8 flag (Slack's exports among them, on some systems) store UTF-8
names that Python would read as cp437 (``cafÃ©`` instead of ``café``): such names are
decoded again as UTF-8 when they are valid UTF-8.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

UTF8_FLAG = 0x800


def parse_json(raw: bytes) -> Any:
    """A file's JSON (UTF-8, with or without a byte-order mark); ``ValueError`` with a reason a
    person can act on when it is not. orjson parses several times faster than the standard
    library; a file it refuses is parsed again by the standard library, which either reads it
    (numbers beyond a double, say) or says where it is broken in its usual words."""
    try:
        return orjson.loads(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON: {error.msg} (line {error.lineno}, column "
                         f"{error.colno})") from None


class ExportError(Exception):
    """The export cannot be read at all (not found, not a ZIP, missing its index files)."""


def zip_name(info: zipfile.ZipInfo) -> str:
    """The entry's real name: UTF-8 names stored without the UTF-8 flag are repaired."""
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


class ExportFiles:
    """Read-only access to the files of a ZIP archive or a folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._entries: dict[str, zipfile.ZipInfo] = {}
        self._sizes: dict[str, int] = {}
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file():
                    self._sizes[file.relative_to(path).as_posix()] = file.stat().st_size
        elif path.is_file():
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as error:
                raise ExportError(f"{path}: not a ZIP archive or a folder ({error})") from None
            for info in self._zip.infolist():
                if info.is_dir():
                    continue
                name = zip_name(info)
                self._entries[name] = info
                self._sizes[name] = info.file_size
        else:
            raise ExportError(f"{path}: no such file or folder")
        self.root = self._common_root()

    def _common_root(self) -> str:
        """A ZIP made by zipping a folder puts everything under that folder: look inside."""
        tops = {PurePosixPath(n).parts[0] for n in self._sizes if "/" in n}
        loose = [n for n in self._sizes if "/" not in n]
        if len(tops) == 1 and not loose:
            return tops.pop() + "/"
        return ""

    def __enter__(self) -> ExportFiles:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def names(self) -> Iterator[str]:
        """Every file, relative to the export's root."""
        for name in self._sizes:
            if name.startswith(self.root):
                yield name[len(self.root):]

    def exists(self, name: str) -> bool:
        return self.root + name in self._sizes

    def size(self, name: str) -> int:
        return self._sizes[self.root + name]

    def read(self, name: str) -> bytes:
        """The file's bytes; ``OSError`` or ``zipfile.BadZipFile`` when it cannot be read."""
        full = self.root + name
        if self._zip is not None:
            return self._zip.read(self._entries[full])
        return (self.path / full).read_bytes()
