"""Reading complaint exports: CSV, TSV, Excel, JSONL / JSON and Parquet, UTF-8 or GBK.

``read_complaints`` loads a whole file; ``iter_complaints`` streams it in chunks for files
larger than memory. Both keep every row, in order, read every cell of delimited files as
text (ids like ``00123`` keep their leading zeros), find the text column by its usual
names, and give each row an id when the file has none. Bad input raises a
``complaintmine.errors`` exception whose message names the file, line or column and
says what to do.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io as _io
import itertools
import json
import os
import re
import warnings
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import (
    ColumnError,
    DuplicateIdError,
    EmptyInputError,
    EncodingError,
    InputFileError,
    InputWarning,
    MalformedInputError,
    SheetError,
)
from .limits import INFLATE_FLOOR, MAX_CELL_CHARS, MAX_INFLATE_RATIO
from .normalization import mask_pii

__all__ = [
    "read_complaints",
    "iter_complaints",
    "detect_encoding",
    "find_text_column",
    "TEXT_COLUMN_NAMES",
    "resolve_text_column",
    "ID_COLUMN_NAMES",
    "count_rows",
    "MAX_CELL_CHARS",
    "MAX_INFLATE_RATIO",
]


#: Column names recognised as the complaint text, in order of preference.
TEXT_COLUMN_NAMES = (
    "投诉内容", "投诉描述", "投诉详情", "问题描述", "内容", "详情", "描述", "诉求内容", "反馈内容",
    "评论内容", "评价内容", "评论", "评价", "留言", "正文", "文本",
    "complaint", "complaint_text", "review", "text", "content", "comment", "description", "body",
    "message",
)  # fmt: skip
#: Column names recognised as a row id, in order of preference.
ID_COLUMN_NAMES = (
    "id", "投诉编号", "工单号", "工单编号", "编号", "单号", "序号", "complaint_id", "ticket_id",
    "ticket", "case_id", "record_id", "uid",
)  # fmt: skip

_FORMATS = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "csv",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".parquet": "parquet", ".pq": "parquet",
}  # fmt: skip
_SNIFF_BYTES = 8 << 20


def _check_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: file not found. Check the path (current folder: {Path.cwd()}).")
    if p.is_dir():
        raise InputFileError(f"{p} is a folder, not a file. Pass one export file (CSV, TSV, Excel, JSONL, Parquet).")
    if not os.access(p, os.R_OK):
        raise InputFileError(f"{p}: permission denied. Make the file readable or copy it somewhere you can read.")
    return p


def _format_of(p: Path) -> tuple[str, str | None]:
    suffixes = [s.lower() for s in p.suffixes]
    compression = None
    if suffixes and suffixes[-1] == ".gz":
        compression = "gzip"
        suffixes = suffixes[:-1]
    fmt = _FORMATS.get(suffixes[-1] if suffixes else "")
    if fmt is None:
        raise InputFileError(
            f"{p}: unknown file type {''.join(p.suffixes) or '(no extension)'!r}. "
            "Use .csv, .tsv, .xlsx, .jsonl, .json or .parquet (optionally .gz for text files)."
        )
    return fmt, compression


#: what reading a (possibly gzipped) file raises for a damaged or unreadable file
_READ_ERRORS = (OSError, EOFError, zlib.error)


def _damaged_gzip(p: Path, exc: BaseException) -> MalformedInputError:
    """The error for a gzip stream that breaks while it is read (a damaged or cut-off file)."""
    return MalformedInputError(f"{p} is a damaged gzip file ({exc}). Export or copy it again.")


def _open_bytes(p: Path, compression: str | None) -> Any:
    return gzip.open(p, "rb") if compression == "gzip" else open(p, "rb")


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def detect_encoding(path: str | os.PathLike[str], *, sample_bytes: int = _SNIFF_BYTES) -> str:
    """Detect the text encoding of a delimited or JSONL file.

    Recognises UTF-8, UTF-8 with BOM, UTF-16 with BOM and GBK / GB18030 (returned as
    ``"gb18030"``, a superset of GBK and GB2312). Raises ``EncodingError`` when the bytes
    are neither, or when lines in different encodings are mixed in one file.

    Examples
    --------
    >>> detect_encoding("data/demo/complaints_demo.csv")  # doctest: +SKIP
    'utf-8'
    """
    p = _check_path(path)
    _, compression = _format_of(p) if p.suffix else ("csv", None)
    data = _read_head(p, compression, sample_bytes + 1)
    _refuse_binary(p, data)
    truncated = len(data) > sample_bytes
    if truncated:  # cut at the last newline so no character is split
        data = data[: data.rfind(b"\n", 0, sample_bytes) + 1]
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16
    if b"\x00" in data:
        if _looks_binary(data):
            line = _line_of(data, data.index(b"\x00"))
            raise EncodingError(
                f"{p}, line {line}: the file is full of NUL and other control bytes, so it is not a text "
                "export (a database, an image, or a damaged file). Export the complaints again as CSV (UTF-8)."
            )
        data = data.replace(b"\x00", b"")  # a few stray NULs: the reader drops them, with a warning
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # not UTF-8: GB18030, unless some lines are valid (non-ASCII) UTF-8 and others are not
    utf8_lines, other_lines = [], []
    for no, line in enumerate(data.split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
            if len(re.findall(r"[\u4e00-\u9fff]", text)) >= 2:
                utf8_lines.append(no)
        except UnicodeDecodeError:
            other_lines.append(no)
    if utf8_lines and other_lines:
        raise EncodingError(
            f"{p} mixes text encodings: line(s) {_few(utf8_lines)} are UTF-8 but line(s) "
            f"{_few(other_lines)} are not (probably GBK). Re-save the whole file in one encoding, "
            "preferably UTF-8."
        )
    try:
        gb_text = data.decode("gb18030")
    except UnicodeDecodeError:
        gb_text = None
    if gb_text is not None:
        # Big5 (Taiwan / Hong Kong exports) also decodes as GB18030, into nonsense: compare how
        # many characters land among the common characters of each encoding
        if _common_share(gb_text, "gb2312", 0xB0, 0xD7) < 0.5:
            try:
                big5_text = data.decode("cp950")
            except UnicodeDecodeError:
                big5_text = None
            if big5_text is not None and _common_share(big5_text, "cp950", 0xA4, 0xC6) > 0.8:
                return "cp950"
        return "gb18030"
    else:
        pos = utf8_error.start
        raise EncodingError(
            f"{p}, line {_line_of(data, pos)}: bytes {data[pos:pos + 4]!r} are neither UTF-8 nor "
            "GBK/GB18030. Re-save the file as UTF-8, or pass encoding=... (CLI: --encoding)."
        ) from None


_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook or another ZIP archive", "rename it to .xlsx if it is a workbook"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) workbook", "rename it to .xls, or save it as .xlsx / CSV"),
    (b"PAR1", "a Parquet file", "rename it to .parquet"),
    (b"\x1f\x8b", "gzip-compressed", "rename it to end in .gz (e.g. export.csv.gz)"),
    (b"%PDF", "a PDF document", "export the complaints as CSV or Excel instead"),
    (b"SQLite format 3\x00", "an SQLite database", "export the complaints from it as CSV"),
    (b"\x89PNG", "a PNG image", "export the complaints as CSV or Excel instead"),
    (b"\xff\xd8\xff", "a JPEG image", "export the complaints as CSV or Excel instead"),
    (tuple(b"BZh%d" % level for level in range(1, 10)), "bzip2-compressed", "decompress it first (bunzip2)"),
    (b"\xfd7zXZ\x00", "xz-compressed", "decompress it first (unxz), or compress it as .gz"),
    (b"7z\xbc\xaf", "a 7-Zip archive", "extract it first"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed", "decompress it first (unzstd), or compress it as .gz"),
)  # fmt: skip


def _looks_binary(data: bytes) -> bool:
    """True unless the bytes are text with a few stray NULs: a database, an image or a damaged
    file holds many NUL and other control bytes, a text export almost none."""
    head = data[: 1 << 20]
    controls = sum(head.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    return controls > max(8, len(head) // 1000)


def _read_head(p: Path, compression: str | None, n: int) -> bytes:
    try:
        with _open_bytes(p, compression) as fh:
            return fh.read(n)
    except _READ_ERRORS as exc:  # gzip.BadGzipFile is an OSError, a damaged deflate stream a zlib.error
        if compression == "gzip":
            raise MalformedInputError(
                f"{p} is not a valid gzip file ({exc}). Decompress it yourself or export it again."
            ) from None
        raise InputFileError(f"{p}: cannot read the file ({getattr(exc, 'strerror', None) or exc}).") from None


def _refuse_binary(p: Path, data: bytes) -> None:
    """Give a useful message when a text file is really a workbook, Parquet, gzip ... file."""
    for magic, what, fix in _MAGIC:
        if data.startswith(magic):
            raise InputFileError(f"{p} is {what}, not a {p.suffix.lstrip('.').upper() or 'text'} file: {fix}.")


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the bytes look like UTF-16 without a byte-order mark."""
    head = data[:4096]
    if len(head) < 8 or b"\x00" not in head:
        return None
    head = head[: len(head) // 2 * 2]
    even, odd = head[0::2], head[1::2]
    z_even, z_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    for enc, zeros, other in (("utf-16-le", z_odd, z_even), ("utf-16-be", z_even, z_odd)):
        if zeros > 0.05 and other < 0.02:
            try:
                data[: len(data) // 2 * 2].decode(enc)
            except UnicodeDecodeError:
                return None
            return enc
    return None


def _common_share(text: str, enc: str, lo: int, hi: int, limit: int = 20_000) -> float:
    """Share of the first ``limit`` non-ASCII characters that are punctuation or common
    (level-1) characters of ``enc``; real text scores above 0.9, mis-decoded text far lower."""
    n = good = 0
    for ch in text:
        if ch < "\x80":
            continue
        n += 1
        try:
            b = ch.encode(enc)
        except UnicodeEncodeError:
            continue
        if len(b) == 2 and (0xA1 <= b[0] <= 0xA3 or lo <= b[0] <= hi):
            good += 1
        if n >= limit:
            break
    return good / n if n else 1.0


def _few(numbers: list[int], k: int = 5) -> str:
    shown = ", ".join(str(n) for n in numbers[:k])
    return shown + (f" and {len(numbers) - k} more" if len(numbers) > k else "")


def columns_named(columns: Iterable[Any], names: Iterable[str]) -> list[Any]:
    """The columns whose name is one of ``names``, ignoring case and surrounding spaces, in the
    order of ``names`` (the detection rule for text, id, date and dimension columns).

    Examples
    --------
    >>> columns_named(["ID ", "Store", "text"], ["text", "store", "city"])
    ['text', 'Store']
    """
    lowered: dict[str, Any] = {}
    for c in columns:
        lowered.setdefault(str(c).strip().lower(), c)
    return [lowered[n.lower()] for n in dict.fromkeys(names) if n.lower() in lowered]


def find_text_column(columns: list[Any], text_col: str | None = None, *, source: str = "input") -> str:
    """Return the complaint-text column: ``text_col`` if given, else the first known name.

    Raises ``ColumnError`` listing the columns (and close matches) when none fits.
    """
    cols = [str(c) for c in columns]
    if text_col is not None:
        if text_col in cols:
            return text_col
        close = difflib.get_close_matches(text_col, cols, n=3, cutoff=0.4)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ColumnError(
            f"{source}: no column named {text_col!r}. Columns are: {_column_list(cols)}.{hint}"
        )
    found = columns_named(cols, TEXT_COLUMN_NAMES)
    if found:
        return found[0]
    raise ColumnError(
        f"{source}: cannot tell which column holds the complaint text. Columns are: "
        f"{_column_list(cols)}. Choose one with text_col='...' (CLI: --text-col NAME)."
    )


def _column_list(cols: list[str], k: int = 20, width: int = 40) -> str:
    """Column names for a message: at most ``k``, each cut to ``width`` characters (a damaged
    file's "header" can be megabytes)."""
    shown = [c if len(c) <= width else c[: width - 1] + "…" for c in cols[:k]]
    return ", ".join(shown) + (f" and {len(cols) - k} more" if len(cols) > k else "")


def resolve_text_column(df: pd.DataFrame, text_col: str | None = None, *, source: str = "input") -> str:
    """The text column of a frame, the same way in every entry point: ``text_col`` when given,
    else the one ``read_complaints`` recorded in ``df.attrs["text_col"]``, else the first known
    name (``TEXT_COLUMN_NAMES``).

    Examples
    --------
    >>> resolve_text_column(pd.DataFrame({"工单号": [1], "投诉内容": ["太慢了"]}))
    '投诉内容'
    """
    if text_col is None:
        recorded = df.attrs.get("text_col")
        if recorded is not None and recorded in df.columns:
            return recorded
    return find_text_column(list(df.columns), text_col, source=source)


def _find_id_column(columns: list[Any], id_col: str | None, source: str) -> str | None:
    cols = [str(c) for c in columns]
    if id_col is not None:
        if id_col in cols:
            return id_col
        raise ColumnError(f"{source}: no id column named {id_col!r}. Columns are: {', '.join(cols)}.")
    found = columns_named(cols, ID_COLUMN_NAMES)
    return found[0] if found else None


def _translate_parser_error(exc: Exception, p: Path, sep: str) -> MalformedInputError:
    msg = str(exc)
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
    if m:
        return MalformedInputError(
            f"{p}, line {m.group(2)}: expected {m.group(1)} fields but found {m.group(3)}. "
            f"Put quotes around text that contains {sep!r}, or fix that row."
        )
    m = re.search(r"EOF inside string starting (?:at|on) (?:row|line) (\d+)", msg)
    if m:
        return MalformedInputError(
            f"{p}, line {int(m.group(1)) + 1}: a quoted field opened here is never closed. "
            "Fix the unbalanced quote (\") in that row."
        )
    return MalformedInputError(f"{p}: cannot parse the file as {'TSV' if sep == chr(9) else 'CSV'} ({msg}).")


def _first_records(head: str, sep: str, n: int = 2) -> list[list[str]]:
    """The first ``n`` records of delimited text (quotes honoured); fewer if ``head`` ends first."""
    lines = head.splitlines(keepends=True)
    if len(lines) > 1 and not lines[-1].endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line may be cut in the middle
    out = []
    try:
        for rec in csv.reader(lines, delimiter=sep):
            out.append(rec)
            if len(out) >= n:
                break
    except csv.Error:
        pass
    return out


_NEWLINES = r"\r\n|\r|\n"


def _newlines_per_row(chunk: pd.DataFrame) -> Any:
    """Number of line breaks inside the cells of each row (numpy array)."""
    import numpy as np

    counts = np.zeros(len(chunk), dtype=np.int64)
    for col in chunk.columns:
        values = chunk[col]
        if pd.api.types.is_string_dtype(values.dtype) and values.str.contains("\n|\r", regex=True).any():
            counts += values.str.count(_NEWLINES).to_numpy(dtype=np.int64)
    return counts


def _shape(value: str) -> str:
    """Coarse shape of a short field: runs of digits -> 9, of letters -> a, of CJK -> 中."""
    out = []
    for ch in value.strip():
        k = "9" if ch.isdigit() else "a" if ch.isascii() and ch.isalpha() else "中" if "\u4e00" <= ch <= "\u9fff" \
            else ch
        if not out or out[-1] != k or k not in "9a中":
            out.append(k)
    return "".join(out)


def _check_merged_rows(chunk: pd.DataFrame, newlines: Any, first_line: int, p: Path, sep: str,
                       text_col: str | None, id_col: str | None) -> None:
    """Refuse rows that swallowed following rows through an unbalanced quote.

    pandas (like every CSV reader) reads ``2,"cold food`` ... ``4,ok"`` as ONE row whose text
    holds the lines in between, so rows vanish without an error. A cell with a line break
    whose continuation line parses into exactly one row's worth of fields that look like the
    other rows' (an id of the same shape not otherwise in the file, or dates / codes of the
    same shape) is taken for such a merge.
    """
    import numpy as np

    cols = [str(c) for c in chunk.columns]
    if len(cols) < 2 or not newlines.any():
        return
    try:
        text = find_text_column(cols, text_col)
    except ColumnError:
        text = None
    id_name = _find_id_column(cols, id_col, str(p)) if id_col is None or id_col in cols else None
    shapes: dict[int, set[str]] = {}
    for j, col in enumerate(cols):
        if col == text:
            continue
        found = {_shape(v) for v in chunk[col].head(5000) if isinstance(v, str) and "\n" not in v and "\r" not in v}
        if id_name == col or any("9" in s for s in found):  # structured columns only
            shapes[j] = found
    if not shapes:
        return
    ids = set(chunk[id_name].tolist()) if id_name is not None else set()
    id_pos = cols.index(id_name) if id_name is not None else None
    starts = first_line + np.arange(len(chunk)) + np.concatenate([[0], np.cumsum(newlines)[:-1]])
    for i in np.flatnonzero(newlines):
        offset = 0
        for col in cols:
            cell = chunk[col].iat[i]
            if not isinstance(cell, str) or ("\n" not in cell and "\r" not in cell):
                continue
            parts = re.split(_NEWLINES, cell)
            for k, part in enumerate(parts[1:], 1):
                try:
                    fields = next(csv.reader([part], delimiter=sep))
                except (csv.Error, StopIteration):
                    continue
                if len(fields) != len(cols):
                    continue
                if id_pos is not None and (fields[id_pos] in ids or not fields[id_pos].strip()):
                    continue  # an id that is in the file already: a numbered list, not a lost row
                if all(_shape(fields[j]) in found for j, found in shapes.items()):
                    start = int(starts[i])
                    raise MalformedInputError(
                        f"{p}, line {start}: a quote (\") opened in this row is closed only on line "
                        f"{start + offset + len(parts) - 1}, so the lines in between were read as text of this row "
                        f"(line {start + offset + k} looks like a row of its own: {mask_pii(part)[:60]!r}). "
                        f"Fix the unbalanced quote on line {start} and run again."
                    )
            offset += len(parts) - 1


def _size_text(n: int) -> str:
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GiB"
    return f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n:,} bytes"


def _inflate_limit(p: Path, ratio: int) -> int:
    """The most bytes a compressed input of ``p``'s size may inflate to (see ``MAX_INFLATE_RATIO``)."""
    return max(INFLATE_FLOOR, ratio * p.stat().st_size)


def _cell_limit_error(where: str, chars: int, column: Any, max_cell_chars: int) -> MalformedInputError:
    col = f" in column {column!r}" if column is not None else ""
    return MalformedInputError(
        f"{where}: a cell{col} has more than {max_cell_chars:,} characters ({chars:,}), the limit for one cell, "
        "so the file is refused (a damaged or hostile file?). If such long texts are real, raise the limit "
        "with max_cell_chars=... (CLI: --max-cell-chars N)."
    )


class _CheckedBytes(_io.RawIOBase):
    """The bytes of a text input as the parser reads them, checked on the way in.

    * at most ``max_bytes`` in all, after decompression (a .gz bomb is refused, not inflated);
    * no record (a line, or the lines of one quoted cell) longer than ``max_record_bytes``, so
      memory stays bounded before a parser buffers it;
    * stray NUL bytes are dropped and their lines remembered (``warn_nuls``);
    * delimited text (``sep`` given): a record with fewer fields than the header, or a bare CR
      inside an unquoted field (a parser ends the row there and invents a new one), is refused
      with its line number.

    The checks work on bytes, which is right for the encodings whose multi-byte characters never
    contain the bytes of ``"``, the separator, CR, LF or NUL (UTF-8, GB18030, Big5); input in
    other encodings (UTF-16) is only counted (``bytes_only``).
    """

    def __init__(self, raw: Any, p: Path, *, encoding: str, sep: str | None, max_bytes: int,
                 max_record_bytes: int | None, compressed: bool, bytes_only: bool) -> None:
        super().__init__()
        self.raw, self.p, self.encoding, self.compressed = raw, p, encoding, compressed
        self.sep = sep.encode() if sep else None
        self.max_bytes, self.max_record_bytes, self.bytes_only = max_bytes, max_record_bytes, bytes_only
        self.total = 0  # bytes read (inflated)
        self.longest = 0  # the longest record seen, in bytes
        self.carry = b""  # the last, unfinished line
        self.lineno = 0  # complete lines seen
        self.record: list[bytes] = []  # the lines of a record with a quoted cell still open
        self.record_line = self.record_bytes = 0
        self.ncols: int | None = None  # fields in the header
        self.nul_lines: list[int] = []
        self.cr_only = False  # lines end in CR alone (old Mac exports): no field checks

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.raw.close()
        super().close()

    def readinto(self, buf: Any) -> int:
        while True:
            try:
                block = self.raw.read(len(buf))
            except _READ_ERRORS as exc:
                if self.compressed:  # the damage may lie past the head that was checked
                    raise _damaged_gzip(self.p, exc) from None
                raise
            if not block:
                if not self.bytes_only and self.carry:
                    self._lines(b"\n")
                return 0
            self.total += len(block)
            if self.total > self.max_bytes:
                raise MalformedInputError(
                    f"{self.p} inflates to more than {_size_text(self.max_bytes)} when decompressed, over "
                    f"{self.total // max(1, self.p.stat().st_size):,} times its size, so it is refused (a "
                    "decompression bomb, or a damaged file?). If it is real, raise the limit with "
                    "max_inflate_ratio=... (CLI: --max-inflate-ratio N)."
                )
            if not self.bytes_only:
                if b"\x00" in block:
                    block = self._drop_nuls(block)
                self._lines(block)
            if block:
                buf[: len(block)] = block
                return len(block)

    def _drop_nuls(self, block: bytes) -> bytes:
        pos = block.find(b"\x00")
        while pos >= 0 and len(self.nul_lines) < 6:
            line = self.lineno + block.count(b"\n", 0, pos) + 1
            if not self.nul_lines or self.nul_lines[-1] != line:
                self.nul_lines.append(line)
            pos = block.find(b"\x00", pos + 1)
        return block.replace(b"\x00", b"")

    def warn_nuls(self) -> None:
        if self.nul_lines:
            lines = ", ".join(map(str, self.nul_lines[:5])) + (" ..." if len(self.nul_lines) > 5 else "")
            warnings.warn(f"{self.p}: NUL bytes on line(s) {lines} were removed; the rows are kept.",
                          InputWarning, stacklevel=2)

    def _lines(self, block: bytes) -> None:
        data = self.carry + block
        end = data.rfind(b"\n") + 1
        if self.lineno == 0 and end == 0 and b"\r" in data:
            self.cr_only = True
        if self.cr_only:
            self.carry = b""
            return
        self.carry = data[end:]
        if self.max_record_bytes is not None and len(self.carry) + self.record_bytes > self.max_record_bytes:
            self._too_long(self.record_line if self.record else self.lineno + 1)
        if not end:
            return
        lines = data[: end - 1].split(b"\n")
        self.longest = max(self.longest, max(map(len, lines)))
        if self.sep is None:  # JSON Lines: only the length matters
            if self.max_record_bytes is not None and self.longest > self.max_record_bytes:
                self._too_long(self.lineno + 1 + next(i for i, x in enumerate(lines) if len(x) > self.max_record_bytes))
            self.lineno += len(lines)
            return
        i = 0
        while i < len(lines):
            if not self.record and self.ncols is not None:
                i = self._whole_records(lines, i)  # the common case, in bulk
                if i == len(lines):
                    break
            self.lineno += 1
            self._line(lines[i])
            i += 1

    def _whole_records(self, lines: list[bytes], start: int) -> int:
        """Check ``lines[start:]`` up to the first that opens a quoted cell it does not close (an odd
        number of quotes); returns that line's index. Fields are the separators outside quotes plus
        one; a CR outside quotes may only end the line."""
        quotes = []
        for line in itertools.islice(lines, start, None):
            q = line.count(b'"')
            if q & 1:
                break
            quotes.append(q)
        stop = len(quotes)
        lines = lines[start:start + stop]
        first = self.lineno + 1
        self.lineno += len(lines)
        if self.max_record_bytes is not None and lines and max(map(len, lines)) > self.max_record_bytes:
            self._too_long(first + next(i for i, x in enumerate(lines) if len(x) > self.max_record_bytes))
        if any(quotes):
            lines = [_QUOTED.sub(b"", line) if q else line for line, q in zip(lines, quotes)]
        need = (self.ncols or 0) - 1
        counts = [line.count(self.sep) for line in lines]
        if counts and min(counts) < need:
            for i, (n, line) in enumerate(zip(counts, lines)):
                if n < need and line.strip():
                    self._short(first + i, n + 1)
        if any(b"\r" in line[:-1] for line in lines):
            self._bare_cr(first + next(i for i, x in enumerate(lines) if b"\r" in x[:-1]))
        return start + stop

    def _line(self, line: bytes) -> None:
        """One line, read record by record (the header, lines with quotes, a quoted cell's lines)."""
        if not self.record:
            if b'"' not in line:
                body = line[:-1] if line.endswith(b"\r") else line
                if b"\r" in body:
                    self._bare_cr(self.lineno)
                self._fields(body.count(self.sep) + 1, body, self.lineno)
                return
            self.record_line = self.lineno
        self.record.append(line)
        self.record_bytes += len(line) + 1
        if self.max_record_bytes is not None and self.record_bytes > self.max_record_bytes:
            self._too_long(self.record_line)
        if len(self.record) > 1 and b'"' not in line:
            return  # still inside the quoted cell: only a quote can close it
        text = b"\n".join(self.record)
        text = text[:-1] if text.endswith(b"\r") else text
        # csv refuses a CR anywhere in a line it is given, even quoted: hide them (NULs are gone)
        decoded = text.decode(self.encoding, errors="replace").replace("\r", "\0")
        sep = self.sep.decode()
        try:
            fields = next(csv.reader([decoded], delimiter=sep, strict=True), [])
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                return  # the quoted cell goes on on the next line
            fields = next(csv.reader([decoded], delimiter=sep), [])
        if b"\r" in text and not text.count(b'"') & 1 and b"\r" in _QUOTED.sub(b"", text):
            self._bare_cr(self.record_line)
        self.longest = max(self.longest, self.record_bytes)
        self.record, self.record_bytes = [], 0
        self._fields(len(fields), text, self.record_line)

    def _fields(self, n: int, body: bytes, line: int) -> None:
        if self.ncols is None:
            self.ncols = n
        elif n < self.ncols and body.strip():  # a blank line stays an empty row
            self._short(line, n)

    def _short(self, line: int, n: int) -> None:
        raise MalformedInputError(
            f"{self.p}, line {line}: expected {self.ncols} fields (as in the header) but found {n}. A row with "
            "fields missing is often the first half of a row broken by a line break (the rest follows on the "
            "next line): join that row, or add the missing separators so every row has all the fields."
        )

    def _bare_cr(self, line: int) -> None:
        raise MalformedInputError(
            f"{self.p}, line {line}: a carriage return (CR, \\r) inside an unquoted field; readers end the row "
            "there and read the rest as a new row. Put quotes around that text, or replace the CR with a space."
        )

    def _too_long(self, line: int) -> None:
        raise MalformedInputError(
            f"{self.p}, line {line}: a row longer than {_size_text(self.max_record_bytes or 0)}, more than the "
            "cells of one row may hold (see max_cell_chars), so the file is refused (a damaged or hostile "
            "file?). If such long texts are real, raise the limit with max_cell_chars=... "
            "(CLI: --max-cell-chars N)."
        )


_QUOTED = re.compile(rb'"[^"]*"')  # a quoted stretch ("" inside it: two stretches, the same fields)

#: encodings whose multi-byte characters never hold the bytes of ASCII punctuation, CR, LF or NUL
_BYTE_SAFE = re.compile(r"(utf-?8(-sig)?|gb18030|gbk|gb2312|cp936|cp950|big5|ascii|latin-?1|cp1252)", re.I)


def _checked_bytes(p: Path, compression: str | None, encoding: str, sep: str | None, *, max_cell_chars: int,
                   max_inflate_ratio: int, whole_document: bool = False) -> _CheckedBytes:
    """``p``'s bytes through ``_CheckedBytes``, buffered for a parser."""
    max_bytes = _inflate_limit(p, max_inflate_ratio) if compression else 1 << 62
    # a row may hold several long cells; 4 bytes per character is the most any encoding needs
    max_record = None if whole_document else 8 * max_cell_chars + (1 << 20)
    return _CheckedBytes(_open_bytes(p, compression), p, encoding=encoding, sep=sep, max_bytes=max_bytes,
                         max_record_bytes=max_record, compressed=compression is not None,
                         bytes_only=not _BYTE_SAFE.fullmatch(encoding.replace("_", "-")))


def _check_cells(chunk: pd.DataFrame, where: str, max_cell_chars: int, first_row: int) -> None:
    """Refuse a text cell longer than ``max_cell_chars`` (``first_row``: the chunk's first data row)."""
    for col in chunk.columns:
        values = chunk[col]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        lengths = values.map(lambda v: len(v) if isinstance(v, str) else 0, na_action="ignore")
        lengths = lengths.fillna(0).to_numpy()
        if len(lengths) and lengths.max() > max_cell_chars:
            i = int(np.argmax(lengths > max_cell_chars))
            raise _cell_limit_error(f"{where}, data row {first_row + i}", int(lengths[i]), col, max_cell_chars)


def _delimited_chunks(p: Path, fmt: str, compression: str | None, encoding: str | None,
                      chunksize: int, text_col: str | None = None, id_col: str | None = None, *,
                      max_cell_chars: int = MAX_CELL_CHARS,
                      max_inflate_ratio: int = MAX_INFLATE_RATIO) -> Iterator[pd.DataFrame]:
    if p.stat().st_size == 0:
        raise EmptyInputError(f"{p} is empty (0 bytes). Export the complaints again.")
    enc = encoding or detect_encoding(p)
    sep = "\t" if fmt == "tsv" else ","
    head = _read_head(p, compression, 1 << 20).decode(enc, errors="replace")
    if fmt == "csv" and p.suffix.lower() == ".txt":
        try:
            sep = csv.Sniffer().sniff(head[:65536], delimiters=",\t;|").delimiter
        except csv.Error:
            sep = ","
    # pandas silently turns the first columns into an index when the first data row has more
    # fields than the header (ids lost, columns shifted); refuse that, but accept the common
    # "trailing separator on every data row" export quirk when the extra field is empty
    names = None
    records = _first_records(head, sep)
    if len(records) == 2 and len(records[1]) > len(records[0]):
        header, first = records
        extra = first[len(header):]
        if len(extra) > 1 or extra[0].strip():
            raise MalformedInputError(
                f"{p}, line 2: expected {len(header)} fields (as in the header) but found {len(first)}. "
                f"Put quotes around text that contains {sep!r}, or fix that row."
            )
        names = [*header, "\0extra"]
    header_lines = 1 + sum(len(re.findall(_NEWLINES, h)) for h in (records[0] if records else []))
    checked = _checked_bytes(p, compression, enc, sep, max_cell_chars=max_cell_chars,
                             max_inflate_ratio=max_inflate_ratio)
    try:
        reader = pd.read_csv(
            _io.BufferedReader(checked, 1 << 20), sep=sep, encoding=enc, dtype=str, keep_default_na=False,
            na_filter=False, chunksize=chunksize, skip_blank_lines=False, index_col=False,
            **({"names": names, "header": 0} if names else {}),
        )
        yielded = False
        line = header_lines + 1
        rows = 0
        chunks = iter(reader)
        while True:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)  # "loss of data" must not pass
                chunk = next(chunks, None)
            if chunk is None:
                break
            yielded = True
            if names:
                bad = chunk["\0extra"].str.strip() != ""
                if bad.any():
                    i = int(bad.to_numpy().nonzero()[0][0])
                    nl = _newlines_per_row(chunk.iloc[:i])
                    raise MalformedInputError(
                        f"{p}, line {line + i + int(nl.sum())}: expected {len(names) - 1} fields (as in the "
                        f"header) but found more. Put quotes around text that contains {sep!r}, or fix that row."
                    )
                chunk = chunk.drop(columns="\0extra")
            newlines = _newlines_per_row(chunk)
            _check_merged_rows(chunk, newlines, line, p, sep, text_col, id_col)
            if checked.longest > max_cell_chars:  # a row of fewer bytes cannot hold a longer cell
                _check_cells(chunk, str(p), max_cell_chars, rows + 1)
            line += len(chunk) + int(newlines.sum())
            rows += len(chunk)
            yield chunk
        if not yielded:
            raise pd.errors.EmptyDataError
        checked.warn_nuls()
    except pd.errors.EmptyDataError:
        raise EmptyInputError(f"{p} has no header and no rows. Export the complaints again.") from None
    except pd.errors.ParserError as exc:
        raise _translate_parser_error(exc, p, sep) from None
    except pd.errors.ParserWarning as exc:
        raise MalformedInputError(f"{p}: rows have more fields than the header ({exc}). Fix those rows.") from None
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"{p}: bytes that are not {enc} appear after the first {_SNIFF_BYTES >> 20} MB "
            f"({exc.reason}). The file mixes encodings; re-save it in one encoding (UTF-8)."
        ) from None
    except _READ_ERRORS as exc:
        if compression == "gzip":
            raise _damaged_gzip(p, exc) from None
        raise
    finally:
        checked.close()


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _no_lone_surrogates(value: Any) -> Any:
    """JSON may escape lone UTF-16 surrogates (``"\\ud800"``), which no UTF-8 file or pandas
    string column can hold: keep them visible as the text ``\\ud800``."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_no_lone_surrogates(k): _no_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_lone_surrogates(v) for v in value]
    return value


def _json_chunks(p: Path, fmt: str, compression: str | None, encoding: str | None, chunksize: int, *,
                 max_cell_chars: int = MAX_CELL_CHARS,
                 max_inflate_ratio: int = MAX_INFLATE_RATIO) -> Iterator[pd.DataFrame]:
    if p.stat().st_size == 0:
        raise EmptyInputError(f"{p} is empty (0 bytes). Export the complaints again.")
    enc = encoding or detect_encoding(p)
    checked = _checked_bytes(p, compression, enc, None, max_cell_chars=max_cell_chars,
                             max_inflate_ratio=max_inflate_ratio, whole_document=fmt == "json")
    with _io.BufferedReader(checked, 1 << 20) as raw:
        fh = _io.TextIOWrapper(raw, encoding=enc, errors="strict")
        if fmt == "json":
            try:
                raw_text = fh.read()
                records = json.loads(raw_text, strict=False)  # control characters in a cell are kept
                if _SURROGATE_ESCAPE.search(raw_text):
                    records = _no_lone_surrogates(records)
            except json.JSONDecodeError as exc:
                raise MalformedInputError(
                    f"{p}, line {exc.lineno}: not valid JSON ({exc.msg}). Fix the file, or export JSON Lines."
                ) from None
            if isinstance(records, dict):
                records = next((v for v in records.values() if isinstance(v, list)), [records])
            if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                raise MalformedInputError(f"{p}: expected a list of objects (one per complaint).")
            checked.warn_nuls()
            for start in range(0, len(records), chunksize):
                yield pd.DataFrame.from_records(records[start:start + chunksize])
            return
        batch: list[dict[str, Any]] = []
        try:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line, strict=False)
                except json.JSONDecodeError as exc:
                    raise MalformedInputError(
                        f"{p}, line {lineno}: not valid JSON ({exc.msg}). Fix or remove that line."
                    ) from None
                if not isinstance(rec, dict):
                    raise MalformedInputError(
                        f"{p}, line {lineno}: expected a JSON object per line, got {type(rec).__name__}."
                    )
                if "\\u" in line and _SURROGATE_ESCAPE.search(line):
                    rec = _no_lone_surrogates(rec)
                batch.append(rec)
                if len(batch) >= chunksize:
                    yield pd.DataFrame.from_records(batch)
                    batch = []
        except UnicodeDecodeError as exc:
            raise EncodingError(
                f"{p}: bytes that are not {enc} appear after the first {_SNIFF_BYTES >> 20} MB "
                f"({exc.reason}). Re-save the file in one encoding (UTF-8)."
            ) from None
        if batch:
            yield pd.DataFrame.from_records(batch)
        checked.warn_nuls()


def _excel_chunks(p: Path, sheet: str | int | None, chunksize: int, *,
                  max_inflate_ratio: int = MAX_INFLATE_RATIO) -> Iterator[pd.DataFrame]:
    import zipfile

    if zipfile.is_zipfile(p):  # .xlsx: its parts inflate to their declared sizes at most
        try:
            with zipfile.ZipFile(p) as zf:
                inflated = sum(info.file_size for info in zf.infolist())
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
            inflated = 0  # opening it below says what is wrong
        if inflated > _inflate_limit(p, max_inflate_ratio):
            raise MalformedInputError(
                f"{p}: the workbook inflates to {_size_text(inflated)}, {inflated // max(1, p.stat().st_size):,} "
                "times its size, so it is refused (a decompression bomb, or a damaged file?). If it is real, "
                "raise the limit with max_inflate_ratio=... (CLI: --max-inflate-ratio N), or export CSV."
            )
    try:
        book = pd.ExcelFile(p)
    except Exception as exc:  # openpyxl / xlrd raise many kinds
        raise MalformedInputError(
            f"{p}: cannot open as an Excel workbook ({exc}). Open it in Excel and save it again as .xlsx, "
            "or export CSV."
        ) from None
    names = book.sheet_names
    if sheet is None:
        if len(names) > 1:
            raise SheetError(
                f"{p} has {len(names)} sheets ({', '.join(map(str, names))}). Choose one with "
                f"sheet='{names[0]}' (CLI: --sheet NAME)."
            )
        sheet = names[0]
    if isinstance(sheet, str) and sheet not in names:
        raise SheetError(f"{p}: no sheet named {sheet!r}. Sheets are: {', '.join(map(str, names))}.")
    try:
        frame = pd.read_excel(book, sheet_name=sheet, dtype=str, keep_default_na=False, na_filter=False)
    except MemoryError:
        raise
    except Exception as exc:  # a damaged sheet inside a readable workbook: openpyxl raises many kinds
        detail = mask_pii(" ".join(str(exc).split())[:200])
        raise MalformedInputError(
            f"{p}: cannot read sheet {sheet!r} ({type(exc).__name__}: {detail}). Open the workbook in Excel and "
            "save it again as .xlsx, or export CSV.") from None
    for start in range(0, max(len(frame), 1), chunksize):
        yield frame.iloc[start:start + chunksize]


def _parquet_chunks(p: Path, chunksize: int, *, max_inflate_ratio: int = MAX_INFLATE_RATIO) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(p)
    except Exception as exc:
        raise MalformedInputError(f"{p}: not a readable Parquet file ({exc}). Export or copy it again.") from None
    meta = pf.metadata
    biggest = max((meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)), default=0)
    if biggest > _inflate_limit(p, max_inflate_ratio):  # a row group is read whole
        raise MalformedInputError(
            f"{p}: a row group inflates to {_size_text(biggest)}, {biggest // max(1, p.stat().st_size):,} times the "
            "file's size, so it is refused (a decompression bomb, or a damaged file?). If it is real, raise the "
            "limit with max_inflate_ratio=... (CLI: --max-inflate-ratio N)."
        )
    if pf.metadata.num_rows == 0:
        yield pf.schema_arrow.empty_table().to_pandas()
        return
    import pyarrow as pa

    batches = pf.iter_batches(batch_size=chunksize)
    rows = 0
    while True:
        try:  # a damaged page (bad compression, invalid UTF-8) shows only when its row group is read
            batch = next(batches, None)
            if batch is None:
                return
            batch.validate(full=True)  # text that is not UTF-8 would fail later, inside pandas
            chunk = batch.to_pandas()
        except (OSError, ValueError, pa.ArrowException) as exc:  # ValueError: damaged pandas metadata (JSON)
            detail = mask_pii(" ".join(str(exc).split())[:200])
            last = min(rows + chunksize, meta.num_rows)
            raise MalformedInputError(f"{p}: damaged data in data rows {rows + 1} to {last} ({detail}). Export or "
                                      "copy the file again.") from None
        rows += len(chunk)
        yield chunk


def _named_columns(chunk: pd.DataFrame, p: Path) -> pd.DataFrame:
    """``chunk`` with its column names as text (an Excel header of numbers gives ints, which
    ``--text-col 1`` could never name); a name that occurs twice is refused (Parquet allows it)."""
    names = [str(c) for c in chunk.columns]
    twice = sorted(n for n, k in Counter(names).items() if k > 1)
    if twice:
        raise MalformedInputError(f"{p}: column(s) {', '.join(map(repr, twice))} occur more than once. Rename them "
                                  "in the export so that every column has its own name.")
    if any(not isinstance(c, str) for c in chunk.columns):
        chunk = chunk.set_axis(names, axis=1)
    return chunk


def _like_first(chunk: pd.DataFrame, columns: list[str], p: Path, offset: int) -> pd.DataFrame:
    """``chunk`` with the first chunk's columns, in their order: keys may come in another order or be
    absent (JSON Lines: empty values), but a column the first rows lacked is refused, never shifted."""
    if list(chunk.columns) == columns:
        return chunk
    new = [c for c in chunk.columns if c not in set(columns)]
    if new:
        row = offset + 1 + int(np.argmax(chunk[new].notna().any(axis=1).to_numpy()))
        raise MalformedInputError(
            f"{p}: data row {row} has field(s) {', '.join(map(repr, new[:5]))} that the {offset} rows read before "
            "it do not have, so the rows cannot share one header. Give every row the same fields (an empty value "
            "where there is none), or read more rows at a time (chunksize=..., CLI: --chunksize).")
    return chunk.reindex(columns=columns)


def _masked(value: Any) -> Any:
    """An id as a message may quote it: a phone or ID number used as the id is masked."""
    return mask_pii(value) if isinstance(value, str) else value


def _blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, float) and value != value)


def _blanks(ids: pd.Series) -> np.ndarray:
    if pd.api.types.is_string_dtype(ids.dtype) and ids.dtype != object:
        return (ids.isna() | (ids.str.strip() == "")).to_numpy(dtype=bool)
    return ids.map(_blank).to_numpy(dtype=bool)


def _id_text(value: Any) -> str:
    """An id as the duplicate check compares it: its text, a whole number as an integer (an
    integer column turns into floats in a chunk with a missing id: 3 and 3.0 are one id)."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _SeenIds:
    """The ids of the chunks read so far, for the duplicate check, in 16 bytes per id.

    Each id is kept as two independent 64-bit hashes of its ``_id_text`` (a Python set of
    the id strings takes about 90 bytes per id), in runs sorted by the first hash that merge
    as they grow, as in a log-structured merge tree; a lookup is a binary search per run.
    Two different ids would have to agree on all 128 bits to be taken for one another. While
    two runs merge, the largest run exists about twice over for a moment.
    """

    _KEYS = ("complaintmine-k1", "complaintmine-k2")  # 16 bytes each, as hash_array needs

    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []

    @classmethod
    def hashes(cls, ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """The two hashes of the ``_id_text`` of each id (no missing ids)."""
        values = ids.to_numpy(dtype=object)
        if not (pd.api.types.is_string_dtype(ids.dtype) and all(type(v) is str for v in values)):
            values = np.array([_id_text(v) for v in values], dtype=object)
        return tuple(pd.util.hash_array(values, hash_key=key, categorize=False)  # type: ignore[return-value]
                     for key in cls._KEYS)

    def contains(self, h1: np.ndarray, h2: np.ndarray) -> np.ndarray:
        """True for each id (given by its two hashes) that was added before."""
        order = np.argsort(h1)  # sorted queries make the binary searches cache-friendly
        q1, q2 = h1[order], h2[order]
        found = np.zeros(len(h1), dtype=bool)
        for r1, r2 in self.runs:  # never empty
            at = np.minimum(np.searchsorted(r1, q1), len(r1) - 1)
            same = r1[at] == q1
            hit = same & (r2[at] == q2)
            # a first hash shared by several ids of the run: compare the second with each of them
            after = np.minimum(at + 1, len(r1) - 1)
            for i in np.flatnonzero(same & ~hit & (after > at) & (r1[after] == q1)).tolist():
                end = np.searchsorted(r1, q1[i], "right")
                hit[i] = bool((r2[at[i]:end] == q2[i]).any())
            found[order[hit]] = True
        return found

    def add(self, h1: np.ndarray, h2: np.ndarray) -> None:
        if not len(h1):
            return
        run = (h1, h2)
        while self.runs and len(self.runs[-1][0]) <= len(run[0]):
            last = self.runs.pop()
            run = (np.concatenate([last[0], run[0]]), np.concatenate([last[1], run[1]]))
            del last
        order = np.argsort(run[0], kind="stable")  # timsort: merging two sorted runs is linear
        self.runs.append((run[0][order], run[1][order]))


#: text files up to this size are counted for the progress bar's total (about a second's
#: reading on a laptop disk); larger ones go without a total
COUNT_ROWS_MAX_BYTES = 1 << 30


def count_rows(path: str | os.PathLike[str], *, max_bytes: int = COUNT_ROWS_MAX_BYTES) -> int | None:
    """A cheap count of the data rows of an export, for progress totals; None when it is not cheap.

    Parquet: the row count in the file's metadata (exact). Uncompressed CSV, TSV and JSON
    Lines up to ``max_bytes``: the line breaks (a quoted text with line breaks in it counts
    more than once, so this can exceed the real count). Others (Excel, JSON, gzip, UTF-16
    text, larger files): None. Never raises for a bad file: reading it says what is wrong.

    Examples
    --------
    >>> count_rows("data/demo/complaints_demo.csv")  # doctest: +SKIP
    6000
    """
    try:
        p = Path(path)
        fmt, compression = _format_of(p)
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(p).metadata.num_rows)
        if compression or fmt not in ("csv", "tsv", "jsonl") or p.stat().st_size > max_bytes:
            return None
        lines, last = 0, b"\n"
        with open(p, "rb") as fh:
            head = fh.read(4096)
            if b"\x00" in head:  # UTF-16 (or binary): a newline byte is not a line break there
                return None
            block = head
            while block:
                lines += block.count(b"\n")
                last = block[-1:]
                block = fh.read(1 << 20)
        lines += last != b"\n"  # a last line without a line break
        return max(0, lines - 1) if fmt != "jsonl" else lines
    except Exception:  # whatever is wrong with the file, reading it reports it properly
        return None


def iter_complaints(
    path: str | os.PathLike[str],
    *,
    text_col: str | None = None,
    id_col: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    chunksize: int = 50_000,
    check_unique_ids: bool = True,
    max_cell_chars: int = MAX_CELL_CHARS,
    max_inflate_ratio: int = MAX_INFLATE_RATIO,
) -> Iterator[pd.DataFrame]:
    """Stream a complaint export in chunks of ``chunksize`` rows (same rules as ``read_complaints``).

    Every chunk carries ``attrs`` ``text_col``, ``id_col``, ``source``; rows are numbered
    across chunks when the file has no id column. With ``check_unique_ids`` (the default) a
    repeated id raises ``DuplicateIdError``; the check keeps 16 bytes per id in memory.
    ``max_cell_chars`` and ``max_inflate_ratio`` as in ``read_complaints``.

    Examples
    --------
    >>> for chunk in iter_complaints("big_export.csv", chunksize=100_000):  # doctest: +SKIP
    ...     process(chunk)
    """
    for name, value in (("chunksize", chunksize), ("max_cell_chars", max_cell_chars),
                        ("max_inflate_ratio", max_inflate_ratio)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    p = _check_path(path)
    fmt, compression = _format_of(p)
    limits = {"max_inflate_ratio": max_inflate_ratio}
    if fmt in ("csv", "tsv"):
        chunks = _delimited_chunks(p, fmt, compression, encoding, chunksize, text_col, id_col,
                                   max_cell_chars=max_cell_chars, **limits)
    elif fmt in ("jsonl", "json"):
        chunks = _json_chunks(p, fmt, compression, encoding, chunksize, max_cell_chars=max_cell_chars, **limits)
    elif fmt == "excel":
        chunks = _excel_chunks(p, sheet, chunksize, **limits)
    else:
        chunks = _parquet_chunks(p, chunksize, **limits)
    check_cells = fmt not in ("csv", "tsv")  # delimited rows are measured as they are parsed
    source = str(p)
    resolved_text = resolved_id = None
    seen = _SeenIds()
    offset = 0
    any_rows = False
    columns: list[str] = []
    for chunk in chunks:
        if resolved_text is None:
            if len(chunk.columns) == 0:
                raise EmptyInputError(f"{p} has no columns. Export the complaints again with a header row.")
            chunk = _named_columns(chunk, p)
            columns = list(chunk.columns)
            resolved_text = find_text_column(columns, text_col, source=source)
            resolved_id = _find_id_column(columns, id_col, source)
        else:
            chunk = _like_first(_named_columns(chunk, p), columns, p, offset)
        if len(chunk) == 0:
            continue
        if check_cells:
            _check_cells(chunk, str(p), max_cell_chars, offset + 1)
        any_rows = True
        chunk = chunk.reset_index(drop=True)
        if resolved_id is None:
            chunk.insert(0, "id", range(offset + 1, offset + len(chunk) + 1))
        elif check_unique_ids:
            ids = chunk[resolved_id]
            blank = _blanks(ids)
            present = ids[~blank]  # a missing id is not a duplicate (blank lines, gaps)
            hashes = _SeenIds.hashes(present)
            dup_local = present[pd.DataFrame({"h1": hashes[0], "h2": hashes[1]}).duplicated().to_numpy()]
            clash = present[seen.contains(*hashes)]
            if len(dup_local) or len(clash):
                first = clash.iloc[0] if len(clash) else dup_local.iloc[0]
                same = (ids.map(_id_text) == _id_text(first)).to_numpy(dtype=bool) & ~blank
                rows = [offset + i + 2 for i in same.nonzero()[0]]
                raise DuplicateIdError(
                    f"{p}: id {_masked(first)!r} in column {resolved_id!r} occurs more than once (e.g. data row(s) "
                    f"{_few(rows)}). Ids must be unique: fix the export, choose another column with "
                    "id_col=... (CLI: --id-col), drop the column so rows are numbered, or, if repeated ids "
                    "are expected, turn the check off (check_unique_ids=False; `classify` and `tokenize`: "
                    "--allow-duplicate-ids)."
                )
            seen.add(*hashes)
        chunk.attrs.update(text_col=resolved_text, id_col=resolved_id or "id", source=source)
        offset += len(chunk)
        yield chunk
    if not any_rows:
        cols = ", ".join(map(str, chunk.columns)) if resolved_text is not None else ""
        raise EmptyInputError(f"{p} has a header ({cols}) but no rows. Export the complaints again.")


def read_complaints(
    path: str | os.PathLike[str],
    *,
    text_col: str | None = None,
    id_col: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    check_unique_ids: bool = True,
    max_cell_chars: int = MAX_CELL_CHARS,
    max_inflate_ratio: int = MAX_INFLATE_RATIO,
) -> pd.DataFrame:
    """Read a complaint export into a DataFrame, keeping every row in order.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``, ``.tsv``, ``.txt``, ``.xlsx``, ``.jsonl``, ``.json`` or ``.parquet`` file
        (text formats may be gzipped). Encoding (UTF-8, UTF-8 with BOM, GBK / GB18030) is
        detected.
    text_col : str, optional
        Column holding the complaint text. By default the first of ``TEXT_COLUMN_NAMES``
        present (投诉内容, 内容, 问题描述, 详情, review, text, content ...).
    id_col : str, optional
        Column holding a unique row id. By default the first of ``ID_COLUMN_NAMES`` present;
        when there is none, a column ``id`` numbering the rows from 1 is added.
    sheet : str or int, optional
        Excel sheet to read; required when the workbook has several.
    encoding : str, optional
        Override the detected encoding.
    check_unique_ids : bool, default True
        Raise ``DuplicateIdError`` when the id column repeats an id (ids compared as text,
        3 and 3.0 as one); False reads repeated ids as they are.
    max_cell_chars : int, default ``MAX_CELL_CHARS`` (1,000,000)
        A longer cell is refused with ``MalformedInputError`` naming its row and column; in a
        text file a row of more than eight bytes per allowed character is refused as it is read,
        before it fills memory.
    max_inflate_ratio : int, default ``MAX_INFLATE_RATIO`` (200)
        A compressed input (.gz, the parts of an .xlsx, a Parquet row group) that inflates to
        more than this many times its size on disk, and to more than 64 MiB, is refused
        (decompression bombs); reading stops there, so memory stays bounded.

    Returns
    -------
    pandas.DataFrame
        All columns as in the file (cells of delimited files as strings, so ids keep leading
        zeros). ``df.attrs`` holds ``text_col``, ``id_col`` and ``source``.

    Raises
    ------
    complaintmine.errors.ComplaintmineError
        With a message that names the file, line or column and says what to do.

    Examples
    --------
    >>> from complaintmine import read_complaints
    >>> df = read_complaints("data/demo/complaints_demo.csv")  # doctest: +SKIP
    >>> df.attrs["text_col"]  # doctest: +SKIP
    'text'
    """
    chunks = list(
        iter_complaints(path, text_col=text_col, id_col=id_col, sheet=sheet, encoding=encoding,
                        chunksize=1_000_000, check_unique_ids=check_unique_ids,
                        max_cell_chars=max_cell_chars, max_inflate_ratio=max_inflate_ratio)
    )
    frame = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)
    frame.attrs.update(chunks[0].attrs)
    return frame
