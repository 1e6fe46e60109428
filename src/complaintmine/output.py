"""Writing results safely: atomic, streaming table writers for CSV, TSV, JSONL, Parquet, Excel.

Output goes to a temporary file beside the target and is renamed over it only when the
whole job has finished, so an interrupted run (Ctrl-C, SIGTERM, a crash) never leaves a
truncated file that looks complete.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd

from .atomic import commit, discard, new_temp
from .errors import OutputError

__all__ = ["TableWriter", "write_table", "check_output_path", "check_writable_path", "defuse_formula",
           "recover_formula_text"]

#: what makes Excel / LibreOffice read a cell as a formula (OWASP "CSV injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_START) | {"'"}
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def defuse_formula(text: str) -> str:
    """``text`` made safe for a CSV / TSV cell: a single quote before a text that a spreadsheet
    would read as a formula (one starting with ``=``, ``+``, ``-``, ``@``, tab or CR), so Excel
    and LibreOffice show it as text. Plain numbers (``-12.5``) are left alone: they are numbers,
    not formulas. A text that already starts with quotes before such a character gets one more,
    so that ``recover_formula_text`` gives back exactly what was written.

    Examples
    --------
    >>> defuse_formula("=HYPERLINK(\"http://x\")"), defuse_formula("-12.5"), defuse_formula("送餐太慢")
    ('\'=HYPERLINK("http://x")', '-12.5', '送餐太慢')
    """
    if text[:1] not in _FORMULA_FIRST:
        return text
    if text[0] == "'":
        return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text
    return text if _PLAIN_NUMBER.fullmatch(text) else "'" + text


def recover_formula_text(text: str) -> str:
    """The text ``defuse_formula`` was given: one leading quote removed when what follows the
    quotes starts with ``=``, ``+``, ``-``, ``@``, tab or CR.

    Examples
    --------
    >>> recover_formula_text("'=1+1"), recover_formula_text("''-x"), recover_formula_text("'好'")
    ('=1+1', "'-x", "'好'")
    """
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text

_OUT_FORMATS = {
    ".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel",
}  # fmt: skip


def check_output_path(path: str | os.PathLike[str], *, inputs: tuple[str | os.PathLike[str], ...] = ()) -> Path:
    """Validate an output path before any work starts; return it as a ``Path``.

    Raises ``OutputError`` when the format is unknown, the folder does not exist or is not
    writable, the path is a folder, or it is one of ``inputs``.
    """
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{p} is a folder; give a file name, e.g. {p / ('classified' + '.csv')}.")
    fmt = _OUT_FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise OutputError(
            f"{p}: unknown output type {p.suffix or '(no extension)'!r}. "
            "Use .csv, .tsv, .jsonl, .parquet or .xlsx."
        )
    return check_writable_path(p, inputs=inputs)


def check_writable_path(path: str | os.PathLike[str], *, inputs: tuple[str | os.PathLike[str], ...] = (),
                        example: str = "model.cmm") -> Path:
    """Validate a path any file (a table, a model) is to be written to; return it as a ``Path``.

    Raises ``OutputError`` when the path is a folder, one of ``inputs``, below a file, in a
    folder that does not exist or that cannot be written to (tried, not only asked).

    Examples
    --------
    >>> check_writable_path("/proc/model.cmm")  # doctest: +SKIP
    Traceback (most recent call last):
    complaintmine.errors.OutputError: /proc/model.cmm: cannot create files in /proc ...
    """
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{p} is a folder; give a file name, e.g. {p / example}.")
    for src in inputs:
        if Path(src).exists() and p.exists() and os.path.samefile(src, p) or (
            Path(src).resolve() == p.resolve()
        ):
            raise OutputError(f"{p} is also the input file; choose another output path so the input is kept.")
    folder = p.parent if str(p.parent) else Path(".")
    for up in (folder, *folder.parents):  # a file where a folder should be
        if up.exists():
            if not up.is_dir():
                raise OutputError(f"{p}: {up} is a file, not a folder; choose another output path.")
            break
    if not folder.is_dir():
        raise OutputError(f"{p}: folder {folder} does not exist; create it first (mkdir -p {folder}).")
    if not os.access(folder, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise OutputError(f"{p}: permission denied; choose a folder you can write to.")
    # os.access does not see every refusal (root, read-only or virtual file systems): try it
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise OutputError(
            f"{p}: cannot create files in {folder} ({err.strerror or err}); choose a folder you can write to."
        ) from None
    return p


class TableWriter:
    """Stream DataFrame chunks to ``path`` atomically (use as a context manager).

    The file appears at ``path`` only when the ``with`` block ends without an exception;
    otherwise the temporary file is removed and any existing file at ``path`` is untouched.
    Excel output is buffered and written at the end.

    Examples
    --------
    >>> with TableWriter("out.csv") as w:  # doctest: +SKIP
    ...     for chunk in chunks:
    ...         w.write(chunk)
    """

    def __init__(self, path: str | os.PathLike[str], *, inputs: tuple[str | os.PathLike[str], ...] = ()) -> None:
        self.path = check_output_path(path, inputs=inputs)
        self.format = _OUT_FORMATS[self.path.suffix.lower()]
        self.rows = 0
        self._tmp: str | None = None
        self._fh: Any = None
        self._parquet: Any = None
        self._excel: list[pd.DataFrame] = []
        self._columns: list[str] | None = None

    def __enter__(self) -> TableWriter:
        try:
            self._tmp = new_temp(self.path)
            if self.format in ("csv", "tsv", "jsonl"):
                self._fh = open(self._tmp, "wb")
                if self.format in ("csv", "tsv"):  # a BOM, so that Excel shows Chinese correctly; readers strip it
                    self._fh.write(codecs.BOM_UTF8)
        except OSError as err:
            self._cleanup()
            raise OutputError(f"{self.path}: cannot write the output ({err.strerror or err}).") from None
        return self

    def _cleanup(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        discard(self._tmp)
        self._tmp = None

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` (same columns as the first chunk)."""
        try:
            self._write(frame)
        except OutputError:  # already says what is wrong (an OSError too)
            raise
        except OSError as err:  # disk full, quota, file system gone ...
            raise OutputError(f"{self.path}: cannot write the output ({err.strerror or err}).") from None

    def _write(self, frame: pd.DataFrame) -> None:
        if self._columns is None:
            self._columns = [str(c) for c in frame.columns]
        if self.format in ("csv", "tsv"):
            frame = _csv_safe(frame)
            sep = "," if self.format == "csv" else "\t"
            # TSV stays with pandas: tab-separated readers (cut, awk) rarely understand quotes
            data = _arrow_csv(frame, header=self.rows == 0) if sep == "," else None
            if data is None:
                # Python's csv quotes a field with LF but not one with a lone CR when rows end in LF:
                # readers would end the row at that CR, so such a chunk has every field quoted
                quoting = csv.QUOTE_ALL if _has_cr(frame) else csv.QUOTE_MINIMAL
                data = _utf8(frame.to_csv(None, index=False, header=self.rows == 0, sep=sep, lineterminator="\n",
                                          quoting=quoting))
            self._fh.write(data)
        elif self.format == "jsonl":
            self._fh.write(_utf8("".join([json.dumps(rec, ensure_ascii=False, default=_json_default) + "\n"
                                          for rec in _json_safe(frame).to_dict(orient="records")])))
        elif self.format == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(_parquet_safe(frame), preserve_index=False)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self._tmp, table.schema)
            try:
                table = table.cast(self._parquet.schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as err:
                raise OutputError(
                    f"{self.path}: the columns change type between chunks ({err}); write CSV or JSONL "
                    "instead, or give the input consistent types."
                ) from None
            self._parquet.write_table(table)
        else:
            if self.rows + len(frame) > _EXCEL_MAX_ROWS:
                raise OutputError(
                    f"{self.path}: Excel holds at most {_EXCEL_MAX_ROWS:,} rows and the input has more; "
                    "write .csv or .parquet instead."
                )
            _check_excel_cells(frame, self.path, self.rows)
            self._excel.append(_excel_safe(frame))
        self.rows += len(frame)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if self._fh is not None:
                self._fh.close()
            if self._parquet is not None:
                self._parquet.close()
            if exc_type is None:
                if self.format == "excel":
                    frame = pd.concat(self._excel, ignore_index=True) if self._excel else pd.DataFrame()
                    # a handle: pandas refuses the .partial name
                    with open(self._tmp, "wb") as fh, pd.ExcelWriter(fh, engine="openpyxl") as xw:
                        frame.to_excel(xw, index=False)
                        _no_formulas(xw.sheets[next(iter(xw.sheets))], frame)
                elif self.format == "parquet" and self._parquet is None:
                    pd.DataFrame(columns=self._columns or []).to_parquet(self._tmp, index=False)
                commit(self._tmp, self.path)
                self._tmp = None
        except OSError as err:
            raise OutputError(f"{self.path}: cannot write the output ({err.strerror or err}).") from None
        finally:
            self._parquet = None
            self._cleanup()


_EXCEL_MAX_CELL = 32_767  # characters in one cell
_EXCEL_MAX_ROWS = 1_048_575  # one row of the sheet is the header


def _strings(frame: pd.DataFrame, fix: Any) -> pd.DataFrame:
    """Apply ``fix`` to the string cells of object / string columns that need it."""
    out = frame
    for col in frame.columns:
        values = frame[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            fixed = [fix(v) if isinstance(v, str) else v for v in values]
            if any(a is not b for a, b in zip(fixed, values)):
                if out is frame:
                    out = frame.copy()
                out[col] = pd.Series(fixed, index=frame.index, dtype=values.dtype)
    return out


def _has_cr(frame: pd.DataFrame) -> bool:
    """Whether a column name or a text cell of ``frame`` holds a carriage return."""
    if any(isinstance(c, str) and "\r" in c for c in frame.columns):
        return True
    return any(
        any(isinstance(v, str) and "\r" in v for v in frame[col])
        for col in frame.columns
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col].dtype)
    )


def _utf8(text: str) -> bytes:
    """``text`` as UTF-8; lone surrogates (possible in JSON input) cannot be: they are escaped."""
    return text.encode("utf-8", "backslashreplace")


def _arrow_csv(frame: pd.DataFrame, *, header: bool) -> bytes | None:
    """``frame`` as UTF-8 CSV by Arrow's writer (several times faster than ``DataFrame.to_csv``),
    or None when a column is not plain text or numbers (dates, booleans, mixed objects,
    lone surrogates, integers beyond 64 bits ...): the caller then uses pandas. Arrow quotes
    every string, as RFC 4180 allows, and writes numbers in their shortest form (1.0 as 1);
    readers see the same values."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if not all(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_floating(t)
                   or pa.types.is_integer(t) or pa.types.is_null(t) for t in table.schema.types):
            return None
        sink = pa.BufferOutputStream()
        pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=header))
    except Exception:  # whatever Arrow cannot take, pandas writes (the slower, general path)
        return None
    return sink.getvalue().to_pybytes()


def _no_surrogates(text: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:  # lone surrogates: keep them visible, escaped
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


#: the values of Parquet's list columns as pandas reads them, and those plus struct values (dicts)
_LISTS = (list, tuple, np.ndarray)
_NESTED = (*_LISTS, dict)


def _missing(value: Any) -> bool:
    return value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _nested(values: pd.Series) -> bool:
    """Whether every present value of an object column is a list / array / mapping (Parquet's list
    and struct columns read back): kept as they are, not turned into their ``str``."""
    present = [v for v in values if not (v is None or _missing(v))]
    # one kind throughout: Arrow cannot store a column mixing lists and mappings
    return bool(present) and (all(isinstance(v, _LISTS) for v in present)
                              or all(isinstance(v, dict) for v in present))


def _json_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns with NaN / inf as None: JSON has no NaN or Infinity (json.dumps would write them)."""
    out = frame
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_float_dtype(values.dtype):
            finite = np.isfinite(values.to_numpy(dtype=float))
            if not finite.all():
                if out is frame:
                    out = frame.copy()
                out[col] = values.astype(object).where(finite, None)
    return out


def _text(value: Any) -> str:
    """A value of a mixed column as text: lists and mappings as JSON, anything else as ``str``."""
    if isinstance(value, _NESTED):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return str(value)


def _parquet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as strings (mixed types from JSON would break the schema), no lone surrogates;
    list and struct columns stay lists and structs."""
    out = frame
    for col in frame.columns:
        if frame[col].dtype == object and not _nested(frame[col]):
            values = [v if v is None or isinstance(v, str) else None if _missing(v) else _text(v) for v in frame[col]]
            if out is frame:
                out = frame.copy()
            out[col] = pd.Series(values, index=frame.index, dtype=object)
    return _strings(out, _no_surrogates)


def _check_excel_cells(frame: pd.DataFrame, path: Path, rows_before: int) -> None:
    """Refuse a text longer than an Excel cell holds: Excel would cut it (or refuse the file) without a word."""
    for col in frame.columns:
        values = frame[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            lengths = values.map(lambda v: len(v) if isinstance(v, str) else 0).to_numpy()
            if len(lengths) and lengths.max() > _EXCEL_MAX_CELL:
                i = int(lengths.argmax())
                raise OutputError(
                    f"{path}: the cell in column {str(col)!r} of data row {rows_before + i + 1} holds "
                    f"{int(lengths[i]):,} characters, more than an Excel cell's {_EXCEL_MAX_CELL:,}; write .csv, "
                    ".jsonl or .parquet instead, which keep the whole text.")


def _nested_as_json(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists and mappings (Parquet's list and struct columns, JSON values) as JSON text, the form a
    text cell can hold and a reader can parse back (``str`` would give NumPy's ``['a' 'b']``)."""
    out = frame
    for col in frame.columns:
        values = frame[col]
        if values.dtype != object or pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
            continue  # the usual case, told at C speed
        if any(isinstance(v, _NESTED) for v in values):
            text = [v if v is None or _missing(v) or isinstance(v, str) else _text(v) for v in values]
            if out is frame:
                out = frame.copy()
            out[col] = pd.Series(text, index=frame.index, dtype=object)
    return out


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the control characters Excel cannot store and escape lone surrogates; nested values as JSON."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return _strings(_nested_as_json(frame), lambda t: _no_surrogates(ILLEGAL_CHARACTERS_RE.sub("", t)))


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """No cell or column name that a spreadsheet would run as a formula (``defuse_formula``); nested
    values as JSON."""
    frame = _nested_as_json(frame)
    names = [defuse_formula(c) if isinstance(c, str) else c for c in frame.columns]
    if any(a is not b for a, b in zip(names, frame.columns)):
        frame = frame.set_axis(names, axis=1)
    return _strings(frame, defuse_formula)


def _no_formulas(sheet: Any, frame: pd.DataFrame) -> None:
    """Make the cells of ``sheet`` (``frame`` written from A1, header first) that openpyxl took
    for formulas, texts starting with ``=``, plain text cells: what they hold is data. The
    text stays as it is: Excel shows it, it does not run it."""
    for j, name in enumerate(frame.columns, 1):
        if isinstance(name, str) and name.startswith("="):
            sheet.cell(row=1, column=j).data_type = "s"
        values = frame.iloc[:, j - 1]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            for i, v in enumerate(values.tolist(), 2):
                if isinstance(v, str) and v.startswith("="):
                    sheet.cell(row=i, column=j).data_type = "s"


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):  # a list column read from Parquet
        return [None if _missing(v) else v for v in value.tolist()]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    if value is pd.NA:
        return None
    return str(value)


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` atomically to ``path`` (format from the extension); return the path."""
    with TableWriter(path) as writer:
        writer.write(frame)
    return writer.path
