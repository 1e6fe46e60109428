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
from functools import lru_cache, partial
from typing import Any

from ._fast import segment as _segment
from ._resources import read_user_text, resource_lines
from .errors import ModelFileError
from .modelio import require_strings
from .normalization import PII_PLACEHOLDER as _PLACEHOLDER

__all__ = ["Tokenizer", "tokenize", "dt", "default_tokenizer", "domain_words", "stopwords", "available_backends"]

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
    return list(_available_backends())


@lru_cache(maxsize=1)
def _available_backends() -> tuple[str, ...]:
    found = ["jieba"]
    try:
        import rjieba  # noqa: F401

        found.append("rjieba")
    except ImportError:
        pass
    return tuple(found)


def _read_user_dict(path: str | os.PathLike[str]) -> list[tuple[str, int | None, str | None]]:
    """Read a jieba-format user dictionary: plain UTF-8 text, ``word [freq [tag]]`` per line.

    The file is only ever read as text (nothing in it is executed); anything else, a pickle
    or another binary file included, is refused with ``ModelFileError``.
    """
    text = read_user_text(path, "user dictionary", "a UTF-8 text file with one 'word [freq [tag]]' per line")
    entries = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) > 3 or (len(parts) >= 2 and not parts[1].isdigit()) or not parts[0].isprintable():
            raise ModelFileError(
                f"{path}, line {lineno}: expected 'word [freq [tag]]', got {line[:80]!r}; "
                "fix the line (freq is a whole number)"
            )
        freq = int(parts[1]) if len(parts) >= 2 else None
        tag = parts[2] if len(parts) == 3 else None
        entries.append((parts[0], freq, tag))
    return entries


#: the settings ``Tokenizer.to_params`` writes (``user_dicts`` only from files of old versions)
_MODEL_PARAMS = frozenset({"backend", "domain_dict", "user_words", "user_dicts", "remove_stopwords",
                           "extra_stopwords", "keep_punct", "hmm", "user_entries"})


def _valid_entry(entry: Any) -> bool:
    """One user-dictionary entry of a model file: ``[word, freq or None, tag or None]``, as
    ``_read_user_dict`` gives (a printable word without spaces, a frequency jieba can use)."""
    if not isinstance(entry, list) or len(entry) != 3:
        return False
    word, freq, tag = entry
    return (isinstance(word, str) and 0 < len(word) <= 100 and word.isprintable() and not any(c.isspace() for c in word)
            and (freq is None or (type(freq) is int and 0 <= freq < 1 << 40))
            and (tag is None or isinstance(tag, str) and tag.isprintable()))


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
        if backend != "auto" and backend not in _BACKENDS:
            raise ValueError(f"backend must be one of 'jieba', 'rjieba', 'auto', got {backend!r}")
        # kept as given: a saved model says "auto" and runs wherever it is loaded
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
        state.pop("_keep_cache", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def engine_name(self) -> str:
        """The segmenter in use: ``backend``, with ``"auto"`` resolved on this machine."""
        if self.backend != "auto":
            return self.backend
        return "rjieba" if "rjieba" in _available_backends() else "jieba"

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

    def to_params(self) -> dict[str, Any]:
        """The settings a model file stores: ``get_params`` with the user dictionaries' entries
        inlined (a model carries its words, it never names local files to read)."""
        params = self.get_params()
        params.pop("user_dicts")
        params["user_entries"] = [list(e) for e in self._user_entries]
        return params

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Tokenizer:
        """The tokenizer of ``to_params`` (as stored in a model file).

        The settings are data: each is checked for its type, and a model file never makes the
        tokenizer read a local file (its user dictionaries' words are stored in the file, as
        ``user_entries``; a file naming ``user_dicts`` is refused)."""
        if not isinstance(params, dict) or not set(params) <= _MODEL_PARAMS:
            raise ModelFileError("the tokenizer settings of the model file are not valid; retrain it")
        params = dict(params)
        if params.pop("user_dicts", None):
            raise ModelFileError(
                "the model file names user dictionary files to read; a model never reads local files (its "
                "words are stored inside it): retrain it with `complaintmine train`")
        entries = params.pop("user_entries", [])
        if not isinstance(entries, list) or not all(_valid_entry(e) for e in entries):
            raise ModelFileError("the tokenizer's user words in the model file are not valid "
                                 "([word, freq or null, tag or null] each); retrain it")
        for key in ("user_words", "extra_stopwords"):
            require_strings(params.get(key, []), f"tokenizer {key}", unique=False)
        if not all(isinstance(params.get(k, True), bool) for k in ("domain_dict", "remove_stopwords", "keep_punct",
                                                                    "hmm")):
            raise ModelFileError("the tokenizer switches in the model file are not true / false; retrain it")
        if params.get("backend", "jieba") not in ("auto", *_BACKENDS):
            raise ModelFileError(f"the model file asks for tokenizer backend {str(params.get('backend'))[:40]!r}; "
                                 "retrain it")
        if params.get("backend") == "rjieba" and "rjieba" not in _available_backends():
            # models saved before the backend was kept as "auto"; rjieba only makes jieba faster
            params["backend"] = "auto"
        tok = cls(**params)
        for word, freq, _tag in entries:
            tok.add_word(word, freq)
        return tok

    # -- engine ------------------------------------------------------------------------------
    def _build(self) -> Any:
        entries: list[tuple[str, int | None, str | None]] = []
        if self.domain_dict:
            entries.extend(_domain_entries())
        entries.extend(self._user_entries)
        entries.extend((w, None, None) for w in self.user_words)
        if self.engine_name == "jieba":
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
            if self.engine_name == "jieba":
                self._engine.add_word(word, freq)
            else:
                self._engine.add_word(word, freq if freq is not None else self._engine.suggest_freq(word), None)
        return self

    # -- segmentation ------------------------------------------------------------------------
    def _backend(self) -> Any:
        """The backend's segmentation function of one string (list of tokens)."""
        engine, hmm = self.engine, self.hmm
        if self.engine_name == "jieba":
            return partial(engine.lcut, HMM=hmm)
        cut = engine.cut
        return lambda s: cut(s, hmm)

    def _parts(self, text: str) -> tuple[list[str], list[list[str]]]:
        """Split ``text`` into the pieces the backend segments and the literal tokens between them.

        Returns ``pieces`` and ``literals`` with ``len(literals) == len(pieces) + 1``: the tokens
        of ``text`` are ``literals[0] + cut(pieces[0]) + literals[1] + ... + literals[-1]``.
        Runs of ASCII letters / digits / symbols and PII placeholders are literal.
        """
        pieces: list[str] = []
        literals: list[list[str]] = [[]]

        def add(segment: str) -> None:
            if not _ASCII_RUN.search(segment):
                pieces.append(segment)
                literals.append([])
                return
            for i, part in enumerate(_ASCII_RUN.split(segment)):
                if i % 2:
                    literals[-1].extend(_ASCII_TOKEN.findall(part))
                elif part:
                    pieces.append(part)
                    literals.append([])

        if "<" not in text:
            add(text)
        else:
            for i, part in enumerate(_PLACEHOLDER.split(text)):
                if i % 2:
                    literals[-1].append(part)
                elif part:
                    add(part)
        return pieces, literals

    def cut(self, text: str) -> list[str]:
        """Segment ``text`` and return every token (stopwords, punctuation, spaces included).

        Placeholder tokens from PII masking (``<PHONE>`` ...) come out whole.
        """
        if not isinstance(text, str) or not text:
            return []
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates: jieba-rs cannot take them; drop them
                text = text.encode("utf-8", "surrogatepass").decode("utf-8", "ignore")
        seg = self._backend()
        if "<" not in text and not _ASCII_RUN.search(text):
            return seg(text)
        pieces, literals = self._parts(text)
        out = list(literals[0])
        for piece, lit in zip(pieces, literals[1:]):
            out.extend(seg(piece))
            out.extend(lit)
        return out

    def _keeps(self, token: str) -> bool:
        """Whether ``tokenize`` keeps ``token``: not a stopword, not whitespace, not punctuation
        (unless ``keep_punct``)."""
        return token not in self._drop and not token.isspace() and (self.keep_punct or not _is_punct(token))

    def tokenize(self, text: str) -> list[str]:
        """Segment ``text`` and drop whitespace, stopwords and (unless ``keep_punct``) punctuation.

        ``text`` should already be normalized (see ``complaintmine.normalization``).
        """
        keeps = self._keeps
        return [t for t in self.cut(text) if t and keeps(t)]

    __call__ = tokenize

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]:
        """Tokenize each text of ``texts``; returns one token list per text.

        The same tokens as ``[self.tokenize(t) for t in texts]``, faster with jieba-rs: blocks of
        texts go to the segmenter in one call and each distinct token is judged once (see
        ``complaintmine._fast.segment``).
        """
        texts = list(texts)
        if self.engine_name == "jieba":  # jieba (pure Python) gains nothing from it
            return [self.tokenize(t) for t in texts]
        stamp = (self._drop, self.keep_punct)
        cache = self.__dict__.get("_keep_cache")
        if cache is None or cache.stamp[0] is not stamp[0] or cache.stamp[1] != stamp[1]:
            cache = self.__dict__["_keep_cache"] = _segment.KeepCache(self._keeps, _run_tokens, stamp)
        return _segment.tokenize_many(texts, self._backend(), cache, self.tokenize)


def _run_tokens(run: str) -> list[str]:
    """Tokens of one run of ASCII characters (PII placeholders whole), as ``cut`` makes them."""
    if "<" not in run:
        return _ASCII_TOKEN.findall(run)
    out: list[str] = []
    for i, part in enumerate(_PLACEHOLDER.split(run)):
        if i % 2:
            out.append(part)
        elif part:
            out.extend(_ASCII_TOKEN.findall(part))
    return out


#: the default tokenizer (as jieba's ``jieba.dt``): what ``prepare``, ``train_model``, the
#: analysis functions and ``tokenize`` use when given none. Its segmenter is built on first use.
dt = Tokenizer(backend="auto")


def default_tokenizer() -> Tokenizer:
    """The module default ``dt`` (``Tokenizer(backend="auto")``)."""
    return dt


def tokenize(text: str, *, normalized: bool = False) -> list[str]:
    """Tokenize one text as the pipeline does: normalize it (traditional → simplified,
    full-width → half-width, personal numbers masked), then segment it with the default
    tokenizer ``dt``.

    Parameters
    ----------
    text : str
        The text as users have it (raw export text is fine).
    normalized : bool, default False
        Skip normalization when ``text`` already went through ``complaintmine.normalization``
        (``Tokenizer().tokenize`` also segments a text as given).

    Examples
    --------
    >>> from complaintmine import tokenize
    >>> tokenize("霸王条款，再也不买了")
    ['霸王条款', '再也不买']
    >>> tokenize("商場客戶投訴")
    ['商场', '客户', '投诉']
    """
    if not normalized:
        from .normalization import normalize

        text = normalize(text)
    return dt.tokenize(text)
