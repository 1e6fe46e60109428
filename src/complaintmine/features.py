"""Shared text preparation and features for the cause and motive models.

``prepare`` normalizes and tokenizes a batch of texts once; ``Prepared`` caches cue counts
and feature matrices so that cause, motive and risk reuse them instead of repeating work.
``ComplaintVectorizer`` turns prepared texts into one sparse matrix: word uni/bi-grams
(TF-IDF over the project tokenizer), character 1-3-grams (TF-IDF, robust to segmentation
and to unseen domains) and cue-lexicon counts. It stores only vocabularies and IDF
weights, so it saves as plain data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from .lexicon import Cue, Lexicon, default_lexicon
from .normalize import normalize
from .tokenize import Tokenizer

__all__ = ["Prepared", "prepare", "ComplaintVectorizer", "STYLE_FEATURES"]

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
        """Cues of ``lexicon`` found in each text (computed once)."""
        key = ("cues", id(lexicon))
        if key not in self._cache:
            self._cache[key] = [lexicon.find(t) for t in self.norm]
        return self._cache[key]

    def cue_counts(self, lexicon: Lexicon) -> np.ndarray:
        """Cue counts per lexicon group, shape ``(n, len(lexicon.columns))``."""
        key = ("cue_counts", id(lexicon))
        if key not in self._cache:
            self._cache[key] = lexicon.counts_from(self.cues(lexicon))
        return self._cache[key]

    def style(self) -> np.ndarray:
        if "style" not in self._cache:
            out = np.zeros((len(self.norm), len(STYLE_FEATURES)), dtype=np.float32)
            for i, t in enumerate(self.norm):
                out[i, 0] = t.count("!")
                out[i, 1] = t.count("!!")
                out[i, 2] = t.count("?")
                out[i, 3] = t.count("??")
                out[i, 4] = len(t)
            self._cache["style"] = out
        return self._cache["style"]

    def features(self, vectorizer: ComplaintVectorizer) -> sp.csr_matrix:
        key = ("features", id(vectorizer))
        if key not in self._cache:
            self._cache[key] = vectorizer.transform(self)
        return self._cache[key]

    def subset(self, index: Iterable[int]) -> Prepared:
        idx = list(index)
        return Prepared([self.norm[i] for i in idx], [self.tokens[i] for i in idx])


def prepare(texts: Any, tokenizer: Tokenizer | None = None) -> Prepared:
    """Normalize and tokenize ``texts`` (any iterable; non-strings count as empty).

    A ``Prepared`` passed in is returned as it is.

    Examples
    --------
    >>> p = prepare(["送餐員太慢了！！！"])
    >>> p.norm, p.tokens
    (['送餐员太慢了!!!'], ['送餐员 太慢 了'])
    """
    if isinstance(texts, Prepared):
        return texts
    if isinstance(texts, str):
        raise TypeError("expected a list or column of texts, got a single string; wrap it in a list")
    tok = tokenizer or _default_tokenizer()
    norm = [normalize(t) for t in texts]
    return Prepared(norm, [" ".join(tok.tokenize(t)) for t in norm])


_TOKENIZER: Tokenizer | None = None


def _default_tokenizer() -> Tokenizer:
    global _TOKENIZER
    if _TOKENIZER is None:
        _TOKENIZER = Tokenizer(backend="auto")
    return _TOKENIZER


class _Tfidf:
    """TF-IDF with a fixed vocabulary: sublinear tf x idf, L2-normalized rows."""

    def __init__(self, analyzer: str, ngram_range: tuple[int, int], vocabulary: list[str], idf: np.ndarray):
        self.analyzer = analyzer
        self.ngram_range = tuple(ngram_range)
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float64)
        kwargs: dict[str, Any] = {"lowercase": False, "ngram_range": self.ngram_range, "dtype": np.float64}
        if analyzer == "word":
            kwargs.update(tokenizer=str.split, token_pattern=None)
        else:
            kwargs.update(analyzer="char")
        self._counter = CountVectorizer(vocabulary={t: i for i, t in enumerate(self.vocabulary)}, **kwargs)

    @classmethod
    def fit(cls, docs: list[str], analyzer: str, ngram_range: tuple[int, int], min_df: int,
            max_features: int | None) -> _Tfidf:
        kwargs: dict[str, Any] = {"lowercase": False, "ngram_range": ngram_range, "min_df": min_df,
                                  "max_features": max_features, "sublinear_tf": True}
        if analyzer == "word":
            kwargs.update(tokenizer=str.split, token_pattern=None)
        else:
            kwargs.update(analyzer="char")
        vec = TfidfVectorizer(**kwargs).fit(docs)
        vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
        return cls(analyzer, ngram_range, vocab, vec.idf_)

    def transform(self, docs: list[str]) -> sp.csr_matrix:
        counts = self._counter.transform(docs).astype(np.float64)
        counts.data = 1.0 + np.log(counts.data)
        counts = counts @ sp.diags(self.idf)
        return l2_normalize(counts, copy=False).tocsr()

    def __getstate__(self) -> dict[str, Any]:
        return {"analyzer": self.analyzer, "ngram_range": self.ngram_range, "vocabulary": self.vocabulary,
                "idf": self.idf}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]


class ComplaintVectorizer:
    """Word and character TF-IDF plus cue-lexicon and style features.

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
    """

    def __init__(self, *, word_ngrams: tuple[int, int] = (1, 2), char_ngrams: tuple[int, int] = (1, 3),
                 min_df: int = 2, max_features: int = 40000, cue_scale: float = 0.5,
                 lexicon: Lexicon | None = None) -> None:
        self.word_ngrams = tuple(word_ngrams)
        self.char_ngrams = tuple(char_ngrams)
        self.min_df = min_df
        self.max_features = max_features
        self.cue_scale = cue_scale
        self.lexicon = lexicon or default_lexicon()
        self.word_: _Tfidf | None = None
        self.char_: _Tfidf | None = None

    def fit(self, prepared: Prepared) -> ComplaintVectorizer:
        self.word_ = _Tfidf.fit(prepared.tokens, "word", self.word_ngrams, self.min_df, self.max_features)
        self.char_ = _Tfidf.fit(prepared.norm, "char", self.char_ngrams, self.min_df, self.max_features)
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
        return sp.hstack(
            [self.word_.transform(prepared.tokens), self.char_.transform(prepared.norm),
             sp.csr_matrix(self.dense(prepared))],
            format="csr",
        )

    def feature_names(self) -> list[str]:
        assert self.word_ is not None and self.char_ is not None
        return ([f"word:{t}" for t in self.word_.vocabulary] + [f"char:{t}" for t in self.char_.vocabulary]
                + self.dense_names)

    # -- plain-data state (see complaintmine.modelio) ----------------------------------------
    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        assert self.word_ is not None and self.char_ is not None
        meta = {"word_ngrams": list(self.word_ngrams), "char_ngrams": list(self.char_ngrams),
                "min_df": self.min_df, "max_features": self.max_features, "cue_scale": self.cue_scale,
                "lexicon": self.lexicon.to_dict(), "word_vocab": self.word_.vocabulary,
                "char_vocab": self.char_.vocabulary}
        return meta, {"word_idf": self.word_.idf, "char_idf": self.char_.idf}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> ComplaintVectorizer:
        vec = cls(word_ngrams=tuple(meta["word_ngrams"]), char_ngrams=tuple(meta["char_ngrams"]),
                  min_df=meta["min_df"], max_features=meta["max_features"], cue_scale=meta["cue_scale"],
                  lexicon=Lexicon(meta["lexicon"]))
        vec.word_ = _Tfidf("word", vec.word_ngrams, meta["word_vocab"], arrays["word_idf"])
        vec.char_ = _Tfidf("char", vec.char_ngrams, meta["char_vocab"], arrays["char_idf"])
        return vec
