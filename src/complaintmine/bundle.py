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
from .tokenizer import Tokenizer

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


def read_estimators(path: str | os.PathLike[str], classes: dict[str, Any], *,
                    sha256: str | None = None) -> tuple[dict[str, Any], Tokenizer, dict[str, Any]]:
    """Read a model file: ``({key: classes[key].from_state(...)}, tokenizer, info)`` for the keys
    of ``classes`` the file holds; each estimator gets the file's tokenizer.

    Each part checks its own state as it is built (shapes, dtypes, finiteness against its
    vocabularies; see ``modelio.require_array``), so nothing runs on a crafted array;
    ``sha256`` is the digest the file must have."""
    meta, arrays = load_bundle(path, sha256=sha256)
    try:
        vectors = {}
        if not isinstance(meta.get("vectorizers", {}), dict) or not isinstance(meta.get("info", {}), dict):
            raise ModelFileError("the manifest's vectorizers or info are not a JSON object")
        for name, vm in meta.get("vectorizers", {}).items():
            va = {k[len(name) + 1:]: v for k, v in arrays.items() if k.startswith(name + "_")}
            vectors[name] = ComplaintVectorizer.from_state(vm, va)
        tok = Tokenizer.from_params(meta["tokenizer"])
        found = {}
        for key, cls in classes.items():
            if key in meta:
                if not isinstance(meta[key], dict):
                    raise ModelFileError(f"the manifest's {key!r} section is not a JSON object")
                est = cls.from_state(meta[key], arrays, vectors.get(meta[key].get("vectorizer")))
                est.tokenizer = tok
                found[key] = est
    except ModelFileError as err:
        raise ModelFileError(f"{path}: {err}") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as err:
        # the parts check what they use; a manifest of another layout still fails somewhere
        raise ModelFileError(
            f"{path}: the model file is incomplete or of another layout ({type(err).__name__}: "
            f"{str(err)[:200]}); retrain it."
        ) from None
    return found, tok, meta.get("info", {})
