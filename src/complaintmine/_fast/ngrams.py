"""Counting n-grams of a batch against a fixed vocabulary, fast: the accelerator behind
``features._Tfidf`` (whose reference is scikit-learn's ``CountVectorizer`` with the same
vocabulary; tests/test_batch_equivalence.py checks they agree bit for bit).

Character n-grams (n <= 3) are keyed by their code points packed into one int64, word n-grams
by the numbers of their tokens packed the same way; keys are looked up in a hash table of the
vocabulary's keys and the (row, column) pairs summed into a CSR matrix with sorted indices.
With Numba installed, counting, weighting and normalizing run in one compiled pass instead
(``kernels.tfidf_rows``), with the same result bit for bit.
"""

from __future__ import annotations

import re
import sys
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp

from . import kernels as _kernels

__all__ = ["NgramCounter", "KERNEL_MIN_DOCS"]


#: a smaller batch is weighted by the NumPy code unless Numba is loaded already: loading it
#: (import, cached machine code) pays only on large inputs, and a 10-row run starts faster
#: without it (figures: benchmarks/README.md, "The Numba threshold"; benchmarks/startup.py)
KERNEL_MIN_DOCS = 2000
_WHITE_SPACES = re.compile(r"\s\s+")  # what CountVectorizer's char analyzer collapses first
_CP_BITS = 21  # every code point (+1) fits in 21 bits: three pack exactly into an int64
_BLOCK = 2000  # documents counted at a time


class NgramCounter:
    """Counts of vocabulary n-grams for a batch of documents, computed with NumPy.

    Character n-grams (n <= 3) are keyed by their code points packed into one int64; word
    n-grams by the numbers of their tokens (every token that occurs in the vocabulary gets
    one) packed the same way. Keys are looked up in a hash table of the vocabulary's keys
    (unigrams in a plain array) and the (row, column) pairs summed into a CSR matrix with
    sorted indices, which is what ``CountVectorizer.transform`` returns for the vocabulary.
    """

    def __init__(self, analyzer: str, ngram_range: tuple[int, int], table: _KeyTable, n_features: int,
                 tokens: dict[str, int] | None = None, radix: int = 0) -> None:
        self.analyzer = analyzer
        self.min_n, self.max_n = ngram_range
        self.table = table  # key of each vocabulary n-gram -> its column
        self.n_features = n_features
        self.tokens = tokens or {}
        self.radix = radix  # word n-grams: key = key * radix + unit
        self.shift = _CP_BITS if analyzer == "char" else 0  # character n-grams: key = (key << shift) + unit
        self._logtf = np.zeros(0, dtype=np.float64)
        # unigrams by direct lookup: the column of each unit (code point + 1, or token number + 1)
        keys = table.keys
        units = keys[(keys > 0) & (keys < (1 << _CP_BITS if analyzer == "char" else radix))]
        self.single: np.ndarray | None = None
        if len(units) and int(units.max()) < 1 << 20:
            self.single = np.full(int(units.max()) + 1, -1, dtype=np.int64)
            self.single[units] = table.lookup(units)

    def _single(self, units: np.ndarray) -> np.ndarray:
        assert self.single is not None
        inside = units < len(self.single)
        return np.where(inside, self.single[np.where(inside, units, 0)], -1)

    @classmethod
    def build(cls, analyzer: str, ngram_range: tuple[int, int], vocabulary: list[str]) -> NgramCounter | None:
        min_n, max_n = int(ngram_range[0]), int(ngram_range[1])
        if not 1 <= min_n <= max_n:
            return None
        # the key of each vocabulary n-gram, computed for all of them at once (build time is
        # start-up time: a model's vocabularies have tens of thousands of terms)
        if analyzer == "char":
            if max_n > 3:
                return None
            lengths = np.fromiter(map(len, vocabulary), dtype=np.int64, count=len(vocabulary))
            units = np.frombuffer("".join(vocabulary).encode("utf-32-le", "surrogatepass"), dtype="<u4")
            cols = np.flatnonzero((lengths >= min_n) & (lengths <= max_n))
            starts = (np.cumsum(lengths) - lengths)[cols]
            keys = _pack(units.astype(np.int64) + 1, starts, lengths[cols], shift=_CP_BITS)
            tokens, radix = None, 0
        elif analyzer == "word":
            split = [term.split(" ") for term in vocabulary]
            kept = [col for col, parts in enumerate(split) if min_n <= len(parts) <= max_n and all(parts)]
            parts_of = [split[col] for col in kept]
            # numbered in order of first use; interned, as the tokenizer's tokens: lookups compare identities
            tokens = {sys.intern(t): i for i, t in enumerate(dict.fromkeys(chain.from_iterable(parts_of)))}
            radix = len(tokens) + 1
            if radix ** max_n >= 2 ** 62:
                return None
            lengths = np.fromiter(map(len, parts_of), dtype=np.int64, count=len(parts_of))
            units = np.fromiter(map(tokens.__getitem__, chain.from_iterable(parts_of)), dtype=np.int64,
                                count=int(lengths.sum())) + 1
            keys = _pack(units, np.cumsum(lengths) - lengths, lengths, radix=radix)
            cols = np.array(kept, dtype=np.int64)
        else:
            return None
        if len(np.unique(keys)) != len(keys):
            return None
        return cls(analyzer, (min_n, max_n), _KeyTable(keys, cols), len(vocabulary), tokens, radix)

    def transform(self, docs: list[str], split: list[list[str]] | None = None) -> sp.csr_matrix | None:
        """The count matrix, or None when a document is not a string (the caller falls back).

        ``split``: the tokens of each document (word n-grams), when the caller has them."""
        docs = list(docs)
        if not all(type(d) is str for d in docs):
            return None
        # blocks of a few thousand documents keep the working arrays in the CPU caches
        parts = [self._block(docs[i:i + _BLOCK], None if split is None else split[i:i + _BLOCK])
                 for i in range(0, len(docs), _BLOCK)]
        if any(part is None for part in parts):
            return None
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return sp.csr_matrix((0, self.n_features), dtype=np.float64)
        return sp.vstack(parts, format="csr")

    def _units(self, docs: list[str], split: list[list[str]] | None) -> tuple[np.ndarray, np.ndarray] | None:
        """The units of all documents, one after another (code point + 1, or token number + 1
        with 0 for a token outside the vocabulary), and the number of each document's units."""
        if self.analyzer == "char":
            if _WHITE_SPACES.search("\x00".join(docs)):
                docs = [_WHITE_SPACES.sub(" ", d) for d in docs]
            lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
            try:
                units = np.frombuffer("".join(docs).encode("utf-32-le", "surrogatepass"), dtype="<u4")
            except UnicodeEncodeError:
                return None
            return units.astype(np.int64) + 1, lengths
        if split is None:
            split = [d.split() for d in docs]
        lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(docs))
        units = np.fromiter(map(self.tokens.get, chain.from_iterable(split), repeat(-1)), dtype=np.int64,
                            count=int(lengths.sum())) + 1
        return units, lengths

    def tfidf(self, docs: list[str], split: list[list[str]] | None, idf: np.ndarray) -> sp.csr_matrix | None:
        """Sublinear TF-IDF, L2-normalized, in one compiled pass (see ``_kernels``); None when
        the kernels are not available or a document is not a string (the caller falls back).

        Gives exactly ``_Tfidf.transform``'s matrix of the counts, column order within rows included."""
        docs = list(docs)
        if len(docs) < KERNEL_MIN_DOCS and not _kernels.imported():
            return None
        if not _kernels.available() or not all(type(d) is str for d in docs):
            return None
        got = self._units(docs, split)
        if got is None:
            return None
        units, lengths = got
        starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        longest = int(lengths.max()) if len(lengths) else 0
        if len(self._logtf) <= longest:  # 1 + log(count), by NumPy as in _Tfidf.transform
            counts = np.arange(max(2 * longest, 64), dtype=np.float64)
            with np.errstate(divide="ignore"):
                self._logtf = 1.0 + np.log(counts)
        room = len(units) * (self.max_n - self.min_n + 1)
        index = np.int32 if room < 1 << 31 else np.int64  # as scipy chooses
        indptr = np.empty(len(docs) + 1, dtype=index)
        indices = np.empty(room, dtype=index)
        data = np.empty(room, dtype=np.float64)
        table = self.table
        single = self.single if self.single is not None else np.zeros(0, dtype=np.int64)
        nnz = _kernels.tfidf_rows(units, starts, self.min_n, self.max_n, self.shift, self.radix, table.keys,
                                  table.values, table.shift, np.uint64(table._MULT), single, idf, self._logtf,
                                  indptr, indices, data)
        if nnz is None:
            return None
        return sp.csr_matrix((data[:nnz].copy(), indices[:nnz].copy(), indptr), shape=(len(docs), self.n_features))

    def _block(self, docs: list[str], split: list[list[str]] | None = None) -> sp.csr_matrix | None:
        got = self._units(docs, split)
        if got is None:
            return None
        units, lengths = got
        shift, radix = self.shift, self.radix
        row_of = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        end_of = np.repeat(np.cumsum(lengths), lengths)  # where each unit's document ends
        position = np.arange(len(units), dtype=np.int64)
        rows, cols = [], []
        key = np.zeros(len(units), dtype=np.int64)
        for n in range(1, self.max_n + 1):
            size = len(units) - n + 1
            if size <= 0:
                break
            key = (key[:size] << shift) + units[n - 1:] if shift else key[:size] * radix + units[n - 1:]
            if n < self.min_n:
                continue
            ok = position[:size] + n <= end_of[:size]
            if radix:  # word n-grams: every token must be in the vocabulary
                known = units > 0
                for k in range(n):
                    ok &= known[k:k + size]
            col = self.table.lookup(key) if n > 1 or self.single is None else self._single(key)
            hit = ok & (col >= 0)
            rows.append(row_of[:size][hit])
            cols.append(col[hit])
        row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        return _count_matrix(row, col, len(docs), self.n_features)


def _count_matrix(row: np.ndarray, col: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    """CSR matrix counting each (row, col) pair, indices sorted within rows (canonical)."""
    if n_rows > 1 << 16 or n_cols > 1 << 16 or len(row) >= 1 << 31:
        counts = sp.csr_matrix((np.ones(len(row), dtype=np.float64), (row, col)), shape=(n_rows, n_cols))
        counts.sum_duplicates()  # sorts the indices of each row and adds up repeated pairs
        return counts
    # two stable radix sorts of 16-bit keys (column, then row) order the pairs by (row, column)
    r16, c16 = row.astype(np.uint16), col.astype(np.uint16)
    order = np.argsort(c16, kind="stable")
    order = order[np.argsort(r16[order], kind="stable")]
    r16, c16 = r16[order], c16[order]
    first = np.ones(len(r16), dtype=bool)
    first[1:] = (r16[1:] != r16[:-1]) | (c16[1:] != c16[:-1])
    starts = np.flatnonzero(first)
    data = np.diff(np.append(starts, len(r16))).astype(np.float64)
    indptr = np.zeros(n_rows + 1, dtype=np.int32)
    np.cumsum(np.bincount(r16[starts], minlength=n_rows), out=indptr[1:])
    return sp.csr_matrix((data, c16[starts].astype(np.int32), indptr), shape=(n_rows, n_cols))


class _KeyTable:
    """A read-only hash table from non-negative int64 keys to int64 values, probed with NumPy
    for many keys at once (open addressing, linear probing, load factor <= 1/4)."""

    _MULT = 0x9E3779B97F4A7C15

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        bits = max(4, (4 * len(keys)).bit_length())
        self.size = 1 << bits
        self.shift = np.uint64(64 - bits)
        self.keys = np.full(self.size, -1, dtype=np.int64)
        self.values = np.full(self.size, -1, dtype=np.int64)
        keys = np.asarray(keys, dtype=np.int64)
        values = np.asarray(values, dtype=np.int64)
        # linear probing, all keys at once: each round, the keys whose current slot is free
        # compete for it (the first wins); the others move on to the next slot
        home = self._slots(keys) if len(keys) else np.zeros(0, dtype=np.int64)
        slot, todo = home.copy(), np.arange(len(keys))
        while len(todo):
            free = self.keys[slot[todo]] == -1
            cand = todo[free]
            won = cand[np.unique(slot[cand], return_index=True)[1]]
            self.keys[slot[won]], self.values[slot[won]] = keys[won], values[won]
            todo = todo[self.keys[slot[todo]] != keys[todo]]
            slot[todo] = (slot[todo] + 1) & (self.size - 1)
        self.probes = int(((slot - home) & (self.size - 1)).max()) + 1 if len(keys) else 1

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.astype(np.uint64) * np.uint64(self._MULT)) >> self.shift).astype(np.int64)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, -1 for keys not in the table."""
        out = np.full(len(keys), -1, dtype=np.int64)
        slots = self._slots(keys)
        todo = np.arange(len(keys))
        mask = self.size - 1
        for _ in range(self.probes):
            found = self.keys[slots]
            match = found == keys
            out[todo[match]] = self.values[slots[match]]
            more = (~match) & (found != -1)
            if not more.any():
                break
            todo, keys, slots = todo[more], keys[more], (slots[more] + 1) & mask
        return out


def _pack(units: np.ndarray, starts: np.ndarray, lengths: np.ndarray, *, shift: int = 0,
          radix: int = 0) -> np.ndarray:
    """The key of each n-gram ``units[start:start + length]``: ``(key << shift) + unit`` for
    characters, ``key * radix + unit`` for words (the callers make sure it fits in an int64)."""
    key = np.zeros(len(starts), dtype=np.int64)
    for pos in range(int(lengths.max()) if len(lengths) else 0):
        has = lengths > pos
        unit = units[starts[has] + pos]
        key[has] = (key[has] << shift) + unit if shift else key[has] * radix + unit
    return key
