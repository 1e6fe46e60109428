"""Progress of long work on stderr, readable in a terminal and in a log (the library's too).

In a terminal, a tqdm bar with the count, the rate and, when the total is known, the
percentage and the time left. When stderr is not a terminal (a pipe, a log file, a job
scheduler, a notebook), plain lines instead, one every ``COMPLAINTMINE_PROGRESS_SECONDS``
seconds (default 10), then a last line when the work is done:

    classify: 120000/1000000 rows (12%), 8500 rows/s, ETA 1m43s
    classify: done, 1000000 rows in 1m58s (8475 rows/s)

Work shorter than the interval prints nothing, so short runs and error messages stay as
they were. ``disable=True`` (``complaintmine --quiet``) silences both.
"""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import Any

__all__ = ["progress_bar", "format_duration"]

#: seconds between two plain lines (stderr not a terminal)
DEFAULT_INTERVAL = 10.0


def format_duration(seconds: float) -> str:
    """``"1m43s"``, ``"2h05m"``, ``"7s"``.

    Examples
    --------
    >>> format_duration(103), format_duration(7.4), format_duration(7500)
    ('1m43s', '7s', '2h05m')
    """
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def _interval() -> float:
    try:
        return max(0.0, float(os.environ.get("COMPLAINTMINE_PROGRESS_SECONDS", DEFAULT_INTERVAL)))
    except ValueError:
        return DEFAULT_INTERVAL


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class _Lines:
    """Progress as plain lines: what a log or a pipe can show. Same methods as a tqdm bar."""

    def __init__(self, desc: str, total: int | None, unit: str, interval: float, stream: Any) -> None:
        self.desc, self.total, self.unit, self.interval, self.stream = desc, total, unit, interval, stream
        self.n = 0
        self.postfix = ""
        self.disable = False
        self.started = self._last = time.monotonic()
        self.printed = False

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.monotonic()
        if not self.disable and now - self._last >= self.interval:
            self._last = now
            self._write(self.line(now))

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        self.postfix = s

    def line(self, now: float | None = None) -> str:
        """The progress so far: ``classify: 120000/1000000 rows (12%), 8500 rows/s, ETA 1m43s``."""
        took = (now if now is not None else time.monotonic()) - self.started
        rate = self.n / took if took > 0 else 0.0
        done = f"{self.n}/{self.total} {self.unit} ({100 * self.n / self.total:.0f}%)" if self.total \
            else f"{self.n} {self.unit}"
        parts = [f"{self.desc}: {done}" + (f" {self.postfix}" if self.postfix else ""), f"{rate:.0f} {self.unit}/s"]
        if self.total and rate > 0 and self.n < self.total:
            parts.append(f"ETA {format_duration((self.total - self.n) / rate)}")
        return ", ".join(parts)

    def close(self, completed: bool = True) -> None:
        if completed and self.printed and not self.disable:
            took = time.monotonic() - self.started
            rate = f" ({self.n / took:.0f} {self.unit}/s)" if took > 0 else ""
            self._write(f"{self.desc}: done, {self.n} {self.unit} in {format_duration(took)}{rate}")
        self.disable = True

    def _write(self, text: str) -> None:
        self.printed = True
        try:
            print(text, file=self.stream, flush=True)
        except (OSError, ValueError):  # stderr gone (closed pipe): progress is not worth failing for
            self.disable = True

    def __enter__(self) -> _Lines:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(completed=exc_type is None)  # no "done" line for a run that failed


class _Bar:
    """A tqdm bar that ends at its count when the total was an estimate (a line count)."""

    def __init__(self, bar: Any) -> None:
        self._bar = bar

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bar, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "_bar":
            object.__setattr__(self, name, value)
        else:
            setattr(self._bar, name, value)

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None and self._bar.total is not None and self._bar.n != self._bar.total:
            self._bar.total = self._bar.n
            self._bar.refresh()
        self._bar.close()


def progress_bar(desc: str, *, total: int | None = None, unit: str = "rows", disable: bool | None = False,
                 interval: float | None = None) -> Any:
    """A progress display on stderr: a bar in a terminal, plain lines otherwise.

    Parameters
    ----------
    desc : str
        What is being done (``"classify"``), the start of every line.
    total : int, optional
        How many units there will be (an estimate is fine: the bar ends at the real count);
        gives the percentage and the time left.
    unit : str, default "rows"
    disable : bool, default False
        Show nothing (``None`` is taken as False).
    interval : float, optional
        Seconds between plain lines (default ``COMPLAINTMINE_PROGRESS_SECONDS`` or 10).

    Returns
    -------
    object
        Use it as a context manager; ``update(n)`` counts ``n`` more units,
        ``set_postfix_str(s)`` says which step is running.

    Examples
    --------
    >>> with progress_bar("train", total=3, unit="steps", disable=True) as bar:
    ...     bar.update(3)
    """
    unit = unit.strip()
    if not disable and _is_terminal(sys.stderr):
        from tqdm import tqdm

        return _Bar(tqdm(desc=desc, total=total, unit=f" {unit}", file=sys.stderr, dynamic_ncols=True,
                         mininterval=0.5))
    bar = _Lines(desc, total, unit, _interval() if interval is None else interval, sys.stderr)
    bar.disable = bool(disable)
    return bar
