"""Cue lexicons: the words that signal each cause, motive and escalation risk.

A ``Lexicon`` is plain data (JSON): groups of cue terms under ``causes``, ``motives`` and
``risks``. ``Lexicon.find`` reports every cue in a text with its position; ``count_matrix``
turns many texts into cue counts, one column per group, for the models. Matching is
leftmost, longest term first, non-overlapping (the semantics of one regex alternation of all
terms sorted longest first); a cue directly after a negation (不 / 没 / 无 / 非) is ignored
unless the cue itself starts with one.

Two matchers implement it: ``find`` uses a trie-shaped regular expression (one branch per
first character instead of one per term), and ``find_many`` matches a whole batch of texts
at once with NumPy (hashes of every substring of each term length at the positions whose
character can start a term, looked up in sorted tables, then a greedy left-to-right pass
over the few true hits). Both give exactly the cues of the plain alternation.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from ._resources import read_user_text, resource_json
from .errors import ModelFileError

__all__ = ["Lexicon", "Cue", "as_lexicon", "default_lexicon"]

_KINDS = ("causes", "motives", "risks")
_NEGATIONS = "不没无非别未"
# odd 64-bit multiplier of the polynomial substring hash used by ``find_many``
_HASH_BASE = 0x9E3779B97F4A7C15
_MASK64 = (1 << 64) - 1


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
        text = read_user_text(path, "lexicon", "a JSON file like complaintmine/resources/lexicon.json")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelFileError(
                f"lexicon {path}, line {exc.lineno}: not valid JSON ({exc.msg}); fix the file"
            ) from None
        except RecursionError:
            raise ModelFileError(f"lexicon {path} is nested too deeply to be a lexicon") from None
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
    def cache_key(self) -> str:
        """The terms and groups, in order, as one string: lexicons with equal keys find the
        same cues (``Prepared`` caches cues by it, so equal lexicons share one pass)."""
        return json.dumps([[kind, self.data.get(kind, {})] for kind in _KINDS], ensure_ascii=False)

    @cached_property
    def _compiled(self) -> tuple[re.Pattern[str], dict[str, tuple[int, ...]], dict[str, tuple[str, ...]]]:
        index = {col: i for i, col in enumerate(self.columns)}
        term_cols: dict[str, list[int]] = {}
        for kind in _KINDS:
            for name, terms in self.data.get(kind, {}).items():
                for term in terms:
                    term_cols.setdefault(term, []).append(index[f"{kind}:{name}"])
        pattern = _trie_regex(list(term_cols)) if term_cols else re.compile(r"(?!x)x")
        cols = {t: tuple(v) for t, v in term_cols.items()}
        names = {t: tuple(self.columns[i] for i in v) for t, v in cols.items()}
        return pattern, cols, names

    @cached_property
    def _tables(self) -> _HashTables:
        return _HashTables(list(self._compiled[2]))

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

    def find_many(self, texts: list[str]) -> list[list[Cue]]:
        """``[self.find(t) for t in texts]``, computed for the whole batch at once (faster)."""
        texts = list(texts)
        tables = self._tables
        if len(texts) < 8 or not tables.ok or not all(type(t) is str for t in texts):
            return [self.find(t) for t in texts]
        names = self._compiled[2]
        joined = "\x00".join(texts)
        hits = tables.hits(joined)
        if hits is None:
            return [self.find(t) for t in texts]
        pos, lens, term_ids = hits
        starts = np.zeros(len(texts), dtype=np.int64)
        np.cumsum(np.fromiter(map(len, texts[:-1]), dtype=np.int64, count=len(texts) - 1) + 1, out=starts[1:])
        owner = np.searchsorted(starts, pos, side="right") - 1
        out: list[list[Cue]] = [[] for _ in texts]
        redo: set[int] = set()
        terms, cues = tables.terms, tables.cues
        end = -1
        for p, n, k, row, first in zip(pos.tolist(), lens.tolist(), term_ids.tolist(), owner.tolist(),
                                       (pos - starts[owner]).tolist()):
            if p < end:  # inside the previous match: the regex never starts there
                continue
            term = terms[n][k]
            if joined[p:p + n] != term:  # a hash collision (never seen in practice): redo that text
                redo.add(row)
                continue
            end = p + n
            if first and joined[p - 1] in _NEGATIONS and term[0] not in _NEGATIONS:
                continue
            cue = cues.get((term, first))
            if cue is None:
                if len(cues) >= 65_536:  # bounded (a few MB): start afresh
                    cues.clear()
                cue = cues[term, first] = Cue(term, first, names[term])
            out[row].append(cue)
        for row in redo:
            out[row] = self.find(texts[row])
        return out

    def count_matrix(self, texts: list[str]) -> np.ndarray:
        """Cue counts, shape ``(len(texts), len(columns))`` (float32)."""
        return self.counts_from(self.find_many(texts))

    def counts_from(self, cue_lists: list[list[Cue]]) -> np.ndarray:
        """Cue counts from the results of ``find`` (one list per text)."""
        _, cols, _ = self._compiled
        out = np.zeros((len(cue_lists), len(self.columns)), dtype=np.float32)
        for row, cues in enumerate(cue_lists):
            for cue in cues:
                for c in cols[cue.term]:
                    out[row, c] += 1.0
        return out


def _trie_regex(terms: list[str]) -> re.Pattern[str]:
    """One regex matching exactly what ``"|".join(sorted(terms, key=len, reverse=True))`` matches.

    The terms are arranged as a trie: at each node the longer continuations are tried before
    the node's own term ends, so the longest term at a position wins, as in the sorted
    alternation; a node's children start with different characters, so at most one applies.
    """
    trie: dict[str, Any] = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict[str, Any]) -> str:
        kids = sorted(ch for ch in node if ch)
        if not kids:
            return ""
        alts = [re.escape(ch) + build(node[ch]) for ch in kids]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        # the prefix is itself a term: the (greedy, so first tried) continuation is optional
        return "(?:" + body + ")?" if "" in node else body

    return re.compile(build(trie))


class _HashTables:
    """Batch matcher: every term by its polynomial hash, in one sorted table per length.

    Positions are filtered first by their first two characters (a bitmap, then an exact
    lookup of the two-character prefixes of the terms); only the few positions left are
    hashed at each term length. Hits are verified against the text afterwards.
    """

    def __init__(self, terms: list[str]) -> None:
        self.ok = bool(terms) and all("\x00" not in t for t in terms)
        by_len: dict[int, list[str]] = {}
        for t in terms:
            by_len.setdefault(len(t), []).append(t)
        self.max_len = max(by_len) if by_len else 1
        self.terms: dict[int, list[str]] = {}
        self.keys: dict[int, np.ndarray] = {}
        for n, group in by_len.items():
            hashed = sorted((_hash(t), t) for t in group)
            if len({h for h, _ in hashed}) != len(hashed):  # two terms share a hash: no fast path
                self.ok = False
            self.keys[n] = np.array([h for h, _ in hashed], dtype=np.uint64)
            self.terms[n] = [t for _, t in hashed]
        top = max((ord(ch) for t in terms for ch in t[:2]), default=0) + 1
        self.first = np.zeros(top, dtype=bool)
        self.first[[ord(t[0]) for t in terms]] = True
        self.single = np.full(top, -1, dtype=np.int64)  # term number of each one-character term
        for k, t in enumerate(self.terms.get(1, [])):
            self.single[ord(t)] = k
        prefixes = sorted({(ord(t[0]) << 21) | ord(t[1]) for t in terms if len(t) >= 2})
        self.prefixes = np.array(prefixes or [-1], dtype=np.int64)
        self.bitmap = np.zeros(1 << 16, dtype=bool)
        self.bitmap[_bucket(self.prefixes)] = bool(prefixes)
        self.cues: dict[tuple[str, int], Cue] = {}  # Cue objects are immutable: share them

    def hits(self, joined: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Start, length and term number of the longest term (by hash) at each position."""
        try:  # padding: windows running past the end see NULs, which no term contains
            cps = np.frombuffer((joined + "\x00" * self.max_len).encode("utf-32-le", "surrogatepass"),
                                dtype="<u4").astype(np.int64)
        except UnicodeEncodeError:
            return None
        top = len(self.first)
        head = cps < top
        head[head] = self.first[cps[head]]
        cand = np.flatnonzero(head)
        c0, c1 = cps[cand], cps[cand + 1]
        best = np.zeros(len(cand), dtype=np.int64)
        which = np.zeros(len(cand), dtype=np.int64)
        single = self.single[c0]
        best[single >= 0] = 1
        which[single >= 0] = single[single >= 0]
        pair = (c0 << 21) | c1
        keep = self.bitmap[_bucket(pair)]
        sub = np.flatnonzero(keep)
        at = np.minimum(np.searchsorted(self.prefixes, pair[sub]), len(self.prefixes) - 1)
        sub = sub[self.prefixes[at] == pair[sub]]
        pos = cand[sub]
        h = cps[pos].astype(np.uint64)
        base = np.uint64(_HASH_BASE)
        for n in range(2, self.max_len + 1):
            h = h * base + cps[pos + (n - 1)].astype(np.uint64)
            keys = self.keys.get(n)
            if keys is None:
                continue
            at = np.minimum(np.searchsorted(keys, h), len(keys) - 1)
            hit = keys[at] == h
            best[sub[hit]] = n
            which[sub[hit]] = at[hit]
        found = best > 0
        return cand[found], best[found], which[found]


def _bucket(keys: np.ndarray) -> np.ndarray:
    """16-bit multiplicative hash of int64 keys (for the prefix bitmap)."""
    return ((keys.astype(np.uint64) * np.uint64(_HASH_BASE)) >> np.uint64(48)).astype(np.int64)


def _hash(term: str) -> int:
    h = 0
    for ch in term:
        h = (h * _HASH_BASE + ord(ch)) & _MASK64
    return h


def _validate(data: Any, source: str) -> dict[str, Any]:
    if not isinstance(data, dict) or not any(k in data for k in _KINDS):
        raise ModelFileError(f"{source}: a lexicon is a JSON object with 'causes', 'motives' and/or 'risks'")
    for kind in _KINDS:
        groups = data.get(kind, {})
        if not isinstance(groups, dict):
            raise ModelFileError(f"{source}: '{kind}' must map group names to lists of terms")
        for name, terms in groups.items():
            if not isinstance(terms, list) or not all(isinstance(t, str) and t for t in terms):
                raise ModelFileError(f"{source}: {kind}.{str(name)[:60]} must be a list of non-empty strings")
            if any("\x00" in t for t in terms):
                raise ModelFileError(f"{source}: {kind}.{str(name)[:60]} holds a term with a NUL character")
    return data


_DEFAULT: Lexicon | None = None


def as_lexicon(value: Lexicon | str | os.PathLike[str] | None) -> Lexicon:
    """A ``Lexicon`` as given, loaded from a JSON path, or the bundled one for None."""
    if isinstance(value, Lexicon):
        return value
    return Lexicon.from_json(value) if value is not None else default_lexicon()


def default_lexicon() -> Lexicon:
    """The cue lexicon shipped with complaintmine (``resources/lexicon.json``)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Lexicon(resource_json("lexicon.json"))
    return _DEFAULT
