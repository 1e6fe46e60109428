"""Linear models with calibrated probabilities, stored as plain arrays.

Training uses scikit-learn's ``LogisticRegression``; what is kept is only ``coef``,
``intercept`` and the calibration parameters fitted on out-of-fold decision values
(temperature scaling for the multi-class model, Platt scaling for binary ones). Predicting
needs NumPy only: scikit-learn, SciPy's optimizers and joblib are imported by the training
functions (loading and using a model does not pay for them).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

from .modelio import require_array, require_number, require_strings


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))


def _logreg(C: float, random_state: int, binary: bool = False, loss: str = "log") -> Any:
    """The linear learner: logistic regression (``loss="log"``) or a linear SVM (``"hinge"``,
    squared hinge, one-vs-rest; about ten times faster to train on sparse TF-IDF). Either way
    only ``coef_`` / ``intercept_`` are kept and probabilities come from the calibration."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if loss == "hinge":
        return LinearSVC(C=C, class_weight="balanced", max_iter=5000, random_state=random_state)
    if loss != "log":
        raise ValueError(f"loss must be 'log' or 'hinge', got {loss!r}")
    # liblinear is several times faster than lbfgs for binary problems on sparse TF-IDF
    return LogisticRegression(C=C, class_weight="balanced", max_iter=3000, random_state=random_state,
                              solver="liblinear" if binary else "lbfgs")


#: folds of the out-of-fold decision values that the probabilities are calibrated on
CALIBRATION_FOLDS = 3


def _folds(y: np.ndarray, n_splits: int, random_state: int) -> Any:
    from sklearn.model_selection import KFold, StratifiedKFold

    _, counts = np.unique(y, return_counts=True)
    k = int(min(n_splits, counts.min())) if len(counts) > 1 else 0
    if k >= 2:
        return StratifiedKFold(k, shuffle=True, random_state=random_state).split(np.zeros(len(y)), y)
    return KFold(min(n_splits, len(y)), shuffle=True, random_state=random_state).split(np.zeros(len(y)))


class LinearSoftmax:
    """Multi-class logistic regression with temperature-scaled probabilities."""

    def __init__(self, classes: list[str], coef: np.ndarray, intercept: np.ndarray, temperature: float = 1.0):
        self.classes = list(classes)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.temperature = float(temperature)

    @classmethod
    def fit(cls, X: sp.csr_matrix, y: np.ndarray, *, C: float, random_state: int = 0,
            calibrate: bool = True, loss: str = "log") -> LinearSoftmax:
        lr = _logreg(C, random_state, loss=loss).fit(X, y)
        classes = [str(c) for c in lr.classes_]
        coef, intercept = lr.coef_, lr.intercept_
        if len(classes) == 2:  # sklearn keeps one row for binary problems
            coef = np.vstack([-coef[0], coef[0]]) / 2
            intercept = np.array([-intercept[0], intercept[0]]) / 2
        model = cls(classes, coef, intercept)
        if calibrate and len(y) >= 20:
            oof = np.zeros((len(y), len(classes)))
            index = {c: i for i, c in enumerate(classes)}
            for tr, te in _folds(y, CALIBRATION_FOLDS, random_state):
                if len(np.unique(y[tr])) < 2:
                    continue
                sub = _logreg(C, random_state, loss=loss).fit(X[tr], y[tr])
                dec = sub.decision_function(X[te])
                if dec.ndim == 1:
                    dec = np.column_stack([-dec / 2, dec / 2])
                full = np.full((len(te), len(classes)), -30.0)
                for j, c in enumerate(sub.classes_):
                    full[:, index[str(c)]] = dec[:, j]
                oof[te] = full
            target = np.array([index[str(c)] for c in y])

            def nll(log_t: float) -> float:
                p = softmax(oof / np.exp(log_t))
                return -float(np.mean(np.log(p[np.arange(len(target)), target] + 1e-12)))

            from scipy.optimize import minimize_scalar

            model.temperature = float(np.exp(minimize_scalar(nll, bounds=(-3, 3), method="bounded").x))
        return model

    def proba(self, X: sp.csr_matrix) -> np.ndarray:
        return self.proba_of(np.asarray(X @ self.coef.T))

    def proba_of(self, product: np.ndarray) -> np.ndarray:
        """``proba`` from ``X @ coef.T`` computed elsewhere (see ``products``)."""
        return softmax((product + self.intercept) / self.temperature)

    def state(self, prefix: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return ({"classes": self.classes, "temperature": self.temperature},
                {f"{prefix}_coef": self.coef.astype(np.float32), f"{prefix}_intercept": self.intercept})

    @classmethod
    def from_state(cls, prefix: str, meta: dict[str, Any], arrays: dict[str, np.ndarray], *,
                   n_features: int) -> LinearSoftmax:
        """The model of ``state``, its arrays checked against its classes and ``n_features``
        (the width of the features it reads) before anything runs on them."""
        classes = require_strings(meta["classes"], f"{prefix} classes", nonempty=True)
        k = len(classes)
        return cls(classes, require_array(arrays, f"{prefix}_coef", shape=(k, n_features)),
                   require_array(arrays, f"{prefix}_intercept", shape=(k,)),
                   require_number(meta["temperature"], f"{prefix} temperature", lo=1e-6, hi=1e6))


def _fit_binary(X: sp.csr_matrix, y: np.ndarray, C: float, random_state: int,
                loss: str) -> tuple[np.ndarray, float, np.ndarray]:
    """One binary model: weights, intercept and Platt parameters fitted on out-of-fold decisions."""
    lr = _logreg(C, random_state, binary=True, loss=loss).fit(X, y)
    oof = np.zeros(len(y))
    for tr, te in _folds(y, CALIBRATION_FOLDS, random_state):
        if len(np.unique(y[tr])) < 2:
            continue
        oof[te] = _logreg(C, random_state, binary=True, loss=loss).fit(X[tr], y[tr]).decision_function(X[te])

    def nll(ab: np.ndarray) -> float:
        p = sigmoid(ab[0] * oof + ab[1])
        return -float(np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))

    from scipy.optimize import minimize

    ab = minimize(nll, np.array([1.0, 0.0]), method="L-BFGS-B", bounds=[(0.01, 20.0), (-20.0, 20.0)]).x
    return lr.coef_[0], float(lr.intercept_[0]), ab


class LinearBinarySet:
    """Independent binary logistic regressions (one per label) with Platt-scaled probabilities."""

    def __init__(self, labels: list[str], coef: np.ndarray, intercept: np.ndarray, platt: np.ndarray):
        self.labels = list(labels)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.platt = np.asarray(platt, dtype=np.float64)  # (n_labels, 2): a, b in sigmoid(a*z + b)

    @classmethod
    def fit(cls, X: sp.csr_matrix, Y: np.ndarray, labels: list[str], *, C: float,
            random_state: int = 0, min_positives: int = 3, loss: str = "log") -> LinearBinarySet:
        from joblib import Parallel, delayed

        todo = [j for j in range(len(labels))
                if min_positives <= int(Y[:, j].sum()) < len(Y)]
        # liblinear releases the GIL: the labels train side by side on threads
        fitted = Parallel(n_jobs=min(len(todo), os.cpu_count() or 1) or 1, prefer="threads")(
            delayed(_fit_binary)(X, Y[:, j].astype(int), C, random_state, loss) for j in todo)
        keep = [labels[j] for j in todo]
        coefs = [f[0] for f in fitted]
        intercepts = [f[1] for f in fitted]
        platts = [f[2] for f in fitted]
        n_features = X.shape[1]
        return cls(keep, np.array(coefs).reshape(len(keep), n_features), np.array(intercepts),
                   np.array(platts).reshape(len(keep), 2))

    def proba(self, X: sp.csr_matrix) -> np.ndarray:
        return self.proba_of(np.asarray(X @ self.coef.T))

    def proba_of(self, product: np.ndarray) -> np.ndarray:
        """``proba`` from ``X @ coef.T`` computed elsewhere (see ``products``)."""
        z = product + self.intercept
        return sigmoid(z * self.platt[:, 0] + self.platt[:, 1])

    def state(self, prefix: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return ({"labels": self.labels},
                {f"{prefix}_coef": self.coef.astype(np.float32), f"{prefix}_intercept": self.intercept,
                 f"{prefix}_platt": self.platt})

    @classmethod
    def from_state(cls, prefix: str, meta: dict[str, Any], arrays: dict[str, np.ndarray], *,
                   n_features: int) -> LinearBinarySet:
        """The model of ``state``, checked as ``LinearSoftmax.from_state`` checks."""
        labels = require_strings(meta["labels"], f"{prefix} labels")
        k = len(labels)
        return cls(labels, require_array(arrays, f"{prefix}_coef", shape=(k, n_features)),
                   require_array(arrays, f"{prefix}_intercept", shape=(k,)),
                   require_array(arrays, f"{prefix}_platt", shape=(k, 2)))


#: the weights of the models of the last ``products`` call, stacked: (their coef arrays, stacked)
_STACKED: tuple[tuple[np.ndarray, ...], np.ndarray | None] = ((), None)


def products(X: sp.csr_matrix, models: list[Any]) -> list[np.ndarray]:
    """``[X @ m.coef.T for m in models]`` by one sparse product over the stacked weights.

    The same numbers (each output column sums the same terms in the same order), in less time
    than one product per model: one pass over ``X``, one visit to each feature's weights. The
    stacked weights are kept for the next call with the same models.
    """
    global _STACKED
    coefs, stacked = _STACKED
    if len(coefs) != len(models) or any(c is not m.coef for c, m in zip(coefs, models)):
        coefs = tuple(m.coef for m in models)
        stacked = np.ascontiguousarray(np.vstack(coefs).T)
        _STACKED = (coefs, stacked)
    z = np.asarray(X @ stacked)
    bounds = np.cumsum([0] + [len(c) for c in coefs]).tolist()
    return [z[:, a:b] for a, b in zip(bounds[:-1], bounds[1:])]
