"""Batch classification of whole export files: streaming, parallel, atomic.

``classify_file`` reads the input in chunks, classifies each chunk in a pool of worker
processes (each builds its tokenizer and model once), writes results in input order as
they arrive, and renames the finished output into place only at the end. Memory stays flat
however large the input (Excel inputs are the exception: they load whole). A row that
fails is kept and marked in the ``error`` column.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from itertools import chain, islice
from typing import Any

import pandas as pd

from .io import MAX_CELL_CHARS, MAX_INFLATE_RATIO, count_rows, iter_complaints
from .model import ComplaintModel, load_model
from .output import TableWriter, check_output_path
from .worker import BATCH_SIZE, ClassifyResult, _warm, classify_chunk, classify_texts

__all__ = ["classify_file", "classify_chunk", "ClassifyResult"]

#: the model of this (worker) process and the path it came from
_WORKER: tuple[str | None, ComplaintModel] | None = None


def _init_worker(model_path: str | None) -> None:
    global _WORKER
    if _WORKER is None or _WORKER[0] != model_path:  # inherited ready from the parent when forked
        _WORKER = (model_path, _warm(load_model(model_path)))
    # the objects built so far live as long as the worker: keep the collector from scanning
    # them (and from touching, hence copying, the pages shared with the parent)
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLDS)
    _reuse_freed_memory()
    # Ctrl-C reaches the whole process group: the parent stops the run (it cancels what is
    # queued and lets each worker finish its batch); a worker interrupted while waiting for
    # work would print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _reuse_freed_memory() -> None:
    """Have glibc's allocator keep the memory a batch frees for the next batch (a worker only).

    By default it hands freed memory back to the system at once and serves each array over
    128 KiB from a fresh mapping, so every batch faults in the same pages again (zeroed by the
    kernel). Kept, the worker's memory stays at its high-water mark, which it reaches anyway.
    Elsewhere than glibc, nothing changes.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError, TypeError):  # no mallopt here (macOS, Windows)
        return
    mallopt(_M_MMAP_THRESHOLD, 32 << 20)  # glibc's largest: arrays up to 32 MiB from the heap
    mallopt(_M_TRIM_THRESHOLD, 256 << 20)  # return free memory beyond 256 MiB only


#: ``mallopt`` parameters (glibc's malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


#: collector thresholds while classifying: the work allocates many short-lived lists (tokens,
#: cues), and collecting every 2,000 allocations, the default, costs a noticeable share of the run
_GC_THRESHOLDS = (100_000, 50, 100)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the block with ``_GC_THRESHOLDS``, then restore the caller's thresholds."""
    before = gc.get_threshold()
    gc.set_threshold(*_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _worker(texts: list[Any]) -> pd.DataFrame:
    assert _WORKER is not None
    return classify_texts(texts, _WORKER[1])


def classify_file(input: str | os.PathLike[str], output: str | os.PathLike[str], *, text_col: str | None = None,
                  id_col: str | None = None, sheet: str | int | None = None, encoding: str | None = None,
                  model: str | os.PathLike[str] | None = None, jobs: int = 0, chunksize: int = 20_000,
                  engine: str = "local", scheduler: str | None = None, mask_input: bool = False,
                  progress: bool = True, check_unique_ids: bool = True,
                  model_sha256: str | None = None, max_cell_chars: int = MAX_CELL_CHARS,
                  max_inflate_ratio: int = MAX_INFLATE_RATIO) -> ClassifyResult:
    """Classify every row of ``input`` into ``output``.

    A row that fails is written with defaults and its message in the ``error`` column; the
    result counts them (``complaintmine classify`` reports them and exits non-zero when every
    row failed).

    Parameters
    ----------
    input, output : path
        Export to read (CSV, TSV, Excel, JSONL, JSON, Parquet) and file to write (CSV, TSV,
        JSONL, Parquet, Excel). The output appears only when the job has finished.
    text_col, id_col, sheet, encoding, max_cell_chars, max_inflate_ratio
        As in ``read_complaints``.
    model : path, optional
        Model file; the bundled default model otherwise. It is loaded and checked (it must
        hold a cause classifier and a motive estimator) before any row is read.
    model_sha256 : str, optional
        The SHA-256 the model file must have (``load_model(..., sha256=)``): checked here,
        before the run; workers then read the same path.
    jobs : int, default 0
        Worker processes; 0 means one per core, 1 runs in this process.
    chunksize : int, default 20000
        Rows per chunk (memory use grows with ``chunksize * jobs``).
    engine : {"local", "dask"}
        ``"dask"`` runs the same job on a Dask cluster (``scheduler`` address, or a local one).
    mask_input : bool
        Also mask personal numbers in the original text column.
    check_unique_ids : bool, default True
        Refuse an input whose id column repeats an id (memory: 16 bytes per row; turn it off
        for flat memory on very large inputs with ids known to be unique, or when repeats are
        expected: every row is classified and written either way).

    Returns
    -------
    ClassifyResult
        ``rows`` written, ``failed`` rows and the first failure.
    """
    check_output_path(output, inputs=(input,))
    model_path = os.fspath(model) if model is not None else None
    if engine not in ("local", "dask"):
        raise ValueError(f"engine must be 'local' or 'dask', got {engine!r}")
    global _WORKER
    if engine == "local" or model_path is None or os.path.exists(model_path) or model_sha256 is not None:
        # fail here, clearly, on a bad model file, before any row is read and not inside the workers
        with _fewer_collections():
            ready = load_model(model_path, sha256=model_sha256).check_can_classify(model_path)
    chunks = iter_complaints(input, text_col=text_col, id_col=id_col, sheet=sheet, encoding=encoding,
                             chunksize=chunksize, check_unique_ids=check_unique_ids,
                             max_cell_chars=max_cell_chars, max_inflate_ratio=max_inflate_ratio)
    if engine == "dask":
        from .distributed import classify_file_dask

        return classify_file_dask(chunks, output, input=input, model=model_path, scheduler=scheduler,
                                  mask_input=mask_input, progress=progress,
                                  total=count_rows(input) if progress else None)
    jobs = jobs if jobs > 0 else (os.cpu_count() or 1)
    from .progress import progress_bar

    with _fewer_collections():
        chunks, jobs = _jobs_for(chunks, jobs)
        if jobs > 1:  # workers forked from here inherit the model ready to use (built with fewer collections)
            ready = _warm(ready)
        _WORKER = (model_path, ready)
        tally = ClassifyResult()
        total = count_rows(input) if progress else None
        with TableWriter(output, inputs=(input,)) as writer, \
                progress_bar("classify", total=total, disable=not progress) as bar:
            for chunk, result in _results(chunks, model_path, jobs):
                writer.write(classify_chunk(chunk, result, mask_input=mask_input))
                tally.add(result, input_columns=chunk.columns)
                bar.update(len(chunk))
    return tally


#: an input of at most this many rows (one chunk) is classified in this process: starting the
#: workers and warming them up costs more than they save on it
IN_PROCESS_ROWS = BATCH_SIZE


def _jobs_for(chunks: Iterator[pd.DataFrame], jobs: int) -> tuple[Iterator[pd.DataFrame], int]:
    """The chunks (the first two read ahead) and the processes to use: 1 for a small input."""
    if jobs == 1:
        return chunks, jobs
    head = list(islice(chunks, 2))
    if len(head) < 2 and sum(len(c) for c in head) <= IN_PROCESS_ROWS:
        jobs = 1
    return chain(head, chunks), jobs


def _results(chunks: Iterator[pd.DataFrame], model_path: str | None,
             jobs: int) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    if jobs == 1:
        model = _WORKER[1] if _WORKER is not None and _WORKER[0] == model_path else load_model(model_path)
        for chunk in chunks:
            yield chunk, classify_texts(chunk[chunk.attrs["text_col"]].tolist(), model)
        return
    # bounded window of in-flight chunks keeps memory flat; results come back in input order.
    # Each chunk goes out as tasks of at most BATCH_SIZE texts (only the texts are pickled),
    # so that all workers stay busy however the input divides into chunks.
    pending: deque[tuple[pd.DataFrame, list[Future[pd.DataFrame]]]] = deque()

    def collect() -> tuple[pd.DataFrame, pd.DataFrame]:
        done_chunk, futs = pending.popleft()
        parts = [fut.result() for fut in futs]
        return done_chunk, parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)

    with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(model_path,)) as pool:
        try:
            for chunk in chunks:
                texts = chunk[chunk.attrs["text_col"]].tolist()
                size = max(1, min(BATCH_SIZE, -(-len(texts) // jobs)))
                pending.append((chunk, [pool.submit(_worker, texts[i:i + size])
                                        for i in range(0, len(texts), size)]))
                if len(pending) >= 2 * jobs:
                    yield collect()
            while pending:
                yield collect()
        except BaseException:
            for _, futs in pending:
                for fut in futs:
                    fut.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


