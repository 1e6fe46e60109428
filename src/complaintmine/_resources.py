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
