"""Chinese word segmentation for complaints: jieba plus a complaint-domain dictionary.

``Tokenizer`` wraps jieba (default) or jieba-rs through the ``rjieba`` binding
(``backend="rjieba"``, several times faster, same dictionary), loads the bundled
complaint-domain user dictionary (送餐员, 货不对版, 霸王条款 ... kept whole) and drops
stopwords and punctuation while keeping negations and intensifiers (不, 没, 太, 很, 非常),
which carry meaning for complaints. Tokenizers are picklable: they cross process
boundaries and live inside saved models, rebuilding their segmenter lazily.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ._resources import resource_lines
from .errors import ModelFileError

__all__ = ["Tokenizer", "tokenize", "domain_words", "stopwords", "available_backends"]

_PLACEHOLDER = re.compile(r"(<(?:EMAIL|ORDER|IDNUM|CARD|PHONE|NUMBER)>)")
_BACKENDS = ("jieba", "rjieba")
# runs of ASCII letters / digits are tokenized here, the same way for every backend
_ASCII_RUN = re.compile(r"([!-~]+)")
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.\-_+#&%][A-Za-z0-9]+)*|\S")


@lru_cache(maxsize=1)
def _domain_entries() -> tuple[tuple[str, int, str], ...]:
    entries = []
    for line in resource_lines("userdict.txt"):
        parts = line.split()
        entries.append((parts[0], int(parts[1]), parts[2] if len(parts) > 2 else "n"))
    return tuple(entries)


def domain_words() -> list[str]:
    """Return the words of the bundled complaint-domain dictionary."""
    return [w for w, _, _ in _domain_entries()]


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(w for line in resource_lines("stopwords.txt") for w in line.split())


def stopwords() -> frozenset[str]:
    """Return the bundled Chinese stopword set (negations and intensifiers are not in it)."""
    return _stopwords()


@lru_cache(maxsize=65536)
def _is_punct(token: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PSZ" or ch.isspace() for ch in token)


def available_backends() -> list[str]:
    """Return the segmentation backends that can be imported here."""
    found = ["jieba"]
    try:
        import rjieba  # noqa: F401

        found.append("rjieba")
    except ImportError:
        pass
    return found


def _read_user_dict(path: str | os.PathLike[str]) -> list[tuple[str, int | None, str | None]]:
    entries = []
    try:
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                line = line.strip().lstrip("\ufeff")
                if not line or line.startswith("#"):
                    continue
                parts = line.split()
                if len(parts) > 3 or (len(parts) >= 2 and not parts[1].isdigit()):
                    raise ModelFileError(
                        f"{path}, line {lineno}: expected 'word [freq [tag]]', got {line!r}; "
                        "fix the line (freq is a whole number)"
                    )
                freq = int(parts[1]) if len(parts) >= 2 else None
                tag = parts[2] if len(parts) == 3 else None
                entries.append((parts[0], freq, tag))
    except FileNotFoundError:
        raise ModelFileError(f"user dictionary {path} not found; check the path") from None
    except UnicodeDecodeError:
        raise ModelFileError(f"user dictionary {path} is not UTF-8 text; re-save it as UTF-8") from None
    return entries


class Tokenizer:
    """Segment Chinese complaint text into words.

    Parameters
    ----------
    backend : {"jieba", "rjieba", "auto"}, default "jieba"
        Segmentation engine. ``"rjieba"`` uses jieba-rs (install ``complaintmine[fast]``);
        ``"auto"`` picks rjieba when it is installed, jieba otherwise.
    domain_dict : bool, default True
        Load the bundled complaint-domain dictionary.
    user_words : iterable of str, optional
        Extra words to keep whole.
    user_dicts : iterable of path, optional
        Extra jieba-format dictionaries (``word [freq [tag]]`` per line, UTF-8).
    remove_stopwords : bool, default True
        Drop the bundled stopwords (and ``extra_stopwords``).
    extra_stopwords : iterable of str, optional
        More words to drop.
    keep_punct : bool, default False
        Keep punctuation tokens (``!``, ``?`` ...); whitespace is always dropped.
    hmm : bool, default True
        Let the HMM join unknown words (jieba's default).

    Examples
    --------
    >>> from complaintmine import Tokenizer
    >>> Tokenizer().tokenize("送餐员态度太差，货不对版")
    ['送餐员', '态度', '太', '差', '货不对版']
    """

    def __init__(
        self,
        backend: str = "jieba",
        *,
        domain_dict: bool = True,
        user_words: Iterable[str] | None = None,
        user_dicts: Iterable[str | os.PathLike[str]] | None = None,
        remove_stopwords: bool = True,
        extra_stopwords: Iterable[str] | None = None,
        keep_punct: bool = False,
        hmm: bool = True,
    ) -> None:
        if backend == "auto":
            backend = "rjieba" if "rjieba" in available_backends() else "jieba"
        if backend not in _BACKENDS:
            raise ValueError(f"backend must be one of 'jieba', 'rjieba', 'auto', got {backend!r}")
        self.backend = backend
        self.domain_dict = domain_dict
        self.user_words = list(user_words or [])
        self.user_dicts = [os.fspath(p) for p in (user_dicts or [])]
        self.remove_stopwords = remove_stopwords
        self.extra_stopwords = list(extra_stopwords or [])
        self.keep_punct = keep_punct
        self.hmm = hmm
        # read user dictionaries now, so that a bad file fails at construction
        self._user_entries = [e for p in self.user_dicts for e in _read_user_dict(p)]
        self._engine: Any = None
        self._lock = threading.Lock()
        self._drop = _stopwords() | frozenset(self.extra_stopwords) if remove_stopwords else frozenset(
            self.extra_stopwords
        )

    # -- pickling: keep the configuration, rebuild the engine lazily -------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_engine"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Tokenizer(backend={self.backend!r})"

    def get_params(self) -> dict[str, Any]:
        """Return the constructor arguments (for saving inside a model)."""
        return {
            "backend": self.backend,
            "domain_dict": self.domain_dict,
            "user_words": list(self.user_words),
            "user_dicts": list(self.user_dicts),
            "remove_stopwords": self.remove_stopwords,
            "extra_stopwords": list(self.extra_stopwords),
            "keep_punct": self.keep_punct,
            "hmm": self.hmm,
        }

    # -- engine ------------------------------------------------------------------------------
    def _build(self) -> Any:
        entries: list[tuple[str, int | None, str | None]] = []
        if self.domain_dict:
            entries.extend(_domain_entries())
        entries.extend(self._user_entries)
        entries.extend((w, None, None) for w in self.user_words)
        if self.backend == "jieba":
            import jieba

            jieba.setLogLevel(logging.WARNING)
            engine = jieba.Tokenizer()
            engine.initialize()
            for word, freq, tag in entries:
                engine.add_word(word, freq, tag)
        else:
            try:
                import rjieba
            except ImportError:
                raise ImportError(
                    "backend='rjieba' needs the rjieba package: pip install 'complaintmine[fast]'"
                ) from None
            engine = rjieba.Jieba()
            for word, freq, tag in entries:
                if freq is None:
                    freq = engine.suggest_freq(word)
                engine.add_word(word, freq, tag)
        return engine

    @property
    def engine(self) -> Any:
        """The underlying jieba / rjieba segmenter (built on first use)."""
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._build()
        return self._engine

    def add_word(self, word: str, freq: int | None = None) -> Tokenizer:
        """Keep ``word`` whole from now on (also after pickling). Returns self."""
        self.user_words.append(word) if freq is None else self._user_entries.append((word, freq, None))
        if self._engine is not None:
            if self.backend == "jieba":
                self._engine.add_word(word, freq)
            else:
                self._engine.add_word(word, freq if freq is not None else self._engine.suggest_freq(word), None)
        return self

    # -- segmentation ------------------------------------------------------------------------
    def cut(self, text: str) -> list[str]:
        """Segment ``text`` and return every token (stopwords, punctuation, spaces included).

        Placeholder tokens from PII masking (``<PHONE>`` ...) come out whole.
        """
        if not isinstance(text, str) or not text:
            return []
        engine = self.engine
        if self.backend == "jieba":
            def backend_seg(s: str) -> list[str]:
                return engine.lcut(s, HMM=self.hmm)
        else:
            def backend_seg(s: str) -> list[str]:
                return engine.cut(s, self.hmm)

        def seg(s: str) -> list[str]:
            if not _ASCII_RUN.search(s):
                return backend_seg(s)
            out: list[str] = []
            for i, part in enumerate(_ASCII_RUN.split(s)):
                if i % 2:
                    out.extend(_ASCII_TOKEN.findall(part))
                elif part:
                    out.extend(backend_seg(part))
            return out

        if "<" not in text:
            return seg(text)
        out: list[str] = []
        for i, part in enumerate(_PLACEHOLDER.split(text)):
            if i % 2:
                out.append(part)
            elif part:
                out.extend(seg(part))
        return out

    def tokenize(self, text: str) -> list[str]:
        """Segment ``text`` and drop whitespace, stopwords and (unless ``keep_punct``) punctuation.

        ``text`` should already be normalized (see ``complaintmine.normalize``).
        """
        drop = self._drop
        keep_punct = self.keep_punct
        return [
            t
            for t in self.cut(text)
            if t not in drop and not t.isspace() and (keep_punct or not _is_punct(t))
        ]

    __call__ = tokenize

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]:
        """Tokenize each text of ``texts``; returns one token list per text."""
        return [self.tokenize(t) for t in texts]


_default: Tokenizer | None = None


def tokenize(text: str) -> list[str]:
    """Tokenize one normalized text with a lazily built default ``Tokenizer()``.

    Examples
    --------
    >>> from complaintmine import tokenize
    >>> tokenize("霸王条款，再也不买了")
    ['霸王条款', '再也不买']
    """
    global _default
    if _default is None:
        _default = Tokenizer()
    return _default.tokenize(text)
