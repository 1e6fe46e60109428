"""Model files that are data, never code.

A complaintmine model file is a ZIP archive holding ``manifest.json`` (library version,
label set, parameters, vocabularies) and NumPy ``.npy`` arrays, each loaded with
``allow_pickle=False``. The manifest records a SHA-256 of every array and of itself, so a
tampered or truncated file is rejected, and loading never executes anything from the file
(pickles are refused outright).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_path
from .errors import ModelFileError

__all__ = ["save_bundle", "load_bundle", "FORMAT", "FORMAT_VERSION"]

FORMAT = "complaintmine-model"
FORMAT_VERSION = 1


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


def load_bundle(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read a model file written by ``save_bundle``; returns ``(meta, arrays)``.

    Raises ``ModelFileError`` for a missing file, a pickle or other non-model file, a
    checksum mismatch (tampering or corruption) or another library version.
    """
    from . import __version__

    p = Path(path)
    if not p.is_file():
        raise ModelFileError(f"model file {p} not found; check the path or train one with `complaintmine train`")
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
                manifest = json.loads(zf.read("manifest.json").decode("utf-8"))
            except KeyError:
                raise ModelFileError(f"{p} has no manifest.json: not a complaintmine model file") from None
            if manifest.get("format") != FORMAT:
                raise ModelFileError(f"{p} is not a complaintmine model file (format {manifest.get('format')!r})")
            if manifest.get("format_version") != FORMAT_VERSION:
                raise ModelFileError(
                    f"{p} uses model format {manifest.get('format_version')}, this complaintmine reads format "
                    f"{FORMAT_VERSION}; retrain it with `complaintmine train`."
                )
            if manifest.get("checksum") != _manifest_checksum(manifest):
                raise ModelFileError(f"{p}: manifest checksum mismatch: the file was modified or damaged.")
            file_version = str(manifest.get("library_version", "?"))
            if file_version.split(".")[:2] != __version__.split(".")[:2]:
                raise ModelFileError(
                    f"{p} was made by complaintmine {file_version}, this is {__version__}; retrain it with "
                    "`complaintmine train` (or install the matching version)."
                )
            arrays = {}
            for name, digest in manifest["arrays"].items():
                blob = zf.read(f"arrays/{name}.npy")
                if _digest(blob) != digest:
                    raise ModelFileError(f"{p}: array {name!r} fails its checksum: the file was modified or damaged.")
                arrays[name] = np.load(io.BytesIO(blob), allow_pickle=False)
    except (zipfile.BadZipFile, KeyError, ValueError, json.JSONDecodeError) as err:
        if isinstance(err, ModelFileError):
            raise
        raise ModelFileError(f"{p} is damaged or incomplete ({err}); retrain or copy it again.") from None
    return manifest["meta"], arrays
