"""Model files that are data, never code.

A complaintmine model file is a ZIP archive holding ``manifest.json`` (library version,
label set, parameters, vocabularies) and NumPy ``.npy`` arrays, each loaded with
``allow_pickle=False``. The manifest records a SHA-256 of every array and of itself, so a
damaged or truncated file is rejected, and loading never executes anything from the file
(pickles are refused outright).

The checksums have no key: they catch accidents, not attackers, since whoever edits a file
can recompute them. So a file is never trusted for its checksums: sizes are bounded before
anything is inflated (``MAX_MANIFEST_BYTES``, ``MAX_ARRAY_BYTES``), each array's declared
shape and dtype are read from its header and checked against its size before it is loaded,
and every estimator checks the shapes, dtypes and finiteness of its own arrays against its
vocabularies when it is built from a file (``require_array`` / ``require_number`` here are
the checks they share). To know a shared file is the one you were given, compare its digest
with one you got by a trusted channel: ``load_model(path, sha256=...)`` (CLI:
``--model-sha256``), see ``file_sha256``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_path
from .errors import ModelFileError

__all__ = ["save_bundle", "load_bundle", "file_sha256", "check_sha256", "require_array", "require_number",
           "require_strings", "FORMAT",
           "FORMAT_VERSION", "MAX_MANIFEST_BYTES", "MAX_ARRAY_BYTES", "MAX_MEMBERS"]

FORMAT = "complaintmine-model"
FORMAT_VERSION = 1
#: largest manifest accepted (the bundled model's is 1.4 MB: vocabularies and lexicon)
MAX_MANIFEST_BYTES = 64 << 20
#: largest array accepted, inflated (the bundled model's largest is 7 MB)
MAX_ARRAY_BYTES = 512 << 20
#: most arrays (members) a model file may hold (the bundled model has 12)
MAX_MEMBERS = 256
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes, as 64 lowercase hex digits (what ``sha256sum`` prints).

    Examples
    --------
    >>> file_sha256("my_model.cmm")  # doctest: +SKIP
    '3b0c...'
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_sha256(path: str | os.PathLike[str], expected: str) -> None:
    """Raise ``ModelFileError`` unless the file at ``path`` has the SHA-256 digest ``expected``."""
    if not isinstance(expected, str) or not _SHA256.fullmatch(expected.strip()):
        raise ModelFileError(f"model digest {expected!r} is not a SHA-256 (64 hex digits, as sha256sum prints)")
    try:
        got = file_sha256(path)
    except FileNotFoundError:
        raise ModelFileError(f"model file {path} not found; check the path") from None
    except OSError as err:
        raise ModelFileError(f"model file {path} cannot be read ({err.strerror or err})") from None
    if got != expected.strip().lower():
        raise ModelFileError(
            f"{path} has SHA-256 {got}, not the expected {expected.strip().lower()}: it is not the model you were "
            "given (modified, damaged or another file); get it again from its source."
        )


def require_array(arrays: dict[str, np.ndarray], name: str, *, shape: tuple[int | None, ...],
                  kinds: str = "f", finite: bool = True) -> np.ndarray:
    """``arrays[name]``, checked: present, of ``shape`` (None for any length), of a dtype kind in
    ``kinds`` (``"f"`` float, ``"i"`` / ``"u"`` integers) and, for numbers, finite.

    The one check of a model file's arrays: every estimator calls it for each array it reads,
    with the shape its vocabularies imply, before anything runs on the array."""
    if name not in arrays:
        raise ModelFileError(f"the model file has no array {name!r}: it is incomplete; retrain it or copy it again")
    arr = arrays[name]
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in kinds or arr.dtype.fields is not None:
        raise ModelFileError(f"array {name!r} of the model file holds {getattr(arr, 'dtype', type(arr))} values, "
                             f"not numbers; the file is damaged or crafted: retrain it")
    if arr.ndim != len(shape) or any(want is not None and got != want for got, want in zip(arr.shape, shape)):
        want_s = "(" + ", ".join("any" if w is None else str(w) for w in shape) + ")"
        raise ModelFileError(f"array {name!r} of the model file has shape {arr.shape}, its vocabularies need "
                             f"{want_s}; the file is damaged or crafted: retrain it")
    if finite and arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ModelFileError(f"array {name!r} of the model file holds NaN or infinite values; the file is damaged or "
                             "crafted: retrain it")
    return arr


def require_strings(value: Any, name: str, *, unique: bool = True, nonempty: bool = False) -> list[str]:
    """``value`` from a manifest, checked to be a list of strings (distinct, when ``unique``)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ModelFileError(f"model setting {name!r} is not a list of words; the file is damaged or crafted: "
                             "retrain it")
    if nonempty and not value:
        raise ModelFileError(f"model setting {name!r} is empty; the file is damaged or crafted: retrain it")
    if unique and len(set(value)) != len(value):
        raise ModelFileError(f"model setting {name!r} repeats an entry; the file is damaged or crafted: retrain it")
    return value


def _brief(value: Any) -> str:
    """``repr(value)``, cut short: a crafted setting can be megabytes long."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def require_number(value: Any, name: str, *, lo: float | None = None, hi: float | None = None,
                   integer: bool = False) -> Any:
    """``value`` from a manifest, checked to be a (finite) number in ``[lo, hi]``."""
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if not ok or isinstance(value, bool) or (isinstance(value, float) and not np.isfinite(value)) or (
            lo is not None and value < lo) or (hi is not None and value > hi):
        kind = "a whole number" if integer else "a number"
        bounds = f" from {lo} to {hi}" if lo is not None and hi is not None else (
            f" of at least {lo}" if lo is not None else f" of at most {hi}" if hi is not None else "")
        raise ModelFileError(f"model setting {name!r} is {_brief(value)}, expected {kind}{bounds}; the file is damaged "
                             "or crafted: retrain it")
    return value


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest_checksum(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "checksum"}
    return _digest(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8"))


def save_bundle(path: str | os.PathLike[str], meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> Path:
    """Write ``meta`` (JSON-able) and ``arrays`` to a model file, atomically.

    Object arrays are refused: every array must be numeric or fixed-width strings.
    """
    from . import __version__

    p = Path(path)
    blobs = {}
    for name, arr in arrays.items():
        arr = np.asarray(arr)
        if arr.dtype.kind == "O":
            raise ModelFileError(f"array {name!r} has dtype object and cannot be saved as data")
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        blobs[name] = buf.getvalue()
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "meta": meta,
        "arrays": {name: _digest(b) for name, b in blobs.items()},
    }
    manifest["checksum"] = _manifest_checksum(manifest)
    try:
        with atomic_path(p) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
            for name, blob in blobs.items():
                zf.writestr(f"arrays/{name}.npy", blob)
    except OSError as err:
        raise ModelFileError(f"{p}: cannot write the model file ({err.strerror or err})") from None
    return p


def _no_constant(name: str) -> Any:
    raise ValueError(f"the manifest holds {name}, which is not a number a model can use")


def _read_member(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, refused (before inflating) when it declares more than ``limit`` bytes;
    read with the limit again, since the declared size is the file's word."""
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise ModelFileError(f"{name} inflates to {info.file_size:,} bytes, more than the {limit:,} a model file "
                             "may use; the file is damaged or crafted (a zip bomb?)")
    with zf.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ModelFileError(f"{name} inflates past the {limit:,} bytes a model file may use; the file is damaged or "
                             "crafted (a zip bomb?)")
    return data


def _load_npy(name: str, blob: bytes) -> np.ndarray:
    """An ``.npy`` blob as an array, its header checked first: a declared shape whose bytes the
    blob does not hold is refused before NumPy allocates it (no huge allocation from a header)."""
    buf = io.BytesIO(blob)
    try:
        version = np.lib.format.read_magic(buf)
        if version not in ((1, 0), (2, 0)):  # what np.save writes for numbers
            raise ValueError(f"format version {version}")
        header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _fortran, dtype = header(buf)
    except Exception as err:  # NumPy parses the header with ast / tokenize: any of their errors
        raise ModelFileError(f"array {name!r} is not a valid .npy array ({type(err).__name__})") from None
    if dtype.hasobject:
        raise ModelFileError(f"array {name!r} holds Python objects; complaintmine loads data only")
    count = 1
    for n in shape:
        count *= int(n)
    if count * dtype.itemsize != len(blob) - buf.tell():
        raise ModelFileError(f"array {name!r} declares shape {shape} of {dtype} ({count * dtype.itemsize:,} bytes) "
                             f"but holds {len(blob) - buf.tell():,} bytes; the file is damaged or crafted")
    return np.load(io.BytesIO(blob), allow_pickle=False)


def load_bundle(path: str | os.PathLike[str], *, sha256: str | None = None) -> tuple[dict[str, Any],
                                                                                   dict[str, np.ndarray]]:
    """Read a model file written by ``save_bundle``; returns ``(meta, arrays)``.

    Raises ``ModelFileError`` for a missing file, a pickle or other non-model file, a
    checksum mismatch (corruption), a member larger than the limits, an array whose header
    does not match its bytes, or another library version. ``sha256``: the digest the file
    must have (checked first; see ``file_sha256``).
    """
    from . import __version__

    p = Path(path)
    if not p.is_file():
        raise ModelFileError(f"model file {p} not found; check the path or train one with `complaintmine train`")
    if sha256 is not None:
        check_sha256(p, sha256)
    with open(p, "rb") as fh:
        head = fh.read(4)
    if head[:1] == b"\x80" or head.startswith(b"(") or head[:2] == b"\x1f\x8b":
        raise ModelFileError(
            f"{p} looks like a Python pickle/joblib file. complaintmine never loads pickles (they can run "
            "code); retrain the model with `complaintmine train` to get a safe model file."
        )
    if not zipfile.is_zipfile(p):
        raise ModelFileError(
            f"{p} is not a complaintmine model file (expected a .cmm archive from `complaintmine train`)"
        )
    try:
        with zipfile.ZipFile(p) as zf:
            try:
                raw = _read_member(zf, "manifest.json", MAX_MANIFEST_BYTES)
            except KeyError:
                raise ModelFileError(f"{p} has no manifest.json: not a complaintmine model file") from None
            try:
                manifest = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
            except RecursionError:
                raise ModelFileError(f"{p}: the manifest is nested too deeply to be a model's") from None
            if not isinstance(manifest, dict):
                raise ModelFileError(f"{p} is not a complaintmine model file (its manifest is not a JSON object)")
            if manifest.get("format") != FORMAT:
                raise ModelFileError(f"{p} is not a complaintmine model file (format {_brief(manifest.get('format'))})")
            if manifest.get("format_version") != FORMAT_VERSION:
                raise ModelFileError(
                    f"{p} uses model format {_brief(manifest.get('format_version'))}, this complaintmine reads format "
                    f"{FORMAT_VERSION}; retrain it with `complaintmine train`."
                )
            if manifest.get("checksum") != _manifest_checksum(manifest):
                raise ModelFileError(f"{p}: manifest checksum mismatch: the file was modified or damaged.")
            file_version = str(manifest.get("library_version", "?"))[:40]
            if file_version.split(".")[:2] != __version__.split(".")[:2]:
                raise ModelFileError(
                    f"{p} was made by complaintmine {file_version}, this is {__version__}; retrain it with "
                    "`complaintmine train` (or install the matching version)."
                )
            listed, meta = manifest.get("arrays"), manifest.get("meta")
            if not isinstance(listed, dict) or not isinstance(meta, dict) or len(listed) > MAX_MEMBERS or not all(
                    isinstance(d, str) and len(n) <= 100 for n, d in listed.items()):
                raise ModelFileError(f"{p}: the manifest lacks its arrays or settings; the file is damaged or crafted")
            arrays = {}
            for name, digest in listed.items():
                blob = _read_member(zf, f"arrays/{name}.npy", MAX_ARRAY_BYTES)
                if _digest(blob) != digest:
                    raise ModelFileError(f"{p}: array {name!r} fails its checksum: the file was modified or damaged.")
                arrays[name] = _load_npy(name, blob)
    except ModelFileError as err:
        if str(err).startswith(str(p)):
            raise
        raise ModelFileError(f"{p}: {err}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, EOFError, OSError,
            NotImplementedError, RuntimeError) as err:
        # NotImplementedError: a compression method zipfile lacks; RuntimeError: an encrypted member;
        # OSError / EOFError: truncated data
        raise ModelFileError(f"{p} is damaged or incomplete ({err}); retrain or copy it again.") from None
    return meta, arrays
