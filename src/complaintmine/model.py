"""The complaint model: a cause classifier and a motive estimator sharing one vectorizer,
saved together in one data-only file. ``load_model()`` gives the default model shipped
with the package (trained on ``data/labeled/`` by ``complaintmine train``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .causes import CauseClassifier
from .errors import ModelFileError
from .features import ComplaintVectorizer
from .modelio import load_bundle, save_bundle
from .motives import MotiveEstimator
from .tokenize import Tokenizer, available_backends

__all__ = ["ComplaintModel", "load_model", "save_model", "train_model", "DEFAULT_MODEL"]

#: file name of the default model under ``complaintmine/resources``
DEFAULT_MODEL = "default_model.cmm"


@dataclass
class ComplaintModel:
    """A cause classifier and a motive estimator (either may be None) with their tokenizer."""

    causes: CauseClassifier | None
    motives: MotiveEstimator | None
    tokenizer: Tokenizer
    info: dict[str, Any]

    def save(self, path: str | os.PathLike[str]) -> None:
        save_model(path, causes=self.causes, motives=self.motives, tokenizer=self.tokenizer, info=self.info)


def save_model(path: str | os.PathLike[str], *, causes: CauseClassifier | None = None,
               motives: MotiveEstimator | None = None, tokenizer: Tokenizer | None = None,
               info: dict[str, Any] | None = None) -> None:
    """Save fitted estimators to one data-only model file (shared vectorizers stored once)."""
    meta: dict[str, Any] = {"info": info or {}, "vectorizers": {}}
    arrays: dict[str, Any] = {}
    vec_ids: dict[int, str] = {}
    tok = tokenizer or (causes.tokenizer if causes is not None else None) or (
        motives.tokenizer if motives is not None else None)
    tok_params = (tok or Tokenizer(backend="auto")).get_params()
    tok_params.pop("user_dicts")
    tok_params["user_entries"] = [list(e) for e in (tok._user_entries if tok else [])]
    meta["tokenizer"] = tok_params
    for key, est in (("causes", causes), ("motives", motives)):
        if est is None:
            continue
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


def _tokenizer_from(params: dict[str, Any]) -> Tokenizer:
    params = dict(params)
    entries = params.pop("user_entries", [])
    if params.get("backend") == "rjieba" and "rjieba" not in available_backends():
        # models saved before the backend was kept as "auto"; rjieba only makes jieba faster
        params["backend"] = "auto"
    tok = Tokenizer(**params)
    for word, freq, _tag in entries:
        tok.add_word(word, freq)
    return tok


def _read(path: str | os.PathLike[str]) -> ComplaintModel:
    meta, arrays = load_bundle(path)
    try:
        vectors = {}
        for name, vm in meta.get("vectorizers", {}).items():
            va = {k[len(name) + 1:]: v for k, v in arrays.items() if k.startswith(name + "_")}
            vectors[name] = ComplaintVectorizer.from_state(vm, va)
        tok = _tokenizer_from(meta["tokenizer"])
        causes = motives = None
        if "causes" in meta:
            causes = CauseClassifier.from_state(meta["causes"], arrays, vectors.get(meta["causes"].get("vectorizer")))
            causes.tokenizer = tok
        if "motives" in meta:
            motives = MotiveEstimator.from_state(meta["motives"], arrays,
                                                 vectors.get(meta["motives"].get("vectorizer")))
            motives.tokenizer = tok
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, ModelFileError):
            raise
        raise ModelFileError(
            f"{path}: the model file is incomplete or of another layout ({err!r}); retrain it."
        ) from None
    return ComplaintModel(causes, motives, tok, meta.get("info", {}))


@lru_cache(maxsize=1)
def _default() -> ComplaintModel:
    ref = resources.files("complaintmine").joinpath("resources", DEFAULT_MODEL)
    with resources.as_file(ref) as path:
        if not path.exists():
            raise ModelFileError(
                "the default model is missing from the package; run `complaintmine train` to build it"
            )
        return _read(path)


def load_model(path: str | os.PathLike[str] | None = None) -> ComplaintModel:
    """Load a model file, or the default model shipped with complaintmine when ``path`` is None.

    Examples
    --------
    >>> model = load_model()
    >>> model.causes.predict(["房间隔音太差，一晚上没睡好"])[0]
    'facilities_environment'
    """
    return _default() if path is None else _read(path)


def train_model(texts: Any, causes: Any, motives: Any = None, *, tokenizer: Tokenizer | None = None,
                cause_params: dict[str, Any] | None = None, motive_params: dict[str, Any] | None = None,
                vectorizer_params: dict[str, Any] | None = None, info: dict[str, Any] | None = None,
                ) -> ComplaintModel:
    """Train a cause classifier and (when ``motives`` is given) a motive estimator that share
    one tokenization pass and one vectorizer.

    Examples
    --------
    >>> from complaintmine.datasets import load_labeled
    >>> labeled = load_labeled()
    >>> model = train_model(labeled["text"], labeled["causes"], labeled["motives"])  # doctest: +SKIP
    >>> model.save("my_model.cmm")  # doctest: +SKIP
    """
    import pandas as pd

    from .features import Prepared, prepare
    from .taxonomy import parse_codes

    tok = tokenizer or Tokenizer(backend="auto")
    texts = texts if isinstance(texts, Prepared) else list(texts)
    prepared = prepare(texts, tok)
    vec = ComplaintVectorizer(**(vectorizer_params or {})).fit(prepared)
    clf = CauseClassifier(tokenizer=tok, **(cause_params or {})).fit(prepared, list(causes), vectorizer=vec)
    est = None
    meta = dict(info or {})
    primary_causes = [(parse_codes(c) or ["other"])[0] for c in causes]
    meta.setdefault("n_train", len(texts))
    meta.setdefault("majority_cause", pd.Series(primary_causes).mode()[0])
    if motives is not None:
        motives = list(motives)
        est = MotiveEstimator(tokenizer=tok, **(motive_params or {})).fit(prepared, motives, vectorizer=vec)
        primary_motives = [(parse_codes(m) or ["none"])[0] for m in motives]
        meta.setdefault("majority_motive", pd.Series(primary_motives).mode()[0])
    return ComplaintModel(clf, est, tok, meta)
