"""The scikit-learn estimator protocol, without importing scikit-learn.

``CauseClassifier`` and ``MotiveEstimator`` behave as scikit-learn estimators (``get_params``,
``set_params``, ``sklearn.base.clone``, ``is_classifier``, ``score``, use in a grid search),
but a process that only loads a model and classifies never needs scikit-learn: inheriting
from ``sklearn.base.BaseEstimator`` would import it, SciPy's statistics and more, about a
second of every ``complaintmine classify``. These bases implement the same protocol as
``BaseEstimator`` (parameters are the keyword arguments of ``__init__``, stored unchanged as
attributes of the same name) and import scikit-learn only where it is needed (tags, score).
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["Estimator", "Classifier"]


class Estimator:
    """``get_params`` / ``set_params`` / ``repr`` as in ``sklearn.base.BaseEstimator``.

    Examples
    --------
    >>> class Scaler(Estimator):
    ...     def __init__(self, factor=1.0, *, shift=0.0):
    ...         self.factor = factor
    ...         self.shift = shift
    >>> Scaler(2.0).set_params(shift=1.0)
    Scaler(factor=2.0, shift=1.0)
    >>> Scaler().get_params()
    {'factor': 1.0, 'shift': 0.0}
    """

    @classmethod
    def _get_param_names(cls) -> list[str]:
        params = [p for p in inspect.signature(cls.__init__).parameters.values()
                  if p.name != "self" and p.kind != p.VAR_KEYWORD]
        if any(p.kind == p.VAR_POSITIONAL for p in params):
            raise RuntimeError(f"{cls.__name__}.__init__ must name its parameters (no *args)")
        return sorted(p.name for p in params)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters; with ``deep``, also those of parameters that have
        ``get_params`` (as ``key__subkey``)."""
        out: dict[str, Any] = {}
        for key in self._get_param_names():
            value = getattr(self, key)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{key}__{k}", v) for k, v in value.get_params().items())
            out[key] = value
        return out

    def set_params(self, **params: Any) -> Any:
        """Set constructor parameters (``key__subkey`` for a parameter's own); returns self."""
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: dict[str, dict[str, Any]] = {}
        for full_key, value in params.items():
            key, delim, sub_key = full_key.partition("__")
            if key not in valid:
                raise ValueError(f"Invalid parameter {key!r} for estimator {self}. "
                                 f"Valid parameters are: {self._get_param_names()!r}.")
            if delim:
                nested.setdefault(key, {})[sub_key] = value
            else:
                setattr(self, key, value)
                valid[key] = value
        for key, sub_params in nested.items():
            valid[key].set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        # as scikit-learn prints estimators: only the parameters that differ from the defaults
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
        shown = [f"{k}={v!r}" for k, v in self.get_params(deep=False).items() if not _is_default(v, defaults.get(k))]
        return f"{type(self).__name__}({', '.join(shown)})"

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import Tags, TargetTags

        tags = Tags(estimator_type=None, target_tags=TargetTags(required=False))
        tags.input_tags.two_d_array = False  # X is a list or column of texts, as for CountVectorizer
        tags.input_tags.string = True
        return tags


class Classifier(Estimator):
    """``Estimator`` plus what ``sklearn.base.ClassifierMixin`` adds: the classifier tags and
    ``score`` (accuracy)."""

    _estimator_type = "classifier"  # what scikit-learn before 1.6 looks at

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y``."""
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))  # type: ignore[attr-defined]

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags

        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        return tags


def _is_default(value: Any, default: Any) -> bool:
    if value is default:
        return True
    try:
        return type(value) is type(default) and bool(value == default)
    except Exception:  # e.g. arrays, whose == is elementwise
        return False
