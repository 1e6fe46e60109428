"""Access to the package data shipped under ``complaintmine/resources``."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


def resource_text(name: str) -> str:
    """Return the UTF-8 text of a file under ``complaintmine/resources``."""
    return resources.files("complaintmine").joinpath("resources", name).read_text(encoding="utf-8")


@cache
def resource_json(name: str) -> Any:
    """Return a parsed JSON resource (cached; treat the result as read-only)."""
    return json.loads(resource_text(name))


def resource_lines(name: str) -> list[str]:
    """Return the non-empty, non-comment lines of a text resource."""
    out = []
    for line in resource_text(name).splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def read_user_text(path: Any, what: str, expected: str) -> str:
    """Read a user-supplied data file (a lexicon, a user dictionary) as UTF-8 text.

    Nothing in the file is ever executed: it is read as bytes and decoded. Pickles and other
    binary files are refused, as are missing, unreadable and non-UTF-8 files, each with a
    ``ModelFileError`` that names the file (``what`` says which kind, ``expected`` what to give
    instead).
    """
    from .errors import ModelFileError

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise ModelFileError(f"{what} {path} not found; check the path") from None
    except IsADirectoryError:
        raise ModelFileError(f"{what} {path} is a folder; give {expected}") from None
    except OSError as err:
        raise ModelFileError(f"{what} {path} cannot be read ({err.strerror or err})") from None
    if looks_like_pickle(data):
        raise ModelFileError(
            f"{what} {path} looks like a Python pickle; complaintmine never loads pickles (they can run "
            f"code). Give {expected}."
        )
    if b"\x00" in data:
        raise ModelFileError(f"{what} {path} is a binary file, not text; give {expected}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ModelFileError(f"{what} {path} is not UTF-8 text; re-save it as UTF-8") from None


def looks_like_pickle(data: bytes) -> bool:
    """True for pickles: binary protocols start with 0x80, text protocol 0 ends with a '.' line."""
    tail = data.rstrip()
    return data[:1] == b"\x80" or tail.endswith(b"\n.") or tail == b"." or (b"\x00" in data and tail.endswith(b"."))
