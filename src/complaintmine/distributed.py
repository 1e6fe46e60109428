"""Running complaintmine on a Dask cluster: lazy ``analyze`` of Dask frames, and
``classify`` of whole export files with the work spread over the cluster's workers.

``analyze_dask`` (what ``complaintmine.analyze`` calls for a Dask DataFrame) maps every
partition through the same code as the pandas path; nothing runs until the result is
computed. ``classify_file_dask`` (what ``complaintmine classify --engine dask`` calls) reads
the export on the client in chunks, sends only the texts of each chunk to the cluster,
and writes the results in input order through the same atomic ``TableWriter`` as the
local engine, keeping a bounded window of chunks in flight so that memory stays flat. Both
give exactly the output of the single-machine path.

Each worker process builds a model once and keeps it: models given by path (or the
default model, for None) are cached per worker by path; a ``ComplaintModel`` object is
sent to each worker once, as a shared piece of the task graph.

Dask is optional: ``pip install 'complaintmine[dask]'``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import ColumnError
from .model import ComplaintModel, load_model
from .pipeline import _analyze_batched
from .schema import empty_result, join_result

if TYPE_CHECKING:
    from .worker import ClassifyResult

__all__ = ["analyze_dask", "classify_file_dask"]

_MODELS: dict[str | None, ComplaintModel] = {}
_MODELS_LOCK = threading.Lock()


def _import_dask() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError:
        raise ImportError("Dask support needs the dask extra: pip install 'complaintmine[dask]'") from None
    return dd


def worker_model(path: str | os.PathLike[str] | None = None) -> ComplaintModel:
    """The model of ``path`` (the default model for None), built once per process.

    Used inside Dask tasks: the first task on a worker loads the model (and builds its
    segmenter and lookup tables); later tasks on that worker reuse it.
    """
    key = os.fspath(path) if path is not None else None
    model = _MODELS.get(key)
    if model is None:
        with _MODELS_LOCK:
            model = _MODELS.get(key)
            if model is None:
                from .worker import _warm

                model = _MODELS[key] = _warm(load_model(key))
    return model


def _resolve(model: Any) -> ComplaintModel:
    return model if isinstance(model, ComplaintModel) else worker_model(model)


# -- analyze ------------------------------------------------------------------------------------


def _meta(input_meta: pd.DataFrame) -> pd.DataFrame:
    """The empty frame that ``analyze`` returns for ``input_meta``: its columns (renamed where
    they clash with the output columns, as ``analyze`` renames them) then ``OUTPUT_COLUMNS``."""
    return join_result(input_meta.iloc[:0], empty_result())


def _analyze_partition(part: pd.DataFrame, text_col: str, model: Any) -> pd.DataFrame:
    if len(part) == 0:
        return _meta(part)
    result = _analyze_batched(part[text_col].tolist(), _resolve(model))
    return join_result(part, result)


def analyze_dask(ddf: Any, text_col: str = "text", *, model: Any = None) -> Any:
    """Lazy ``analyze`` of a Dask DataFrame: every partition gets the output columns.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The complaints; every row and column is kept, in order.
    text_col : str, default "text"
        Column holding the complaint text.
    model : ComplaintModel or path, optional
        A path (or None for the bundled default model) is loaded once per worker; a model
        object is shipped to each worker once.

    Returns
    -------
    dask.dataframe.DataFrame
        Not computed yet; its ``meta`` has the input columns then ``OUTPUT_COLUMNS`` with
        the dtypes that the pandas path gives. ``.compute()`` equals
        ``complaintmine.analyze(ddf.compute(), text_col, model=model)``.
    """
    _import_dask()
    if text_col not in ddf.columns:
        raise ColumnError(
            f"no column named {text_col!r}; columns are: {', '.join(map(str, ddf.columns))}. "
            "Pass text_col='...'."
        )
    if isinstance(model, ComplaintModel):
        import dask

        model_arg: Any = dask.delayed(model, pure=False)  # one copy per worker, not one per task
    else:
        model_arg = os.fspath(model) if model is not None else None
    return ddf.map_partitions(_analyze_partition, text_col, model_arg, meta=_meta(ddf._meta))


# -- classify files --------------------------------------------------------------------------------


def _classify_remote(texts: list[Any], model: str | None) -> pd.DataFrame:
    from .worker import classify_texts

    return classify_texts(texts, worker_model(model))


#: seconds to wait for a remote scheduler before giving up
SCHEDULER_TIMEOUT = 6


def _remote_client(client_class: Any, scheduler: str) -> Any:
    """A client of ``scheduler``, or ``SchedulerError`` within about ``SCHEDULER_TIMEOUT`` seconds.

    Dask's own connect timeout covers a closed port, but a server that accepts the connection and
    never answers the handshake (a web server, say) would hold it for minutes: the connection is
    made in a helper thread, and given up when that thread has not finished in time.
    """
    import threading

    from .errors import SchedulerError

    hint = ("Check the address (tcp://HOST:8786) and that the Dask scheduler is running, or leave out "
            "--scheduler to start a local cluster.")
    outcome: dict[str, Any] = {}

    def connect() -> None:
        try:
            outcome["client"] = client_class(scheduler, timeout=SCHEDULER_TIMEOUT)
        except Exception as err:  # down, not a Dask server, a malformed address: said below
            outcome["error"] = err

    thread = threading.Thread(target=connect, name="complaintmine-connect", daemon=True)
    thread.start()
    thread.join(SCHEDULER_TIMEOUT + 1)
    if "client" in outcome:
        return outcome["client"]
    if "error" in outcome:
        raise SchedulerError(f"cannot use the Dask scheduler {scheduler!r}: {outcome['error']}. {hint}")
    raise SchedulerError(f"{scheduler!r} accepted the connection but did not answer as a Dask scheduler within "
                         f"{SCHEDULER_TIMEOUT + 1} s. {hint}")


def _client(scheduler: str | None, n_workers: int | None) -> tuple[Any, Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ImportError("--engine dask needs the dask extra: pip install 'complaintmine[dask]'") from None
    if scheduler:
        return _remote_client(Client, scheduler), None
    cluster = LocalCluster(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    return Client(cluster), cluster


def classify_file_dask(chunks: Iterator[pd.DataFrame], output: str | os.PathLike[str], *,
                       input: str | os.PathLike[str] | None = None, model: str | None = None,
                       scheduler: str | None = None, mask_input: bool = False, progress: bool = True,
                       n_workers: int | None = None, window: int | None = None,
                       total: int | None = None) -> ClassifyResult:
    """``classify_file`` with the classification done by a Dask cluster; returns the rows written.

    Parameters
    ----------
    chunks : iterator of DataFrame
        The input, as ``iter_complaints`` yields it (read here, on the client).
    output : path
        File to write (any ``TableWriter`` format); it appears only when the job has finished.
    input : path, optional
        The input file (the output may not overwrite it).
    model : str, optional
        Model file, readable at this path on every worker; the bundled model for None.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); by default a local
        cluster with one single-threaded worker process per core (``n_workers``).
    window : int, optional
        Chunks in flight at once (default: twice the cluster's threads); bounds memory.
    total : int, optional
        Rows expected (``io.count_rows``), for the progress display.
    """
    from .output import TableWriter
    from .progress import progress_bar
    from .worker import ClassifyResult, classify_chunk

    if model is not None and os.path.exists(model):
        load_model(model)  # a bad model file fails here, clearly, not inside the workers
    client, cluster = _client(scheduler, n_workers)
    try:
        threads = sum(client.nthreads().values()) or 1
        limit = window or 2 * threads
        pending: deque[tuple[pd.DataFrame, Any]] = deque()
        tally = ClassifyResult()
        with TableWriter(output, inputs=(input,) if input is not None else ()) as writer, \
                progress_bar("classify", total=total, disable=not progress) as bar:

            def flush(keep: int) -> None:
                while len(pending) > keep:
                    chunk, fut = pending.popleft()
                    result = fut.result()
                    fut.release()
                    writer.write(classify_chunk(chunk, result, mask_input=mask_input))
                    tally.add(result, input_columns=chunk.columns)
                    bar.update(len(chunk))

            try:
                for chunk in chunks:
                    texts = chunk[chunk.attrs["text_col"]].tolist()
                    pending.append((chunk, client.submit(_classify_remote, texts, model, pure=False)))
                    flush(limit - 1)
                flush(0)
            except BaseException:
                for _, fut in pending:
                    fut.cancel()
                raise
        return tally
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
