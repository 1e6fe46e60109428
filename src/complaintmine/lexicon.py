"""Cue lexicons: the words that signal each cause, motive and escalation risk.

A ``Lexicon`` is plain data (JSON): groups of cue terms under ``causes``, ``motives`` and
``risks``. ``Lexicon.find`` reports every cue in a text with its position; ``count_matrix``
turns many texts into cue counts, one column per group, for the models. One compiled
alternation matches all terms in a single pass, longest term first; a cue directly after a
negation (不 / 没 / 无 / 非) is ignored unless the cue itself starts with one.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from ._resources import resource_json
from .errors import ModelFileError

__all__ = ["Lexicon", "Cue", "default_lexicon"]

_KINDS = ("causes", "motives", "risks")
_NEGATIONS = "不没无非别未"


@dataclass(frozen=True)
class Cue:
    """One cue found in a text."""

    term: str
    start: int
    groups: tuple[str, ...]  # e.g. ("causes:delivery", "risks:repeat")


class Lexicon:
    """Cue terms grouped by kind (``causes`` / ``motives`` / ``risks``) and name.

    Parameters
    ----------
    data : dict
        ``{"causes": {code: [terms]}, "motives": {...}, "risks": {...}}``; other keys
        (``version``, ``about``) are kept as metadata.

    Examples
    --------
    >>> lex = default_lexicon()
    >>> [c.term for c in lex.find("送餐员态度差，要求退款")]
    ['送餐员', '态度差', '退款']
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = _validate(data, "lexicon")

    @classmethod
    def from_json(cls, path: str | os.PathLike[str]) -> Lexicon:
        """Load a lexicon from a JSON file (data only: nothing in it is executed)."""
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            raise ModelFileError(f"lexicon {path} not found; check the path") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ModelFileError(f"lexicon {path} is not valid UTF-8 JSON ({exc}); fix the file") from None
        return cls(_validate(data, str(path)))

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(self.data, ensure_ascii=False))

    def groups(self, kind: str) -> list[str]:
        """Names of the groups of one kind, e.g. ``groups("risks")``."""
        return list(self.data.get(kind, {}))

    @cached_property
    def columns(self) -> list[str]:
        """Names of the ``count_matrix`` columns: ``kind:name`` for every group."""
        return [f"{kind}:{name}" for kind in _KINDS for name in self.data.get(kind, {})]

    @cached_property
    def _compiled(self) -> tuple[re.Pattern[str], dict[str, tuple[int, ...]], dict[str, tuple[str, ...]]]:
        index = {col: i for i, col in enumerate(self.columns)}
        term_cols: dict[str, list[int]] = {}
        for kind in _KINDS:
            for name, terms in self.data.get(kind, {}).items():
                for term in terms:
                    term_cols.setdefault(term, []).append(index[f"{kind}:{name}"])
        terms = sorted(term_cols, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(t) for t in terms)) if terms else re.compile(r"(?!x)x")
        cols = {t: tuple(v) for t, v in term_cols.items()}
        names = {t: tuple(self.columns[i] for i in v) for t, v in cols.items()}
        return pattern, cols, names

    def __getstate__(self) -> dict[str, Any]:
        return {"data": self.data}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.data = state["data"]

    def find(self, text: str) -> list[Cue]:
        """Return the cues in ``text`` (normalized text expected), in order of position."""
        pattern, _, names = self._compiled
        out = []
        for m in pattern.finditer(text):
            term, start = m.group(0), m.start()
            if start and text[start - 1] in _NEGATIONS and term[0] not in _NEGATIONS:
                continue
            out.append(Cue(term, start, names[term]))
        return out

    def count_matrix(self, texts: list[str]) -> np.ndarray:
        """Cue counts, shape ``(len(texts), len(columns))`` (float32)."""
        return self.counts_from([self.find(t) for t in texts])

    def counts_from(self, cue_lists: list[list[Cue]]) -> np.ndarray:
        """Cue counts from the results of ``find`` (one list per text)."""
        _, cols, _ = self._compiled
        out = np.zeros((len(cue_lists), len(self.columns)), dtype=np.float32)
        for row, cues in enumerate(cue_lists):
            for cue in cues:
                for c in cols[cue.term]:
                    out[row, c] += 1.0
        return out


def _validate(data: Any, source: str) -> dict[str, Any]:
    if not isinstance(data, dict) or not any(k in data for k in _KINDS):
        raise ModelFileError(f"{source}: a lexicon is a JSON object with 'causes', 'motives' and/or 'risks'")
    for kind in _KINDS:
        groups = data.get(kind, {})
        if not isinstance(groups, dict):
            raise ModelFileError(f"{source}: '{kind}' must map group names to lists of terms")
        for name, terms in groups.items():
            if not isinstance(terms, list) or not all(isinstance(t, str) and t for t in terms):
                raise ModelFileError(f"{source}: {kind}.{name} must be a list of non-empty strings")
    return data


_DEFAULT: Lexicon | None = None


def default_lexicon() -> Lexicon:
    """The cue lexicon shipped with complaintmine (``resources/lexicon.json``)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Lexicon(resource_json("lexicon.json"))
    return _DEFAULT
