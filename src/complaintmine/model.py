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

from .bundle import read_estimators, save_estimators
from .causes import CauseClassifier, check_cause_labels
from .errors import ModelFileError
from .features import ComplaintVectorizer
from .modelio import check_sha256
from .motives import MotiveEstimator
from .tokenizer import Tokenizer, default_tokenizer

__all__ = ["ComplaintModel", "as_model", "load_model", "save_model", "train_model", "DEFAULT_MODEL"]

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

    def check_can_classify(self, source: str | os.PathLike[str] | None = None) -> ComplaintModel:
        """Self, when it holds both a cause classifier and a motive estimator (what classifying
        needs); else ``ModelFileError`` naming ``source`` (the model file) and how to get one.

        Examples
        --------
        >>> load_model().check_can_classify().causes is not None
        True
        """
        missing = [what for what, part in (("cause classifier", self.causes), ("motive estimator", self.motives))
                   if part is None]
        if missing:
            where = f"model file {os.fspath(source)}" if source is not None else "the model"
            raise ModelFileError(
                f"{where} has no {' and no '.join(missing)}, so it cannot classify (a file from "
                "CauseClassifier.save() holds only causes). Use a model from `complaintmine train`, or save both: "
                "save_model(path, causes=clf, motives=MotiveEstimator.from_rules())."
            )
        return self


def save_model(path: str | os.PathLike[str], *, causes: CauseClassifier | None = None,
               motives: MotiveEstimator | None = None, tokenizer: Tokenizer | None = None,
               info: dict[str, Any] | None = None) -> None:
    """Save fitted estimators to one data-only model file (shared vectorizers stored once)."""
    save_estimators(path, {"causes": causes, "motives": motives}, tokenizer=tokenizer, info=info)


def _read(path: str | os.PathLike[str], sha256: str | None = None) -> ComplaintModel:
    found, tok, info = read_estimators(path, {"causes": CauseClassifier, "motives": MotiveEstimator}, sha256=sha256)
    return ComplaintModel(found.get("causes"), found.get("motives"), tok, info)


@lru_cache(maxsize=1)
def _default() -> ComplaintModel:
    with resources.as_file(_default_path()) as path:
        if not path.exists():
            raise ModelFileError(
                "the default model is missing from the package; run `complaintmine train` to build it"
            )
        return _read(path)


def _default_path() -> Any:
    return resources.files("complaintmine").joinpath("resources", DEFAULT_MODEL)


def load_model(path: str | os.PathLike[str] | None = None, *, sha256: str | None = None) -> ComplaintModel:
    """Load a model file, or the default model shipped with complaintmine when ``path`` is None.

    The file is checked as it is read (sizes, array shapes, dtypes and values against its
    vocabularies), so a damaged or crafted file gives ``ModelFileError``, never a crash. Its
    checksums have no key and prove nothing against someone who edits the file: to know a
    model someone shared is the one they meant, pass the SHA-256 digest they gave you by a
    channel you trust (``sha256sum my.cmm`` prints it).

    Parameters
    ----------
    path : path, optional
        Model file from ``complaintmine train`` / ``ComplaintModel.save``; None for the default.
    sha256 : str, optional
        The file's expected SHA-256 (64 hex digits); another digest raises ``ModelFileError``.

    Examples
    --------
    >>> model = load_model()
    >>> model.causes.predict(["房间隔音太差，一晚上没睡好"])[0]
    'facilities_environment'
    """
    if path is not None:
        return _read(path, sha256)
    if sha256 is not None:
        with resources.as_file(_default_path()) as where:
            check_sha256(where, sha256)
    return _default()


def as_model(model: ComplaintModel | str | os.PathLike[str] | None) -> ComplaintModel:
    """The ``model`` argument of every entry point: a ``ComplaintModel`` as it is, a path loaded,
    None for the bundled default (loaded once per process)."""
    if isinstance(model, ComplaintModel):
        return model
    return load_model(model)


def train_model(texts: Any, causes: Any, motives: Any = None, *, tokenizer: Tokenizer | None = None,
                cause_params: dict[str, Any] | None = None, motive_params: dict[str, Any] | None = None,
                vectorizer_params: dict[str, Any] | None = None, info: dict[str, Any] | None = None,
                progress: bool = False) -> ComplaintModel:
    """Train a cause classifier and (when ``motives`` is given) a motive estimator that share
    one tokenization pass and one vectorizer.

    ``progress=True`` shows a bar of the training steps on stderr (tokenizing, features, causes,
    motives). On the whole bundled labelled set (about 9,500 texts) training takes about a
    minute on 2 cores.

    Examples
    --------
    >>> from complaintmine.datasets import load_labeled
    >>> labeled = load_labeled()
    >>> model = train_model(labeled["text"], labeled["causes"], labeled["motives"])  # doctest: +SKIP
    >>> model.save("my_model.cmm")  # doctest: +SKIP
    """
    import pandas as pd

    from .features import Prepared, prepare
    from .progress import progress_bar
    from .taxonomy import parse_codes

    tok = tokenizer or default_tokenizer()
    texts = texts if isinstance(texts, Prepared) else list(texts)
    causes = list(causes)
    check_cause_labels(causes, len(texts))  # before minutes of tokenizing
    with progress_bar("train", total=4 if motives is not None else 3, unit="steps", disable=not progress) as bar:
        bar.set_postfix_str(f"tokenizing {len(texts)} texts")
        prepared = prepare(texts, tok)
        bar.update()
        bar.set_postfix_str("features")
        vec = ComplaintVectorizer(**(vectorizer_params or {})).fit(prepared)
        prepared.features(vec)
        bar.update()
        bar.set_postfix_str("causes")
        clf = CauseClassifier(tokenizer=tok, **(cause_params or {})).fit(prepared, causes, vectorizer=vec)
        bar.update()
        est = None
        meta = dict(info or {})
        primary_causes = [(parse_codes(c) or ["other"])[0] for c in causes]
        meta.setdefault("n_train", len(prepared))
        meta.setdefault("majority_cause", pd.Series(primary_causes).mode()[0])
        if motives is not None:
            bar.set_postfix_str("motives")
            motives = list(motives)
            est = MotiveEstimator(tokenizer=tok, **(motive_params or {})).fit(prepared, motives, vectorizer=vec)
            primary_motives = [(parse_codes(m) or ["none"])[0] for m in motives]
            meta.setdefault("majority_motive", pd.Series(primary_motives).mode()[0])
            bar.update()
    return ComplaintModel(clf, est, tok, meta)
