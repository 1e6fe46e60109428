"""Progress bars on stderr for long work (the library's, not only the command line's)."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["progress_bar"]


def progress_bar(desc: str, *, total: int | None = None, unit: str = " rows", disable: bool | None = None) -> Any:
    """A tqdm bar on stderr; ``disable=None`` hides it when stderr is not a terminal.

    Examples
    --------
    >>> with progress_bar("train", total=3, unit=" steps", disable=True) as bar:
    ...     bar.update(3)
    """
    from tqdm.auto import tqdm

    return tqdm(desc=desc, total=total, unit=unit, file=sys.stderr, dynamic_ncols=True, mininterval=0.5,
                disable=disable)
