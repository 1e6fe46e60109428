"""Batch segmentation: the fast path of ``Tokenizer.tokenize`` over many texts.

Reference: ``Tokenizer.tokenize`` on one text at a time (``tokenizer.py``); the two give the same
tokens (tests/test_batch_equivalence.py). The texts of a block go to the segmenter in one call,
joined by newlines, with every run of ASCII letters, digits and joining symbols (tokenized apart,
see ``Tokenizer.cut``) replaced by a newline, or by a space when the run leaves no token. The
segmenters treat each whitespace character as a token of its own and segment the text between
two of them independently of the rest, so every piece is cut exactly as on its own; the newlines
in the output then say where a text ends or where an ASCII run's tokens go. Texts that contain a
newline or carriage return themselves are tokenized one by one. Keep / drop decisions and the
tokens of ASCII runs are decided once per distinct token (``KeepCache``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["KeepCache", "tokenize_many", "BLOCK"]

# ASCII runs tokenized apart: letters, digits, the symbols the segmenters join to them (+ # & . _ % -)
# and the brackets of PII placeholders. Other ASCII punctuation (! , ? : ; ...) stays in the text:
# the segmenters cut it off as one token per character, as ``cut`` does, and segment the text on
# either side of it on its own, as they do beside a space. _EVENT matches such a run or a newline,
# as ([RUN]+|\n) does, but written to start with one character class (the rest of the run follows
# only a first character that is not the newline): re then skips to the next position that can
# start a match in C.
_RUN = r"0-9A-Za-z+#&._%<>\-"
_EVENT = re.compile(rf"([{_RUN}\n](?:(?<=[^\n])[{_RUN}]*)?)")
BLOCK = 256  # texts per segmenter call
NEWLINE = "\n"  # the separator of texts and pieces in a block


class _RunCache(dict):  # type: ignore[type-arg]
    def add(self, run: str, tokens: list[str]) -> list[str]:
        if len(self) >= 100_000:
            self.clear()
        self[run] = tokens
        return tokens


class KeepCache(dict):  # type: ignore[type-arg]
    """token -> the token, interned, when ``keeps(token)``, else "" (decided once per distinct
    token). ``"\\n"``, the separator of a block, maps to itself. ``runs`` caches the kept tokens
    of each ASCII run; ``stamp`` is whatever the owner uses to tell a stale cache."""

    def __init__(self, keeps: Callable[[str], bool], run_tokens: Callable[[str], list[str]],
                 stamp: Any = None) -> None:
        super().__init__()
        self.keeps = keeps
        self.run_tokens = run_tokens
        self.stamp = stamp
        self.runs = _RunCache()
        self[NEWLINE] = NEWLINE

    def __missing__(self, token: str) -> str:
        keep = self.keeps(token)
        if len(self) >= 500_000:  # bound the memory on endless distinct tokens
            self.clear()
            self[NEWLINE] = NEWLINE
        value = self[token] = sys.intern(token) if keep else ""
        return value


def tokenize_many(texts: list[Any], segment: Callable[[str], list[str]], keep: KeepCache,
                  tokenize: Callable[[str], list[str]]) -> list[list[str]]:
    """``[tokenize(t) for t in texts]``, segmenting ``BLOCK`` texts per call of ``segment``."""
    out: list[list[str]] = []
    for begin in range(0, len(texts), BLOCK):
        out.extend(_block(texts[begin:begin + BLOCK], segment, keep, tokenize))
    return out


def _block(texts: list[Any], segment: Callable[[str], list[str]], keep: KeepCache,
           tokenize: Callable[[str], list[str]]) -> list[list[str]]:
    runs = keep.runs
    alone = {i for i, t in enumerate(texts) if type(t) is not str or "\n" in t or "\r" in t}
    joined = "\n".join(["" if i in alone else t for i, t in enumerate(texts)] if alone else texts)
    # Between the pieces the segmenter sees goes a newline where a text ends or where an
    # ASCII run leaves tokens (kept in ``events``, in order), and a space where a run leaves
    # none (punctuation, stopwords): a space separates as well, and is dropped.
    parts = _EVENT.split(joined)
    events: list[list[str] | None] = []
    for i in range(1, len(parts), 2):
        event = parts[i]
        if event == "\n":
            events.append(None)
            continue
        toks = runs.get(event)
        if toks is None:
            toks = runs.add(event, [t for t in map(keep.__getitem__, keep.run_tokens(event)) if t])
        if toks:
            events.append(toks)
            parts[i] = "\n"
        else:
            parts[i] = " "
    joined = "".join(parts)
    flat = segment(joined) if joined else []
    kept = list(map(keep.get, flat))
    if None in kept:  # tokens not seen before: decide each once (C-speed search for them)
        i = kept.index(None)
        while True:
            kept[i] = keep[flat[i]]
            try:
                i = kept.index(None, i + 1)
            except ValueError:
                break
    # dropped tokens are "": out; the newlines stay (keep["\n"] is "\n"); the tokens kept are
    # the cache's own copies, shared by every text (later dictionary lookups find them fast)
    flat = list(filter(None, kept))
    out: list[list[str]] = []
    cur: list[str] = []
    start = 0
    for toks in events:
        stop = flat.index("\n", start)
        cur.extend(flat[start:stop])
        start = stop + 1
        if toks is None:
            out.append(cur)
            cur = []
        else:
            cur.extend(toks)
    cur.extend(flat[start:])
    out.append(cur)
    for i in alone:
        out[i] = tokenize(texts[i]) if isinstance(texts[i], str) else []
    return out
