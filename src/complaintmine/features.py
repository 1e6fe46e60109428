"""Shared text preparation and features for the cause and motive models.

``prepare`` normalizes and tokenizes a batch of texts once; ``Prepared`` caches cue counts
and feature matrices so that cause, motive and risk reuse them instead of repeating work.
``ComplaintVectorizer`` turns prepared texts into one sparse matrix: word uni/bi-grams
(TF-IDF over the project tokenizer), character 1-3-grams (TF-IDF, robust to segmentation
and to unseen domains) and cue-lexicon counts. It stores only vocabularies and IDF
weights, so it saves as plain data.

Counting n-grams against the fixed vocabularies is done by ``_NgramCounter`` with NumPy for a
whole batch at once (character n-grams as packed code points, word n-grams as packed token
numbers, looked up in a hash table of the vocabulary); it gives exactly the sparse matrix of
scikit-learn's ``CountVectorizer`` with the same vocabulary, which remains the fallback. With
Numba installed, counting, weighting and normalizing run in one compiled pass instead
(``_kernels.tfidf_rows``), with the same result bit for bit.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import _kernels
from ._linear import products
from .lexicon import Cue, Lexicon, default_lexicon
from .modelio import require_array, require_number, require_strings
from .normalize import PII_PLACEHOLDER, normalize_many
from .tokenize import Tokenizer, default_tokenizer

__all__ = ["Prepared", "prepare", "ComplaintVectorizer", "WordVectors", "default_word_vectors", "STYLE_FEATURES"]

#: names of the style columns appended after the cue counts
STYLE_FEATURES = ("exclaim", "exclaim_run", "question", "question_run", "length")


@dataclass
class Prepared:
    """Texts normalized and tokenized once, with cached derived features.

    Attributes
    ----------
    norm : list of str
        Normalized texts (simplified, half-width, PII masked).
    tokens : list of str
        Space-joined tokens of each text (stopwords and punctuation removed).
    """

    norm: list[str]
    tokens: list[str]
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.norm)

    def cues(self, lexicon: Lexicon) -> list[list[Cue]]:
        """Cues of ``lexicon`` found in each text (computed once per lexicon content, so the
        cause classifier, the motive estimator and the vectorizer share one pass)."""
        key = ("cues", _lexicon_key(lexicon))
        if key not in self._cache:
            find_many = getattr(lexicon, "find_many", None)
            self._cache[key] = find_many(self.norm) if find_many else [lexicon.find(t) for t in self.norm]
        return self._cache[key]

    def cue_counts(self, lexicon: Lexicon) -> np.ndarray:
        """Cue counts per lexicon group, shape ``(n, len(lexicon.columns))``."""
        key = ("cue_counts", _lexicon_key(lexicon))
        if key not in self._cache:
            self._cache[key] = lexicon.counts_from(self.cues(lexicon))
        return self._cache[key]

    def style(self) -> np.ndarray:
        if "style" not in self._cache:
            rows = [(t.count("!"), t.count("!!"), t.count("?"), t.count("??"), len(t)) for t in self.norm]
            out = np.array(rows, dtype=np.float32).reshape(len(self.norm), len(STYLE_FEATURES))
            self._cache["style"] = out
        return self._cache["style"]

    def token_lists(self) -> list[list[str]]:
        """The tokens of each text as a list (kept from tokenization, or split from ``tokens``)."""
        if "token_lists" not in self._cache:
            self._cache["token_lists"] = [t.split() for t in self.tokens]
        return self._cache["token_lists"]

    def usable(self) -> np.ndarray:
        """True where a text has words to analyse: a token with a letter (Chinese or Latin), not
        counting PII placeholders, that is more than a bare verdict (``VERDICT_WORDS``: 差评,
        垃圾, 太差 ...). Empty texts, texts of only numbers, symbols or combining marks, and
        verdicts alone ("差评！！！") are not usable: they get cause ``other``, motive ``none``
        and risk ``low``."""
        if "usable" not in self._cache:
            self._cache["usable"] = np.array([_has_words(t) for t in self.tokens], dtype=bool)
        return self._cache["usable"]

    def features(self, vectorizer: ComplaintVectorizer) -> sp.csr_matrix:
        key = ("features", id(vectorizer))
        if key not in self._cache:
            self._cache[key] = vectorizer.transform(self)
        return self._cache[key]

    def product(self, vectorizer: ComplaintVectorizer, model: Any) -> np.ndarray:
        """``features(vectorizer) @ model.coef.T`` for a linear model (computed once)."""
        key = ("product", id(vectorizer), id(model))
        if key not in self._cache:
            self._cache[key] = np.asarray(self.features(vectorizer) @ model.coef.T)
        return self._cache[key]

    def share_products(self, vectorizer: ComplaintVectorizer, models: list[Any]) -> None:
        """Compute ``product`` for all ``models`` at once (one sparse product, the same numbers)."""
        todo = [m for m in models if ("product", id(vectorizer), id(m)) not in self._cache]
        if len(todo) > 1:
            for m, z in zip(todo, products(self.features(vectorizer), todo)):
                self._cache["product", id(vectorizer), id(m)] = z

    def subset(self, index: Iterable[int]) -> Prepared:
        idx = list(index)
        return Prepared([self.norm[i] for i in idx], [self.tokens[i] for i in idx])


#: verdicts that say nothing about what went wrong: a text of only these ("差评！！！") has no cause
VERDICT_WORDS = frozenset(
    "差评 中评 垃圾 很差 太差 差 极差 超差 非常差 差差 差差差 不好 很不好 太不好 失望 很失望 太失望 非常失望 "
    "一般 一般般 无语 呵呵 坑 坑爹 不满意 很不满意 非常不满意 不推荐 吐槽 投诉 负分 零分 一星 难用 不行".split())


def _has_words(tokens: str) -> bool:
    return not unusable_reason(tokens)


def unusable_reason(tokens: str) -> str:
    """Why a text (its space-joined tokens) has nothing to analyse, or ``""`` when it has."""
    text = PII_PLACEHOLDER.sub("", tokens) if "<" in tokens else tokens
    if not any(ch.isalpha() for ch in text):
        return "no words to analyse (only symbols or numbers)"
    if all(t in VERDICT_WORDS for t in text.split()):
        return "no complaint content (only a verdict such as 差评)"
    return ""


def prepare(texts: Any, tokenizer: Tokenizer | None = None) -> Prepared:
    """Normalize and tokenize ``texts`` (any iterable; non-strings count as empty).

    A ``Prepared`` passed in is returned as it is.

    Examples
    --------
    >>> p = prepare(["送餐員太慢了！！！"])
    >>> p.norm, p.tokens
    (['送餐员太慢了!!!'], ['送餐员 太慢'])
    """
    if isinstance(texts, Prepared):
        return texts
    if isinstance(texts, str):
        raise TypeError("expected a list or column of texts, got a single string; wrap it in a list")
    tok = tokenizer or _default_tokenizer()
    norm = normalize_many(texts)
    many = getattr(tok, "tokenize_many", None)
    tokens = many(norm) if many is not None else [tok.tokenize(t) for t in norm]
    prepared = Prepared(norm, [" ".join(t) for t in tokens])
    if type(tok) is Tokenizer:  # its tokens hold no whitespace: the lists are what splitting gives
        prepared._cache["token_lists"] = tokens
    return prepared


def _lexicon_key(lexicon: Lexicon) -> Any:
    key = getattr(lexicon, "cache_key", None)
    return key if isinstance(key, str) else id(lexicon)


def _default_tokenizer() -> Tokenizer:
    return default_tokenizer()


class _Tfidf:
    """TF-IDF with a fixed vocabulary: sublinear tf x idf, L2-normalized rows."""

    def __init__(self, analyzer: str, ngram_range: tuple[int, int], vocabulary: list[str], idf: np.ndarray):
        self.analyzer = analyzer
        self.ngram_range = tuple(ngram_range)
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float64)
        self._sklearn_counter: Any = None  # see _counter
        self._fast: _NgramCounter | None | bool = False  # built on first use

    @classmethod
    def fit(cls, docs: list[str], analyzer: str, ngram_range: tuple[int, int], min_df: int,
            max_features: int | None) -> _Tfidf:
        from sklearn.feature_extraction.text import TfidfVectorizer

        kwargs: dict[str, Any] = {"lowercase": False, "ngram_range": ngram_range, "min_df": min_df,
                                  "max_features": max_features, "sublinear_tf": True}
        if analyzer == "word":
            kwargs.update(tokenizer=str.split, token_pattern=None)
        else:
            kwargs.update(analyzer="char")
        vec = TfidfVectorizer(**kwargs).fit(docs)
        vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
        return cls(analyzer, ngram_range, vocab, vec.idf_)

    def counts(self, docs: list[str], split: list[list[str]] | None = None) -> sp.csr_matrix:
        """n-gram counts, exactly ``CountVectorizer(vocabulary=...).transform(docs)`` (float64).

        ``split``: for word n-grams, ``[d.split() for d in docs]`` when the caller has it."""
        fast = self._fast_counter()
        if fast is not None:
            counts = fast.transform(docs, split)
            if counts is not None:
                return counts
        return self._counter.transform(docs)

    @property
    def _counter(self) -> Any:
        """scikit-learn's ``CountVectorizer`` with this vocabulary: the fallback of the fast
        counter, and its reference in the tests. Built on first use (it is rarely needed, and
        importing scikit-learn would slow every start)."""
        if self._sklearn_counter is None:
            from sklearn.feature_extraction.text import CountVectorizer

            kwargs: dict[str, Any] = {"lowercase": False, "ngram_range": self.ngram_range, "dtype": np.float64}
            if self.analyzer == "word":
                kwargs.update(tokenizer=str.split, token_pattern=None)
            else:
                kwargs.update(analyzer="char")
            self._sklearn_counter = CountVectorizer(vocabulary={t: i for i, t in enumerate(self.vocabulary)},
                                                    **kwargs)
        return self._sklearn_counter

    def _fast_counter(self) -> _NgramCounter | None:
        if self._fast is False:
            self._fast = _NgramCounter.build(self.analyzer, self.ngram_range, self.vocabulary)
        return self._fast  # type: ignore[return-value]

    def transform(self, docs: list[str], split: list[list[str]] | None = None) -> sp.csr_matrix:
        fast = self._fast_counter()
        if fast is not None:
            done = fast.tfidf(docs, split, self.idf)
            if done is not None:
                return done
        counts = self.counts(docs, split).astype(np.float64)
        counts.data = 1.0 + np.log(counts.data)
        counts = counts @ sp.diags(self.idf)
        return _l2_normalize_rows(counts.tocsr())

    def __getstate__(self) -> dict[str, Any]:
        return {"analyzer": self.analyzer, "ngram_range": self.ngram_range, "vocabulary": self.vocabulary,
                "idf": self.idf}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]


def _l2_normalize_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled to unit L2 norm in place (rows of zeros kept): exactly what scikit-learn's
    ``normalize(matrix, copy=False)`` gives, without importing scikit-learn.

    The squared norm of each row is summed in index order, as scikit-learn (and the compiled
    kernel) sum it: SciPy's sparse matrix-vector product adds each row's terms one after
    another, and multiplying by 1.0 changes no square.
    """
    squares = sp.csr_matrix((matrix.data * matrix.data, matrix.indices, matrix.indptr), shape=matrix.shape)
    sums = squares @ np.ones(matrix.shape[1])
    norms = np.where(sums == 0.0, 1.0, np.sqrt(sums))
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr))
    return matrix


#: a smaller batch is weighted by the NumPy code unless Numba is loaded already: loading it
#: (import, cached machine code) takes about 0.5 s and saves about 4 µs per text, so it pays
#: only on large inputs, and a 10-row run starts faster without it (benchmarks/startup.py)
KERNEL_MIN_DOCS = 2000
_WHITE_SPACES = re.compile(r"\s\s+")  # what CountVectorizer's char analyzer collapses first
_CP_BITS = 21  # every code point (+1) fits in 21 bits: three pack exactly into an int64
_BLOCK = 2000  # documents counted at a time


class _NgramCounter:
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
    def build(cls, analyzer: str, ngram_range: tuple[int, int], vocabulary: list[str]) -> _NgramCounter | None:
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


class WordVectors:
    """Word vectors and word weights: a text's vector is the IDF-weighted mean of its words'.

    Parameters
    ----------
    words : list of str
    vectors : ndarray, shape (len(words), dim)
    idf : ndarray, shape (len(words),)
        Weight of each word (IDF over the texts the vectors were trained on).

    Examples
    --------
    >>> wv = default_word_vectors()
    >>> wv.transform(prepare(["信号太差，经常断网"])).shape
    (1, 100)
    """

    def __init__(self, words: list[str], vectors: np.ndarray, idf: np.ndarray) -> None:
        self.words = require_strings(list(words), "emb_words")
        # the vectors and weights come from files: checked before anything runs on them
        got = {"emb_vectors": np.asarray(vectors), "emb_idf": np.asarray(idf)}
        self.vectors = require_array(got, "emb_vectors", shape=(len(self.words), None))
        self.idf = np.asarray(require_array(got, "emb_idf", shape=(len(self.words),)), dtype=np.float64)
        self._tfidf = _Tfidf("word", (1, 1), self.words, self.idf)
        self._dense = self.vectors.astype(np.float32)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def transform(self, prepared: Prepared) -> np.ndarray:
        """One L2-normalized vector per text (zeros for a text with no known word)."""
        weights = self._tfidf.transform(prepared.tokens, prepared.token_lists())
        out = np.asarray(weights @ self._dense, dtype=np.float64)
        norm = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norm, out=np.zeros_like(out), where=norm > 0)


_WORD_VECTORS: WordVectors | None = None


def default_word_vectors() -> WordVectors:
    """The bundled word vectors (``scripts/train_embeddings.py``), loaded once."""
    global _WORD_VECTORS
    if _WORD_VECTORS is None:
        from importlib import resources

        ref = resources.files("complaintmine").joinpath("resources", "word_vectors.npz")
        with ref.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
            _WORD_VECTORS = WordVectors(data["words"].tolist(), data["vectors"], data["idf"])
    return _WORD_VECTORS


class ComplaintVectorizer:
    """Word and character TF-IDF plus cue-lexicon, style and word-vector features.

    Parameters
    ----------
    word_ngrams, char_ngrams : tuple of int
        n-gram ranges of the word and character TF-IDF blocks.
    min_df : int
        Minimum document frequency of an n-gram.
    max_features : int
        Cap on each TF-IDF vocabulary.
    cue_scale : float
        Weight of the (log-scaled) cue and style block relative to the TF-IDF blocks.
    lexicon : Lexicon, optional
        Cue lexicon; the bundled one by default.
    embeddings : WordVectors, "bundled" or None, default "bundled"
        Word vectors for a dense block of each text's mean word vector (``emb:`` features):
        the bundled ones, trained on ~100,000 unlabelled reviews and complaints, carry what
        words mean into industries the labels do not cover. None leaves the block out.
    embedding_scale : float, default 0.5
        Weight of the word-vector block relative to the TF-IDF blocks.
    """

    def __init__(self, *, word_ngrams: tuple[int, int] = (1, 2), char_ngrams: tuple[int, int] = (1, 3),
                 min_df: int = 2, max_features: int = 40000, cue_scale: float = 0.5,
                 lexicon: Lexicon | None = None, embeddings: WordVectors | str | None = "bundled",
                 embedding_scale: float = 0.5) -> None:
        self.word_ngrams = tuple(word_ngrams)
        self.char_ngrams = tuple(char_ngrams)
        self.min_df = min_df
        self.max_features = max_features
        self.cue_scale = cue_scale
        self.lexicon = lexicon or default_lexicon()
        self.embeddings = embeddings
        self.embedding_scale = embedding_scale
        self.word_: _Tfidf | None = None
        self.char_: _Tfidf | None = None
        self.emb_: WordVectors | None = None

    def fit(self, prepared: Prepared) -> ComplaintVectorizer:
        self.word_ = _Tfidf.fit(prepared.tokens, "word", self.word_ngrams, self.min_df, self.max_features)
        self.char_ = _Tfidf.fit(prepared.norm, "char", self.char_ngrams, self.min_df, self.max_features)
        if self.embeddings is None or isinstance(self.embeddings, WordVectors):
            self.emb_ = self.embeddings
        elif self.embeddings == "bundled":
            self.emb_ = default_word_vectors()
        else:
            raise ValueError(f"embeddings must be 'bundled', a WordVectors or None, got {self.embeddings!r}")
        return self

    @property
    def dense_names(self) -> list[str]:
        return [f"cue:{c}" for c in self.lexicon.columns] + [f"style:{s}" for s in STYLE_FEATURES]

    def dense(self, prepared: Prepared) -> np.ndarray:
        block = np.hstack([prepared.cue_counts(self.lexicon), prepared.style()])
        return np.log1p(block) * self.cue_scale

    def transform(self, prepared: Prepared) -> sp.csr_matrix:
        if self.word_ is None or self.char_ is None:
            from .errors import NotFittedError

            raise NotFittedError("this ComplaintVectorizer is not fitted yet; call fit first")
        blocks = [self.word_.transform(prepared.tokens, prepared.token_lists()), self.char_.transform(prepared.norm),
                  sp.csr_matrix(self.dense(prepared))]
        if self.emb_ is not None:
            blocks.append(sp.csr_matrix(self.emb_.transform(prepared) * self.embedding_scale))
        return sp.hstack(blocks, format="csr")

    def feature_names(self) -> list[str]:
        assert self.word_ is not None and self.char_ is not None
        emb = [f"emb:{i}" for i in range(self.emb_.dim)] if self.emb_ is not None else []
        return ([f"word:{t}" for t in self.word_.vocabulary] + [f"char:{t}" for t in self.char_.vocabulary]
                + self.dense_names + emb)

    # -- plain-data state (see complaintmine.modelio) ----------------------------------------
    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        assert self.word_ is not None and self.char_ is not None
        meta = {"word_ngrams": list(self.word_ngrams), "char_ngrams": list(self.char_ngrams),
                "min_df": self.min_df, "max_features": self.max_features, "cue_scale": self.cue_scale,
                "lexicon": self.lexicon.to_dict(), "word_vocab": self.word_.vocabulary,
                "char_vocab": self.char_.vocabulary}
        arrays = {"word_idf": self.word_.idf, "char_idf": self.char_.idf}
        if self.emb_ is not None:  # the model carries its own copy: it reads the same after an upgrade
            meta.update(emb_words=self.emb_.words, embedding_scale=self.embedding_scale)
            arrays.update(emb_vectors=self.emb_.vectors.astype(np.float16), emb_idf=self.emb_.idf.astype(np.float32))
        return meta, arrays

    @property
    def n_features(self) -> int:
        """Width of ``transform``'s matrix: what the linear models reading it must match."""
        assert self.word_ is not None and self.char_ is not None
        emb = self.emb_.dim if self.emb_ is not None else 0
        return len(self.word_.vocabulary) + len(self.char_.vocabulary) + len(self.dense_names) + emb

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> ComplaintVectorizer:
        """The vectorizer of ``to_state``; every setting and array is checked against the
        vocabularies first (an IDF shorter than its vocabulary would make the compiled kernel
        read past its end), so a damaged or crafted file raises ``ModelFileError``."""
        emb = None
        if "emb_words" in meta:  # model files from before word vectors have none
            emb = WordVectors(meta["emb_words"], require_array(arrays, "emb_vectors", shape=(None, None)),
                              require_array(arrays, "emb_idf", shape=(None,)))
        word_vocab = require_strings(meta["word_vocab"], "word_vocab")
        char_vocab = require_strings(meta["char_vocab"], "char_vocab")
        vec = cls(word_ngrams=_ngram_range(meta["word_ngrams"], "word_ngrams"),
                  char_ngrams=_ngram_range(meta["char_ngrams"], "char_ngrams"),
                  min_df=meta["min_df"], max_features=meta["max_features"],
                  cue_scale=require_number(meta["cue_scale"], "cue_scale", lo=0, hi=1e6),
                  lexicon=Lexicon(meta["lexicon"]), embeddings=emb,
                  embedding_scale=require_number(meta.get("embedding_scale", 0.5), "embedding_scale", lo=0, hi=1e6))
        vec.word_ = _Tfidf("word", vec.word_ngrams, word_vocab,
                           require_array(arrays, "word_idf", shape=(len(word_vocab),)))
        vec.char_ = _Tfidf("char", vec.char_ngrams, char_vocab,
                           require_array(arrays, "char_idf", shape=(len(char_vocab),)))
        vec.emb_ = emb
        return vec


#: longest n-grams a model file may ask for (the bundled model uses 2 words, 3 characters)
_MAX_NGRAM = 8


def _ngram_range(value: Any, name: str) -> tuple[int, int]:
    """An n-gram range from a manifest: two whole numbers ``1 <= low <= high <= _MAX_NGRAM``."""
    if not isinstance(value, list) or len(value) != 2:
        require_number(None, name)  # raises, naming the setting
    low = require_number(value[0], f"{name}[0]", lo=1, hi=_MAX_NGRAM, integer=True)
    high = require_number(value[1], f"{name}[1]", lo=low, hi=_MAX_NGRAM, integer=True)
    return low, high
