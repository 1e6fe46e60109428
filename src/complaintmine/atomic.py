"""Atomic writing, the one way every output (tables, reports, models) reaches its path.

The data goes to a temporary file created exclusively, under an unpredictable name, in the
target's folder (``tempfile.mkstemp``: no fixed ``.NAME.partial`` that two writers share or an
attacker can plant as a symlink), and is renamed over the target only when complete. An
interrupted or failed write leaves the target as it was and no temporary file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "new_temp", "commit", "discard"]


def new_temp(path: str | os.PathLike[str]) -> str:
    """Create an empty temporary file beside ``path`` (exclusively, unpredictable name)."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".partial", dir=p.parent if str(p.parent) else ".")
    os.close(fd)
    return tmp


def file_mode(path: str | os.PathLike[str]) -> int:
    """Mode of the finished file: the replaced file's, else 0o666 less the umask (as open() gives)."""
    try:
        return Path(path).stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def commit(tmp: str, path: str | os.PathLike[str]) -> None:
    """Give ``tmp`` the target's mode and rename it over ``path`` (atomic on one file system)."""
    os.chmod(tmp, file_mode(path))
    os.replace(tmp, path)


def discard(tmp: str | None) -> None:
    """Remove a temporary file that was not committed (nothing if it is gone)."""
    if tmp is not None and os.path.exists(tmp):
        os.unlink(tmp)


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[str]:
    """Yield a temporary path to write; on success it replaces ``path``, on any error it is removed.

    Examples
    --------
    >>> with atomic_path("out/report.html") as tmp:  # doctest: +SKIP
    ...     Path(tmp).write_text(html, encoding="utf-8")
    """
    tmp = new_temp(path)
    try:
        yield tmp
        commit(tmp, path)
    finally:
        discard(tmp)
