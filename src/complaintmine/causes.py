"""``CauseClassifier``: what each complaint is about (TAXONOMY.md causes, or your own codes)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._estimator import Classifier, Estimator
from ._linear import LinearBinarySet, LinearSoftmax
from .errors import LabelError, ModelFileError, NotFittedError
from .features import ComplaintVectorizer, Prepared, prepare
from .lexicon import Lexicon, as_lexicon
from .modelio import require_number, require_strings
from .taxonomy import CAUSES, parse_codes
from .tokenizer import Tokenizer

__all__ = ["CauseClassifier", "CauseDecision", "check_cause_labels"]


@dataclass(frozen=True)
class CauseDecision:
    """What ``CauseClassifier.decide`` found for a batch of texts.

    Attributes
    ----------
    classes : ndarray of str
        Cause codes, the column order of ``proba`` and ``label_proba``.
    proba : ndarray, shape (n, n_classes)
        Probability of each class being the primary cause.
    primary : ndarray of str
        The primary cause of each text (``other`` for a text with nothing to analyse).
    label_proba : ndarray, shape (n, n_classes)
        Probability that each cause applies at all (multi-label).
    causes : list of list of str
        All causes of each text, primary first.
    """

    classes: np.ndarray
    proba: np.ndarray
    primary: np.ndarray
    label_proba: np.ndarray
    causes: list[list[str]]

    @property
    def primary_index(self) -> np.ndarray:
        """Column of each text's primary cause in ``proba``."""
        index = {c: i for i, c in enumerate(self.classes)}
        return np.array([index[c] for c in self.primary], dtype=np.int64)

    @property
    def score(self) -> np.ndarray:
        """Probability of each text's primary cause."""
        return self.proba[np.arange(len(self.primary)), self.primary_index]


def check_cause_labels(y: Any, n_texts: int | None = None) -> list[list[str]]:
    """The cause codes of each label of ``y``, checked for training: one label per text, none
    empty, at least two different primary causes; else ``LabelError`` saying which rows.

    Examples
    --------
    >>> check_cause_labels(["delivery", "product_quality;delivery"])
    [['delivery'], ['product_quality', 'delivery']]
    """
    codes = [parse_codes(v) for v in y]
    if n_texts is not None and len(codes) != n_texts:
        raise LabelError(f"X has {n_texts} texts but y has {len(codes)} labels")
    missing = [i for i, c in enumerate(codes) if not c]
    if missing:
        raise LabelError(f"{len(missing)} of {len(codes)} labels are empty (first: row {missing[0]} of the rows "
                         "used, counting from 0); every text needs at least one cause code (docs/TAXONOMY.md)")
    primary = {c[0] for c in codes}
    if len(primary) < 2:
        raise LabelError(f"all {len(codes)} labels have the same primary cause "
                         f"({next(iter(primary), '-')}); a classifier needs at least two different causes")
    return codes


class CauseClassifier(Classifier):
    """Multi-label complaint-cause classifier with a primary cause and evidence.

    Two modes:

    * ``mode="model"`` (default): logistic regression over word and character TF-IDF and
      cue-lexicon counts, trained with ``fit`` on your labels (any codes you like),
      probabilities calibrated by temperature scaling on out-of-fold predictions and
      blended with the cue lexicon (``lexicon_weight``) so unseen domains still get
      sensible answers.
    * ``mode="lexicon"``: no training data needed; causes come from the bundled cue
      lexicon (TAXONOMY.md codes). ``fit`` only records the classes.

    Parameters
    ----------
    mode : {"model", "lexicon"}, default "model"
    C : float, default 0.5
        Inverse regularisation strength of the linear models.
    loss : {"hinge", "log"}, default "hinge"
        A linear SVM (squared hinge) or logistic regression (about ten times slower to train,
        no better on held-out domains); probabilities are calibrated on out-of-fold decision
        values either way.
    lexicon_weight : float, default 0.5
        Share of the cue-lexicon probabilities in the final blend (0 = model only). Loss, C and
        this weight were chosen by ``benchmarks/evaluate_domains.py --score dev``
        (leave-one-domain-out over eight domains, scored on rows never used as test rows): 0.5
        gave the best mean macro-F1 on the held-out domains, the case that matters for new
        industries.
    multilabel_threshold : float, default 0.5
        Probability above which a non-primary cause is also reported.
    max_features, min_df : int
        Vocabulary cap and minimum document frequency of the TF-IDF blocks.
    lexicon : Lexicon or path, optional
        Cue lexicon (JSON); the bundled one by default.
    tokenizer : Tokenizer, optional
        Word segmenter; ``Tokenizer(backend="auto")`` by default.
    names : dict, optional
        Display names of your codes (default: the Chinese names of TAXONOMY.md).
    random_state : int, default 0

    Attributes
    ----------
    classes_ : ndarray of str
        Cause codes, in the column order of ``predict_proba``.

    Examples
    --------
    >>> from complaintmine import CauseClassifier
    >>> clf = CauseClassifier().fit(texts, labels)        # doctest: +SKIP
    >>> clf.predict(["送餐员迟到了一个小时，菜都凉了"])       # doctest: +SKIP
    array(['delivery'], dtype=object)
    >>> CauseClassifier.from_lexicon().predict(["房间隔音太差，一晚上没睡好"])
    array(['facilities_environment'], dtype=object)
    """

    def __init__(self, mode: str = "model", *, C: float = 0.5, loss: str = "hinge", lexicon_weight: float = 0.5,
                 multilabel_threshold: float = 0.5, max_features: int = 40000, min_df: int = 2,
                 lexicon: Lexicon | str | os.PathLike[str] | None = None, tokenizer: Tokenizer | None = None,
                 names: dict[str, str] | None = None, random_state: int = 0) -> None:
        self.mode = mode
        self.C = C
        self.loss = loss
        self.lexicon_weight = lexicon_weight
        self.multilabel_threshold = multilabel_threshold
        self.max_features = max_features
        self.min_df = min_df
        self.lexicon = lexicon
        self.tokenizer = tokenizer
        self.names = names
        self.random_state = random_state

    # -- helpers -------------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "classes_"):
            raise NotFittedError(
                "This CauseClassifier is not fitted yet. Call fit(texts, labels), or use "
                "CauseClassifier.from_lexicon() or complaintmine.load_model() for a ready one."
            )

    def _prepare(self, X: Any) -> Prepared:
        return prepare(X, self.tokenizer)

    # -- fitting -------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any = None, *, vectorizer: ComplaintVectorizer | None = None) -> CauseClassifier:
        """Fit on texts ``X`` and labels ``y``.

        Parameters
        ----------
        X : iterable of str or Prepared
            Complaint texts (raw; they are normalized and tokenized here).
        y : iterable
            One label per text: a code (``"delivery"``), several codes with the primary first
            (``"delivery;product_quality"`` or a list). Ignored in lexicon mode.
        vectorizer : ComplaintVectorizer, optional
            An already fitted vectorizer to share (e.g. with a ``MotiveEstimator``).

        Returns
        -------
        self
        """
        if self.mode not in ("model", "lexicon"):
            raise ValueError(f"mode must be 'model' or 'lexicon', got {self.mode!r}")
        lex = as_lexicon(self.lexicon)
        self.lexicon_ = lex
        if self.mode == "lexicon":
            self.classes_ = np.array(lex.groups("causes") + ["other"], dtype=object)
            self.names_ = dict(CAUSES, **(self.names or {}))
            return self
        if y is None:
            raise ValueError("fit needs labels y in mode='model' (or use mode='lexicon')")
        prepared = self._prepare(X)
        codes = check_cause_labels(y, len(prepared))
        primary = np.array([c[0] for c in codes], dtype=object)
        classes = sorted({code for c in codes for code in c})
        self.vectorizer_ = vectorizer if vectorizer is not None else ComplaintVectorizer(
            max_features=self.max_features, min_df=self.min_df, lexicon=lex).fit(prepared)
        features = prepared.features(self.vectorizer_)
        self.primary_ = LinearSoftmax.fit(features, primary, C=self.C, random_state=self.random_state,
                                          loss=self.loss)
        multi = np.array([[code in c for code in classes] for c in codes], dtype=bool)
        self.multilabel_ = LinearBinarySet.fit(features, multi, classes, C=self.C, random_state=self.random_state,
                                               loss=self.loss)
        self.classes_ = np.array(classes, dtype=object)
        self.names_ = dict(CAUSES, **(self.names or {}))
        return self

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon | str | os.PathLike[str] | None = None, **kwargs: Any) -> CauseClassifier:
        """A ready classifier that needs no labels (``mode="lexicon"``)."""
        return cls(mode="lexicon", lexicon=lexicon, **kwargs).fit(None)

    # -- prediction ----------------------------------------------------------------------------
    def _lexicon_proba(self, prepared: Prepared) -> np.ndarray:
        lex = self.lexicon_
        counts = prepared.cue_counts(lex)
        cols = {c: i for i, c in enumerate(lex.columns)}
        scores = np.full((len(prepared), len(self.classes_)), -np.inf)
        for j, code in enumerate(self.classes_):
            if f"causes:{code}" in cols:
                scores[:, j] = 1.5 * np.log1p(counts[:, cols[f"causes:{code}"]]) * 2
            elif code == "other":
                scores[:, j] = 0.75
        if np.isinf(scores).all(axis=1).any():
            scores[np.isinf(scores).all(axis=1)] = 0.0
        finite = np.where(np.isinf(scores), -1e9, scores)
        return np.exp(finite - finite.max(axis=1, keepdims=True)) / np.exp(
            finite - finite.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)

    def _model_proba(self, prepared: Prepared) -> np.ndarray:
        p = self.primary_.proba_of(prepared.product(self.vectorizer_, self.primary_))
        out = np.zeros((len(prepared), len(self.classes_)))
        index = {c: i for i, c in enumerate(self.classes_)}
        for j, c in enumerate(self.primary_.classes):
            out[:, index[c]] = p[:, j]
        return out

    def linear_models(self) -> list[Any]:
        """The linear models ``decide`` applies to ``vectorizer_``'s features (none in lexicon
        mode); a caller that shares the features can compute their products at once
        (``Prepared.share_products``)."""
        return [] if self.mode == "lexicon" else [self.primary_, self.multilabel_]

    def decide(self, X: Any) -> CauseDecision:
        """Primary cause, probabilities and all causes of each text, in one pass.

        ``X``: texts, or a ``Prepared`` batch (shared with a ``MotiveEstimator``).

        Examples
        --------
        >>> d = CauseClassifier.from_lexicon().decide(["房间隔音太差，空调也坏了"])
        >>> d.primary.tolist(), d.causes
        (['facilities_environment'], [['facilities_environment']])
        """
        self._check_fitted()
        prepared = self._prepare(X)
        proba = self._proba(prepared)
        primary = self._predict_prepared(prepared, proba)
        label_proba = self._label_proba(prepared)
        return CauseDecision(np.asarray(self.classes_), proba, primary, label_proba,
                             self._multilabel(primary, label_proba))

    def _proba(self, prepared: Prepared) -> np.ndarray:
        if self.mode == "lexicon":
            return self._lexicon_proba(prepared)
        p = self._model_proba(prepared)
        w = float(self.lexicon_weight)
        if w > 0:
            p = (1 - w) * p + w * self._lexicon_proba(prepared)
        return p

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probability of each class being the primary cause, shape ``(n, n_classes)``."""
        self._check_fitted()
        return self._proba(self._prepare(X))

    def predict(self, X: Any) -> np.ndarray:
        """The primary cause code of each text (``"other"`` for empty texts)."""
        self._check_fitted()
        prepared = self._prepare(X)
        return self._predict_prepared(prepared, self._proba(prepared))

    def _predict_prepared(self, prepared: Prepared, proba: np.ndarray) -> np.ndarray:
        pred = self.classes_[proba.argmax(axis=1)].astype(object)
        if "other" in set(self.classes_):
            pred[~prepared.usable()] = "other"  # nothing to analyse
        return pred

    def label_proba(self, X: Any) -> np.ndarray:
        """Probability that each class applies at all (multi-label), shape ``(n, n_classes)``."""
        self._check_fitted()
        return self._label_proba(self._prepare(X))

    def _label_proba(self, prepared: Prepared) -> np.ndarray:
        if self.mode == "lexicon":
            lex = self.lexicon_
            counts = prepared.cue_counts(lex)
            cols = {c: i for i, c in enumerate(lex.columns)}
            out = np.zeros((len(prepared), len(self.classes_)))
            for j, code in enumerate(self.classes_):
                if f"causes:{code}" in cols:
                    out[:, j] = 1 - np.exp(-0.7 * counts[:, cols[f"causes:{code}"]])
            return out
        p = self.multilabel_.proba_of(prepared.product(self.vectorizer_, self.multilabel_))
        out = np.zeros((len(prepared), len(self.classes_)))
        index = {c: i for i, c in enumerate(self.classes_)}
        for j, c in enumerate(self.multilabel_.labels):
            out[:, index[c]] = p[:, j]
        return out

    def predict_multilabel(self, X: Any) -> list[list[str]]:
        """All causes of each text, primary first, then the others by probability."""
        self._check_fitted()
        prepared = self._prepare(X)
        primary = self._predict_prepared(prepared, self._proba(prepared))
        return self._multilabel(primary, self._label_proba(prepared))

    def _multilabel(self, primary: np.ndarray, label_p: np.ndarray) -> list[list[str]]:
        """The primary cause, then the other causes (not ``other``) at or above the threshold,
        most probable first; only ``other`` when that is the primary cause."""
        classes = np.asarray(self.classes_)
        primary = np.asarray(primary, dtype=object)
        extra = label_p >= self.multilabel_threshold
        extra &= (classes[None, :] != primary[:, None]) & (classes != "other")[None, :]
        extra[primary == "other"] = False
        out = [[first] for first in primary.tolist()]
        rows = np.flatnonzero(extra.any(axis=1))
        if len(rows):
            order = np.argsort(-label_p[rows], axis=1, kind="stable")
            keep = np.take_along_axis(extra[rows], order, axis=1)
            names = classes[order].tolist()
            for r, row_names, row_keep in zip(rows.tolist(), names, keep.tolist()):
                out[r].extend(c for c, k in zip(row_names, row_keep) if k)
        return out

    # -- explanation ---------------------------------------------------------------------------
    def explain(self, text: str, *, top: int = 8) -> dict[str, Any]:
        """Why a text got its cause: the cue words found and the terms that weighed most.

        Returns
        -------
        dict
            ``cause``, ``cause_zh``, ``probability``, ``causes`` (multi-label),
            ``cues`` (lexicon cue words found for the cause), ``terms``
            (``[(feature, contribution), ...]``, largest positive contributions to the
            primary cause first: ``word:`` tokens, ``char:`` n-grams, ``cue:`` counts).

        Examples
        --------
        >>> CauseClassifier.from_lexicon().explain("外卖两个小时才送到，都凉了")["cues"]
        ['小时才送', '都凉了']
        """
        self._check_fitted()
        prepared = self._prepare([text])
        proba = self._proba(prepared)
        primary = self._predict_prepared(prepared, proba)
        causes = self._multilabel(primary, self._label_proba(prepared))[0]
        code = str(primary[0])
        j = list(self.classes_).index(code)
        cues = [c.term for c in self.lexicon_.find(prepared.norm[0]) if f"causes:{code}" in c.groups]
        terms: list[tuple[str, float]] = []
        if self.mode == "model" and code in self.primary_.classes:
            row = prepared.features(self.vectorizer_)
            k = self.primary_.classes.index(code)
            contrib = sp.csr_matrix(row).multiply(self.primary_.coef[k]).tocsr()
            names = self.vectorizer_.feature_names()
            order = np.argsort(-contrib.data)[:top]
            terms = [(names[contrib.indices[i]], round(float(contrib.data[i]), 4)) for i in order
                     if contrib.data[i] > 0]
        return {"cause": code, "cause_zh": self.names_.get(code, code), "probability": float(proba[0, j]),
                "causes": causes, "cues": cues, "terms": terms}

    # -- persistence ---------------------------------------------------------------------------
    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        self._check_fitted()
        meta: dict[str, Any] = {"kind": "CauseClassifier", "params": _json_params(self),
                                "classes": list(self.classes_), "names": self.names_,
                                "lexicon": self.lexicon_.to_dict()}
        arrays: dict[str, np.ndarray] = {}
        if self.mode == "model":
            m1, a1 = self.primary_.state("cause_primary")
            m2, a2 = self.multilabel_.state("cause_multi")
            meta.update(primary=m1, multilabel=m2)
            arrays.update(a1)
            arrays.update(a2)
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray],
                   vectorizer: ComplaintVectorizer | None) -> CauseClassifier:
        if meta.get("kind") != "CauseClassifier":
            raise ModelFileError("the model file holds no CauseClassifier")
        if not isinstance(meta.get("params"), dict) or meta["params"].get("mode", "model") not in ("model", "lexicon"):
            raise ModelFileError("the CauseClassifier settings of the model file are not valid; retrain it")
        clf = cls(**meta["params"])
        require_number(clf.lexicon_weight, "lexicon_weight", lo=0, hi=1)
        require_number(clf.multilabel_threshold, "multilabel_threshold", lo=0, hi=1)
        clf.lexicon_ = Lexicon(meta["lexicon"])
        classes = require_strings(meta["classes"], "cause classes", nonempty=True)
        clf.classes_ = np.array(classes, dtype=object)
        names = meta["names"]
        if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
            raise ModelFileError("the cause names of the model file are not a JSON object of texts; retrain it")
        clf.names_ = names
        if clf.mode == "model":
            if vectorizer is None:
                raise ModelFileError("the model file has a trained CauseClassifier but no vectorizer")
            clf.vectorizer_ = vectorizer
            width = vectorizer.n_features
            clf.primary_ = LinearSoftmax.from_state("cause_primary", meta["primary"], arrays, n_features=width)
            clf.multilabel_ = LinearBinarySet.from_state("cause_multi", meta["multilabel"], arrays, n_features=width)
            for what, codes in (("primary", clf.primary_.classes), ("multi-label", clf.multilabel_.labels)):
                if not set(codes) <= set(classes):
                    raise ModelFileError(f"the {what} cause model of the model file scores codes that are not among "
                                         "its classes; the file is damaged or crafted: retrain it")
        return clf

    def save(self, path: str | os.PathLike[str]) -> None:
        """Save to a data-only model file (see ``complaintmine.modelio``)."""
        from .bundle import save_estimators

        save_estimators(path, {"causes": self})

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CauseClassifier:
        """Load a classifier saved with ``save`` or ``complaintmine train``."""
        from .bundle import read_estimators

        found, _, _ = read_estimators(path, {"causes": cls})
        if "causes" not in found:
            raise ModelFileError(f"{path} holds no CauseClassifier")
        return found["causes"]


def _json_params(est: Estimator) -> dict[str, Any]:
    """Constructor parameters that are plain data (lexicon and tokenizer are stored apart)."""
    params = est.get_params(deep=False)
    params.pop("lexicon", None)
    params.pop("tokenizer", None)
    return params
