"""The work each classifying process does, shared by the local (``batch``) and the Dask
(``distributed``) engines: classify a list of texts without letting one bad row take the others
down, join the result to its input chunk, and count what failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._fast import kernels as _kernels
from .model import ComplaintModel
from .normalization import mask_pii
from .pipeline import analyze_texts
from .schema import ERROR_COLUMN, OUTPUT_COLUMNS, failed_result, input_renames, join_result

__all__ = ["classify_texts", "classify_chunk", "ClassifyResult", "BATCH_SIZE"]


def _warm(model: ComplaintModel) -> ComplaintModel:
    """Build everything that is built lazily (segmenter, lexicon matchers, n-gram tables,
    normalization tables, the compiled kernels) once, so that forked workers inherit it ready."""
    _kernels.available()  # imports Numba (when installed): the texts below then load the kernel too
    classify_texts(["送餐员态度很差，要求退款！", "酒店房間隔音太差 1234", ""], model)
    return model


@dataclass
class ClassifyResult:
    """What ``classify_file`` wrote: the rows, how many of them failed, the first failure, and
    the input columns renamed because they were named like output columns.

    Examples
    --------
    >>> r = ClassifyResult()
    >>> r.add(pd.DataFrame({"error": ["", "ValueError: bad"]}))
    >>> r.rows, r.failed, r.first_failed_row, r.first_error
    (2, 1, 2, 'ValueError: bad')
    """

    rows: int = 0
    failed: int = 0
    first_error: str = ""
    first_failed_row: int | None = None  # 1-based data row of the first failure
    renamed: dict[Any, str] = field(default_factory=dict)

    def add(self, result: pd.DataFrame, *, input_columns: Any = None) -> None:
        """Count one classified chunk (a frame with the ``error`` column) of an input with
        ``input_columns``."""
        if not self.rows and input_columns is not None:
            self.renamed = input_renames(input_columns, added=list(result.columns))
        bad = np.flatnonzero(result[ERROR_COLUMN].to_numpy() != "")
        if len(bad) and not self.failed:
            self.first_error = str(result[ERROR_COLUMN].iat[bad[0]])
            self.first_failed_row = self.rows + int(bad[0]) + 1
        self.failed += len(bad)
        self.rows += len(result)


#: texts analysed together inside a chunk: bounds the feature matrices (memory) while
#: keeping the per-batch overheads small; results do not depend on it (rows are independent)
BATCH_SIZE = 5000


def classify_texts(texts: list[Any], model: ComplaintModel, *, batch_size: int = BATCH_SIZE) -> pd.DataFrame:
    """``analyze_texts`` plus an ``error`` column; a failing row never takes the others down."""
    texts = list(texts)
    if batch_size and len(texts) > batch_size:
        parts = [classify_texts(texts[i:i + batch_size], model, batch_size=0)
                 for i in range(0, len(texts), batch_size)]
        return pd.concat(parts, ignore_index=True)
    try:
        out = analyze_texts(texts, model=model)
        out[ERROR_COLUMN] = ""
        return out
    except Exception:  # isolate the failing row(s) and keep going
        rows = []
        for text in texts:
            try:
                one = analyze_texts([text], model=model).iloc[0].to_dict()
                one[ERROR_COLUMN] = ""
            except Exception as err:
                one = failed_result(mask_pii(f"{type(err).__name__}: {err}")[:300])  # it may quote the text
            rows.append(one)
        return pd.DataFrame(rows, columns=[*OUTPUT_COLUMNS, ERROR_COLUMN])


def classify_chunk(chunk: pd.DataFrame, result: pd.DataFrame, *, mask_input: bool = False) -> pd.DataFrame:
    """Join a classified ``result`` to its input ``chunk``: all input columns kept, untouched
    (those named like output columns renamed, see ``schema.input_renames``)."""
    text_col = chunk.attrs.get("text_col")
    base = chunk
    if mask_input and text_col in base.columns:
        base = base.assign(**{text_col: [mask_pii(t) if isinstance(t, str) else t for t in base[text_col]]})
    return join_result(base, result)
