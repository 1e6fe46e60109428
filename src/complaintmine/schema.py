"""The output schema: the columns classification adds, their dtypes, the values a failed row
gets, and how the result joins its input without losing an input column.

Every entry point (``analyze``, ``classify_file`` on both engines, ``analyze_dask`` and the
report's check of a classified file) builds and reads its columns through this module.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputWarning
from .record import RECORD_COLUMNS, record_card

__all__ = [
    "OUTPUT_COLUMNS", "NUMERIC_COLUMNS", "ERROR_COLUMN", "result_frame", "empty_result", "failed_result",
    "input_renames", "rename_note", "join_result", "is_classified",
]  # fmt: skip

#: the columns classification adds, in order
OUTPUT_COLUMNS = (
    "cause", "cause_zh", "causes", "cause_score", "motive", "motive_respect", "motive_compensation",
    "motive_venting", "risk_level", "risk_flags", "evidence", *RECORD_COLUMNS,
)  # fmt: skip
#: the output columns that hold numbers (a classified file read back as text is typed by these)
NUMERIC_COLUMNS = ("cause_score", "motive_respect", "motive_compensation", "motive_venting", "amount", "waited_hours",
                   "repeat")
#: columns only ``classify`` writes: a frame with them is classified output (a raw export may
#: well have a ``cause`` column of its own, which is then kept as ``cause_input``)
_CLASSIFIED_MARKERS = ("cause", "cause_score", "motive_venting")


def is_classified(columns: Iterable[Any]) -> bool:
    """Whether a frame with ``columns`` is the output of ``complaintmine classify``.

    Examples
    --------
    >>> is_classified(["id", "text", "cause"]), is_classified(OUTPUT_COLUMNS)
    (False, True)
    """
    names = {str(c) for c in columns}
    return all(m in names for m in _CLASSIFIED_MARKERS)


#: the column ``classify`` adds for the message of a row that could not be classified
ERROR_COLUMN = "error"

#: what a row that could not be classified gets (its message goes to ``ERROR_COLUMN``); its
#: record card is the empty card, as ``record_card`` gives it for an empty text
_FAILED = {
    "cause": "other", "cause_zh": "其他", "causes": "other", "cause_score": 0.0, "motive": "none",
    "motive_respect": 0.0, "motive_compensation": 0.0, "motive_venting": 0.0, "risk_level": "low",
    "risk_flags": "", "evidence": "not analysed: see the error column",
    **record_card([""], normalized=True).iloc[0].to_dict(),
}  # fmt: skip


def result_frame(primary: np.ndarray, names: Mapping[str, str], causes: Sequence[Sequence[str]], score: np.ndarray,
                 motive: np.ndarray, motive_scores: Mapping[str, np.ndarray], level: Sequence[str],
                 flags: Sequence[str], evidence: Sequence[str], record: pd.DataFrame) -> pd.DataFrame:
    """The ``OUTPUT_COLUMNS`` frame for classified rows, with their dtypes and rounding.

    ``names`` maps cause codes to their Chinese names; ``motive_scores`` has the arrays
    ``respect``, ``compensation`` and ``venting``; ``record`` is ``record.record_card`` of the
    same rows.
    """
    frame = pd.DataFrame({
        "cause": primary.astype(str),
        "cause_zh": [names.get(c, c) for c in primary],
        "causes": [";".join(c) for c in causes],
        "cause_score": score.round(4),
        "motive": motive.astype(str),
        "motive_respect": motive_scores["respect"].round(4),
        "motive_compensation": motive_scores["compensation"].round(4),
        "motive_venting": motive_scores["venting"].round(4),
        "risk_level": level,
        "risk_flags": flags,
        "evidence": evidence,
    })
    for col in RECORD_COLUMNS:
        frame[col] = record[col].to_numpy()
    return frame


def empty_result() -> pd.DataFrame:
    """An empty frame with the ``OUTPUT_COLUMNS`` and the dtypes classified rows have."""
    one = np.array(["other"], dtype=object)
    zero = np.zeros(1)
    return result_frame(one, {}, [["other"]], zero, np.array(["none"], dtype=object),
                        {"respect": zero, "compensation": zero, "venting": zero}, ["low"], [""], [""],
                        record_card([""], normalized=True)).iloc[:0]


def failed_result(message: str) -> dict[str, Any]:
    """The output values of one row that could not be classified, with ``message`` as its error.

    Examples
    --------
    >>> row = failed_result("ValueError: bad text")
    >>> row["cause"], row["risk_level"], row["error"]
    ('other', 'low', 'ValueError: bad text')
    """
    return {**_FAILED, ERROR_COLUMN: message}


def input_renames(columns: Iterable[Any], *, added: Sequence[str] = (*OUTPUT_COLUMNS, ERROR_COLUMN)) -> dict[Any, str]:
    """How input columns named like output columns are renamed so that none is lost.

    An input column called ``cause`` (say, an earlier classification or the export's own
    field) becomes ``cause_input`` (``cause_input_2`` if that is taken, and so on); the output
    keeps the documented names that the report and the analysis functions read.

    Examples
    --------
    >>> input_renames(["id", "text", "cause", "cause_input"])
    {'cause': 'cause_input_2'}
    """
    columns = list(columns)
    taken = {str(c) for c in columns} | set(added)
    renames: dict[Any, str] = {}
    for col in columns:
        if col in added:
            new, k = f"{col}_input", 2
            while new in taken:
                new, k = f"{col}_input_{k}", k + 1
            taken.add(new)
            renames[col] = new
    return renames


def rename_note(renames: Mapping[Any, str]) -> str:
    """One sentence saying which input columns were renamed (for a warning or stderr)."""
    pairs = ", ".join(f"{old!r} -> {new!r}" for old, new in renames.items())
    return f"input columns named like output columns were renamed to keep them: {pairs}"


def join_result(base: pd.DataFrame, result: pd.DataFrame, *, warn: bool = False) -> pd.DataFrame:
    """``base`` (every input column, renamed where ``input_renames`` says) then ``result``.

    The ``text_col`` and ``id_col`` entries of ``base.attrs`` follow a rename. With ``warn``,
    an ``InputWarning`` (a ``UserWarning``) names the renamed columns.
    """
    renames = input_renames(base.columns, added=list(result.columns))
    if renames:
        if warn:
            warnings.warn(rename_note(renames), InputWarning, stacklevel=3)
        attrs = dict(base.attrs)
        base = base.rename(columns=renames)
        for key in ("text_col", "id_col"):
            if attrs.get(key) in renames:
                attrs[key] = renames[attrs[key]]
        base.attrs = attrs
    out = pd.concat([base, result.set_axis(base.index)], axis=1)
    out.attrs.update(base.attrs)
    return out
