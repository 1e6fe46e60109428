"""Shared text preparation and features for the cause and motive models.

``prepare`` normalizes and tokenizes a batch of texts once; ``Prepared`` caches cue counts
and feature matrices so that cause, motive and risk reuse them instead of repeating work.
``ComplaintVectorizer`` turns prepared texts into one sparse matrix: word uni/bi-grams
(TF-IDF over the project tokenizer), character 1-3-grams (TF-IDF, robust to segmentation
and to unseen domains) and cue-lexicon counts. It stores only vocabularies and IDF
weights, so it saves as plain data.

Counting n-grams against the fixed vocabularies is done by the accelerator
``_fast.ngrams.NgramCounter`` (NumPy for a whole batch, or one compiled Numba pass); it gives
exactly the sparse matrix of scikit-learn's ``CountVectorizer`` with the same vocabulary, the
readable reference ``_Tfidf`` falls back to (tests/test_batch_equivalence.py compares them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._fast.ngrams import NgramCounter as _NgramCounter
from ._linear import products
from .lexicon import Cue, Lexicon, default_lexicon
from .modelio import require_array, require_number, require_strings
from .normalization import PII_PLACEHOLDER, normalize_many
from .tokenizer import Tokenizer, default_tokenizer

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
        try:
            vec = TfidfVectorizer(**kwargs).fit(docs)
        except ValueError as err:  # scikit-learn's "no terms remain" / "max_df < min_df" on tiny data
            from .errors import LabelError

            raise LabelError(f"{len(docs)} texts are too few to train on: no {analyzer} n-gram occurs in "
                             f"{min_df} or more of them ({err}); label more texts (a few hundred)") from None
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
        with np.errstate(over="ignore"):  # a value beyond float32 becomes inf: refused next, not warned about
            dense = self.vectors.astype(np.float32)
        self._dense = require_array({"emb_vectors": dense}, "emb_vectors", shape=(len(self.words), None))

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
