"""Fitted estimators to and from one data-only model file (``complaintmine.modelio``).

Below the estimators: it sees them only through ``to_state`` / ``vectorizer_`` / ``tokenizer``,
so ``CauseClassifier.save`` and ``complaintmine.model`` both use it without importing each other.
"""

from __future__ import annotations

import os
from typing import Any

from .errors import ModelFileError
from .features import ComplaintVectorizer
from .modelio import load_bundle, save_bundle
from .tokenize import Tokenizer

__all__ = ["save_estimators", "read_estimators"]


def save_estimators(path: str | os.PathLike[str], estimators: dict[str, Any], *,
                    tokenizer: Tokenizer | None = None, info: dict[str, Any] | None = None) -> None:
    """Save fitted estimators (``{"causes": clf, "motives": est}``; None entries skipped) to
    one model file; a vectorizer they share is stored once."""
    meta: dict[str, Any] = {"info": info or {}, "vectorizers": {}}
    arrays: dict[str, Any] = {}
    vec_ids: dict[int, str] = {}
    present = {k: e for k, e in estimators.items() if e is not None}
    tok = tokenizer or next((e.tokenizer for e in present.values() if e.tokenizer is not None), None)
    meta["tokenizer"] = (tok or Tokenizer(backend="auto")).to_params()
    for key, est in present.items():
        m, a = est.to_state()
        vec = getattr(est, "vectorizer_", None)
        if vec is not None:
            if id(vec) not in vec_ids:
                name = f"vec{len(vec_ids)}"
                vec_ids[id(vec)] = name
                vm, va = vec.to_state()
                meta["vectorizers"][name] = vm
                arrays.update({f"{name}_{k}": v for k, v in va.items()})
            m["vectorizer"] = vec_ids[id(vec)]
        meta[key] = m
        arrays.update(a)
    save_bundle(path, meta, arrays)


def read_estimators(path: str | os.PathLike[str], classes: dict[str, Any]) -> tuple[dict[str, Any], Tokenizer,
                                                                                   dict[str, Any]]:
    """Read a model file: ``({key: classes[key].from_state(...)}, tokenizer, info)`` for the keys
    of ``classes`` the file holds; each estimator gets the file's tokenizer."""
    meta, arrays = load_bundle(path)
    try:
        vectors = {}
        for name, vm in meta.get("vectorizers", {}).items():
            va = {k[len(name) + 1:]: v for k, v in arrays.items() if k.startswith(name + "_")}
            vectors[name] = ComplaintVectorizer.from_state(vm, va)
        tok = Tokenizer.from_params(meta["tokenizer"])
        found = {}
        for key, cls in classes.items():
            if key in meta:
                est = cls.from_state(meta[key], arrays, vectors.get(meta[key].get("vectorizer")))
                est.tokenizer = tok
                found[key] = est
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, ModelFileError):
            raise
        raise ModelFileError(
            f"{path}: the model file is incomplete or of another layout ({err!r}); retrain it."
        ) from None
    return found, tok, meta.get("info", {})
