"""Compiled inner loops (Numba), used when the ``numba`` package is installed (``complaintmine[fast]``).

Each kernel has a NumPy / scikit-learn counterpart elsewhere that gives exactly the same
numbers (tests compare them bit for bit); a kernel only does the work in one pass, without
temporary arrays. ``available()`` says whether the kernels can be used. Nothing is compiled
before the first call; the compiled code is cached on disk (next to this file, or in Numba's
user cache directory when that is not writable), so later processes only load it. Set
``COMPLAINTMINE_NUMBA=0`` to use the NumPy code instead. Should Numba fail to compile, the
kernels switch themselves off for the process, with a warning, and the NumPy code runs.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

_NUMBA: Any = None  # the numba module, False when it cannot be imported, None before the first look
_COMPILED: dict[str, Callable[..., Any]] = {}
_LOCK = threading.Lock()


def available() -> bool:
    """True when Numba is installed, has not failed here and is not switched off by
    ``COMPLAINTMINE_NUMBA=0``."""
    global _NUMBA
    if os.environ.get("COMPLAINTMINE_NUMBA", "1") == "0":
        return False
    if _NUMBA is None:
        try:
            import numba
        except ImportError:
            _NUMBA = False
        else:
            _NUMBA = numba
    return _NUMBA is not False


def imported() -> bool:
    """True when Numba is imported in this process already, so that using the kernels costs
    no start-up (importing Numba and loading the cached kernel take about half a second)."""
    return bool(_NUMBA) or "numba" in sys.modules


def _highest_bit(word, top_bit):  # pragma: no cover - compiled by Numba
    """The number of the highest set bit of a non-zero uint64."""
    high = 0
    if word >> np.uint64(32):
        word >>= np.uint64(32)
        high += 32
    if word >> np.uint64(16):
        word >>= np.uint64(16)
        high += 16
    if word >> np.uint64(8):
        word >>= np.uint64(8)
        high += 8
    return high + top_bit[np.int64(word)]


def _tfidf_rows(units, starts, min_n, max_n, shift, radix, keys, values, hash_shift, mult, single,
                idf, logtf, indptr, indices, data):  # pragma: no cover - compiled by Numba
    """Sublinear TF-IDF rows, L2-normalized, of the vocabulary n-grams of each document.

    ``units[starts[d]:starts[d + 1]]`` are document ``d``'s units (code point + 1, or token
    number + 1 with 0 for a token outside the vocabulary). An n-gram's key packs its units:
    ``(key << shift) + unit`` (characters) or ``key * radix + unit`` (words). Keys are looked
    up in the open-addressing table ``keys`` / ``values`` (multiplicative hash, linear
    probing), unigrams in ``single`` (column of each unit, -1 for none) when it is not empty.
    Each row's columns are written in decreasing order, its values as
    ``logtf[count] * idf[column]`` divided by the row's L2 norm, summed in that order: what
    ``CountVectorizer``, ``1 + log``, ``@ diags(idf)`` and ``normalize`` give, bit for bit.
    A document's columns are counted in ``count`` and marked in a bitmap, which is then read
    from the top: they come out in decreasing order without sorting.
    Returns the number of stored values.
    """
    n_docs = len(starts) - 1
    size_mask = len(keys) - 1
    n_cols = len(idf)
    count = np.zeros(n_cols, dtype=np.int32)
    bitmap = np.zeros((n_cols + 63) >> 6, dtype=np.uint64)  # the columns counted in this document
    summary = np.zeros((len(bitmap) + 63) >> 6, dtype=np.uint64)  # the words of bitmap not 0
    top_bit = np.zeros(256, dtype=np.int64)  # the highest set bit of each byte value
    for b in range(1, 256):
        top_bit[b] = top_bit[b >> 1] + 1 if b > 1 else 0
    nnz = 0
    indptr[0] = 0
    for d in range(n_docs):
        lo = starts[d]
        hi = starts[d + 1]
        for i in range(lo, hi):
            key = 0
            for n in range(1, max_n + 1):
                j = i + n - 1
                if j >= hi:
                    break
                u = units[j]
                if radix:
                    if u == 0:
                        break
                    key = key * radix + u
                else:
                    key = (key << shift) + u
                if n < min_n:
                    continue
                col = -1
                if n == 1 and len(single):
                    if u < len(single):
                        col = single[u]
                else:
                    slot = np.int64((np.uint64(key) * mult) >> hash_shift)
                    while True:
                        k = keys[slot]
                        if k == key:
                            col = values[slot]
                            break
                        if k == -1:
                            break
                        slot = (slot + 1) & size_mask
                if col >= 0:
                    if count[col] == 0:
                        bitmap[col >> 6] |= np.uint64(1) << np.uint64(col & 63)
                        summary[col >> 12] |= np.uint64(1) << np.uint64((col >> 6) & 63)
                    count[col] += 1
        start = nnz
        total = 0.0
        for s in range(len(summary) - 1, -1, -1):  # marked words, from the highest
            marks = summary[s]
            summary[s] = 0
            while marks:
                top = _highest_bit(marks, top_bit)
                marks ^= np.uint64(1) << np.uint64(top)
                w = (s << 6) + top
                word = bitmap[w]
                bitmap[w] = 0
                while word:  # its columns, from the highest
                    high = _highest_bit(word, top_bit)
                    word ^= np.uint64(1) << np.uint64(high)
                    col = (w << 6) + high
                    value = logtf[count[col]] * idf[col]
                    count[col] = 0
                    indices[nnz] = col
                    data[nnz] = value
                    total += value * value
                    nnz += 1
        if total != 0.0:
            norm = np.sqrt(total)
            for k in range(start, nnz):
                data[k] /= norm
        indptr[d + 1] = nnz
    return nnz


def _compile() -> Callable[..., Any]:
    with _LOCK:
        if "tfidf_rows" not in _COMPILED:
            try:
                jit = _NUMBA.njit(cache=True, nogil=True)
            except RuntimeError:  # no writable cache directory: compile in each process
                jit = _NUMBA.njit(nogil=True)
            # the kernel calls _highest_bit through this module's globals: compile it first
            globals()["_highest_bit"] = jit(_highest_bit)
            _COMPILED["tfidf_rows"] = jit(_tfidf_rows)
        return _COMPILED["tfidf_rows"]


def tfidf_rows(*args: Any) -> int | None:
    """``_tfidf_rows`` compiled (on first use); None when the kernels cannot be used."""
    global _NUMBA
    if not available():
        return None
    try:
        return int(_compile()(*args))
    except Exception as err:  # a Numba that cannot compile here: NumPy it is, for this process
        if not isinstance(err, (_NUMBA.core.errors.NumbaError, RuntimeError, OSError)):
            raise
        warnings.warn(f"complaintmine: Numba kernels switched off ({type(err).__name__}: {err}); "
                      "using the NumPy code", RuntimeWarning, stacklevel=2)
        _NUMBA = False
        return None
