"""Batch classification of whole export files: streaming, parallel, atomic.

``classify_file`` reads the input in chunks, classifies each chunk in a pool of worker
processes (each builds its tokenizer and model once), writes results in input order as
they arrive, and renames the finished output into place only at the end. Memory stays flat
however large the input (Excel inputs are the exception: they load whole). A row that
fails is kept and marked in the ``error`` column.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import pandas as pd

from .io import iter_complaints
from .model import ComplaintModel, load_model
from .normalize import mask_pii
from .output import TableWriter, check_output_path
from .pipeline import OUTPUT_COLUMNS, analyze_texts

__all__ = ["classify_file", "classify_chunk"]

_WORKER_MODEL: ComplaintModel | None = None


def _init_worker(model_path: str | None) -> None:
    global _WORKER_MODEL
    _WORKER_MODEL = load_model(model_path)


def _failed_row(message: str) -> dict[str, Any]:
    row: dict[str, Any] = {c: "" for c in OUTPUT_COLUMNS}
    row.update(cause="other", cause_zh="其他", causes="other", cause_score=0.0, motive="none",
               motive_respect=0.0, motive_compensation=0.0, motive_venting=0.0, risk_level="low",
               evidence="not analysed: see the error column")
    row["error"] = message
    return row


def classify_texts(texts: list[Any], model: ComplaintModel) -> pd.DataFrame:
    """``analyze_texts`` plus an ``error`` column; a failing row never takes the others down."""
    try:
        out = analyze_texts(texts, model=model)
        out["error"] = ""
        return out
    except Exception:  # isolate the failing row(s) and keep going
        rows = []
        for text in texts:
            try:
                one = analyze_texts([text], model=model).iloc[0].to_dict()
                one["error"] = ""
            except Exception as err:
                one = _failed_row(f"{type(err).__name__}: {err}"[:300])
            rows.append(one)
        return pd.DataFrame(rows, columns=[*OUTPUT_COLUMNS, "error"])


def _worker(texts: list[Any]) -> pd.DataFrame:
    assert _WORKER_MODEL is not None
    return classify_texts(texts, _WORKER_MODEL)


def classify_chunk(chunk: pd.DataFrame, result: pd.DataFrame, *, mask_input: bool = False) -> pd.DataFrame:
    """Join a classified ``result`` to its input ``chunk`` (all input columns kept, untouched)."""
    text_col = chunk.attrs.get("text_col")
    base = chunk.drop(columns=[c for c in (*OUTPUT_COLUMNS, "error") if c in chunk.columns])
    if mask_input and text_col in base.columns:
        base = base.assign(**{text_col: [mask_pii(t) if isinstance(t, str) else t for t in base[text_col]]})
    result = result.set_axis(base.index)
    return pd.concat([base, result], axis=1)


def classify_file(input: str | os.PathLike[str], output: str | os.PathLike[str], *, text_col: str | None = None,
                  id_col: str | None = None, sheet: str | int | None = None, encoding: str | None = None,
                  model: str | os.PathLike[str] | None = None, jobs: int = 0, chunksize: int = 20_000,
                  engine: str = "local", scheduler: str | None = None, mask_input: bool = False,
                  progress: bool = True) -> int:
    """Classify every row of ``input`` into ``output``; returns the number of rows written.

    Parameters
    ----------
    input, output : path
        Export to read (CSV, TSV, Excel, JSONL, JSON, Parquet) and file to write (CSV, TSV,
        JSONL, Parquet, Excel). The output appears only when the job has finished.
    text_col, id_col, sheet, encoding
        As in ``read_complaints``.
    model : path, optional
        Model file; the bundled default model otherwise.
    jobs : int, default 0
        Worker processes; 0 means one per core, 1 runs in this process.
    chunksize : int, default 20000
        Rows per chunk (memory use grows with ``chunksize * jobs``).
    engine : {"local", "dask"}
        ``"dask"`` runs the same job on a Dask cluster (``scheduler`` address, or a local one).
    mask_input : bool
        Also mask personal numbers in the original text column.
    """
    check_output_path(output, inputs=(input,))
    model_path = os.fspath(model) if model is not None else None
    chunks = iter_complaints(input, text_col=text_col, id_col=id_col, sheet=sheet, encoding=encoding,
                             chunksize=chunksize)
    if engine == "dask":
        from .distributed import classify_file_dask

        return classify_file_dask(chunks, output, input=input, model=model_path, scheduler=scheduler,
                                  mask_input=mask_input, progress=progress)
    if engine != "local":
        raise ValueError(f"engine must be 'local' or 'dask', got {engine!r}")
    jobs = jobs if jobs > 0 else (os.cpu_count() or 1)
    load_model(model_path)  # fail here, clearly, on a bad model file rather than inside the workers
    from .cli import _progress

    with TableWriter(output, inputs=(input,)) as writer, _progress("classify") as bar:
        if not progress:
            bar.disable = True
        for chunk, result in _results(chunks, model_path, jobs):
            writer.write(classify_chunk(chunk, result, mask_input=mask_input))
            bar.update(len(chunk))
    return writer.rows


def _results(chunks: Iterator[pd.DataFrame], model_path: str | None,
             jobs: int) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    if jobs == 1:
        model = load_model(model_path)
        for chunk in chunks:
            yield chunk, classify_texts(chunk[chunk.attrs["text_col"]].tolist(), model)
        return
    # bounded window of in-flight chunks keeps memory flat; results come back in input order
    pending: deque[tuple[pd.DataFrame, Future[pd.DataFrame]]] = deque()
    with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(model_path,)) as pool:
        try:
            for chunk in chunks:
                texts = chunk[chunk.attrs["text_col"]].tolist()
                pending.append((chunk, pool.submit(_worker, texts)))
                if len(pending) >= 2 * jobs:
                    done_chunk, fut = pending.popleft()
                    yield done_chunk, fut.result()
            while pending:
                done_chunk, fut = pending.popleft()
                yield done_chunk, fut.result()
        except BaseException:
            for _, fut in pending:
                fut.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


