"""Default size limits for reading inputs (a light module: the CLI's ``--help`` shows them
without importing pandas).

Examples
--------
>>> from complaintmine.limits import MAX_CELL_CHARS
>>> MAX_CELL_CHARS
1000000
"""

from __future__ import annotations

__all__ = ["MAX_CELL_CHARS", "MAX_INFLATE_RATIO", "INFLATE_FLOOR"]

#: The longest cell read by default, in characters. A long complaint has a few thousand; a far
#: longer cell is a damaged or hostile file, and would cost memory in every step after reading.
MAX_CELL_CHARS = 1_000_000
#: By default a compressed input (.gz, the parts of an .xlsx, a Parquet row group) may inflate to
#: at most this many times its size on disk, beyond ``INFLATE_FLOOR`` bytes: text exports
#: compress 3 to 20 times, a decompression bomb a thousand times or more.
MAX_INFLATE_RATIO = 200
#: Any input may inflate to this many bytes, whatever its size on disk.
INFLATE_FLOOR = 64 << 20
