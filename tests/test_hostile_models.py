"""Hostile model files (issue 18, items 1, 2 and 10): a crafted or damaged model file is refused
with ``ModelFileError`` (exit code 10) before anything runs on it: never a crash in the compiled
kernel, never a run with every row wrong, never a local file read, never a zip bomb inflated.

Each crafted file is the bundled model with one part edited and its (keyless) checksums
recomputed, as an attacker would: so each case reaches the check it is about.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from complaintmine import load_model
from complaintmine.cli import main
from complaintmine.errors import ModelFileError
from complaintmine.model import DEFAULT_MODEL, ComplaintModel
from complaintmine.modelio import MAX_MANIFEST_BYTES, _manifest_checksum, file_sha256

BUNDLED = Path(__import__("complaintmine").__file__).parent / "resources" / DEFAULT_MODEL
TEXTS = ["送餐员态度太差，菜都凉了，要求退款！", "酒店房间隔音太差，一晚上没睡好"]


@dataclasses.dataclass
class Parts:
    """A model file taken apart: the manifest and each array, to edit and write back."""

    manifest: dict[str, Any]
    arrays: dict[str, np.ndarray]
    extra: dict[str, bytes] = dataclasses.field(default_factory=dict)  # raw members to add / replace
    after: Callable[[dict[str, Any]], None] | None = None  # edits the manifest after the arrays are listed

    @property
    def meta(self) -> dict[str, Any]:
        return self.manifest["meta"]


@pytest.fixture(scope="module")
def bundled() -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(BUNDLED) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        blobs = {n[len("arrays/") : -len(".npy")]: zf.read(n) for n in zf.namelist() if n.startswith("arrays/")}
    return manifest, blobs


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def craft(bundled: tuple[dict[str, Any], dict[str, bytes]], edit: Callable[[Parts], None], path: Path) -> Path:
    """The bundled model with ``edit`` applied, re-signed (checksums recomputed), at ``path``."""
    manifest, blobs = bundled
    originals = {k: np.load(io.BytesIO(b)) for k, b in blobs.items()}
    parts = Parts(json.loads(json.dumps(manifest)), dict(originals))
    edit(parts)
    # arrays the edit did not replace keep their bytes (faster than encoding them again)
    out = {f"arrays/{k}.npy": blobs[k] if a is originals.get(k) else _npy(a) for k, a in parts.arrays.items()}
    out.update(parts.extra)
    parts.manifest["arrays"] = {
        n[len("arrays/") : -len(".npy")]: hashlib.sha256(b).hexdigest()
        for n, b in out.items()
        if n.startswith("arrays/")
    }
    if parts.after is not None:
        parts.after(parts.manifest)
    parts.manifest["checksum"] = _manifest_checksum(parts.manifest)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        if "manifest.json" not in parts.extra:
            zf.writestr("manifest.json", json.dumps(parts.manifest, ensure_ascii=False))
        for name, data in out.items():
            zf.writestr(name, data)
    return path


def _set(path: str, value: Any) -> Callable[[Parts], None]:
    """An edit setting the manifest entry at ``meta.a.b.c`` to ``value``."""

    def edit(p: Parts) -> None:
        keys = path.split(".")
        node = p.meta
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value

    return edit


def _array(name: str, change: Callable[[np.ndarray], Any]) -> Callable[[Parts], None]:
    def edit(p: Parts) -> None:
        p.arrays[name] = np.asarray(change(p.arrays[name]))

    return edit


def _drop(section: str) -> Callable[[Parts], None]:
    return lambda p: p.meta.pop(section)


def _nan_at(arr: np.ndarray) -> np.ndarray:
    arr = arr.astype(np.float64)
    arr.flat[0] = np.nan
    return arr


def _huge_header(p: Parts) -> None:
    # an .npy header declaring 10^12 floats over a few bytes of data
    p.arrays.pop("vec0_word_idf")
    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
    header += b" " * (117 - len(header)) + b"\n"
    blob = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\0" * 64
    p.extra["arrays/vec0_word_idf.npy"] = blob


def _broken_header(p: Parts) -> None:
    # an .npy header that is not a Python literal at all (NumPy's parser raised TokenError)
    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': ((("
    header += b" " * (117 - len(header)) + b"\n"
    p.extra["arrays/vec0_emb_idf.npy"] = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\0" * 8


def _zip_bomb(p: Parts) -> None:
    p.extra["manifest.json"] = b" " * (MAX_MANIFEST_BYTES + 1)


@dataclasses.dataclass
class Case:
    id: str
    edit: Callable[[Parts], None]
    message: str  # must appear in the ModelFileError


CASES = [
    Case(
        "idf shorter than vocabulary",
        _array("vec0_word_idf", lambda a: a[:100]),
        "'word_idf' of the model file has shape (100,)",
    ),
    Case("char idf longer than vocabulary", _array("vec0_char_idf", lambda a: np.concatenate([a, a])), "char_idf"),
    Case("idf 2-D", _array("vec0_char_idf", lambda a: a.reshape(-1, 2)), "char_idf"),
    Case(
        "coefficients of the wrong width",
        _array("cause_primary_coef", lambda a: a[:, :-7]),
        "'cause_primary_coef' of the model file has shape",
    ),
    Case("coefficients with a row missing", _array("cause_multi_coef", lambda a: a[:-1]), "cause_multi_coef"),
    Case("motive coefficients transposed", _array("motive_coef", lambda a: a.T), "motive_coef"),
    Case("NaN weight", _array("cause_primary_coef", _nan_at), "NaN or infinite"),
    Case("inf idf", _array("vec0_word_idf", lambda a: np.where(np.arange(len(a)) == 3, np.inf, a)), "NaN or infinite"),
    Case("NaN in Platt parameters", _array("motive_platt", _nan_at), "NaN or infinite"),
    Case("string-typed idf", _array("vec0_word_idf", lambda a: a.astype(str)), "not numbers"),
    Case("string-typed coefficients", _array("cause_primary_coef", lambda a: a.astype("U8")), "not numbers"),
    Case("complex coefficients", _array("motive_coef", lambda a: a.astype(np.complex64)), "not numbers"),
    Case("word vectors of the wrong shape", _array("vec0_emb_vectors", lambda a: a[:, :50]), "cause_primary_coef"),
    Case("word vectors with a row missing", _array("vec0_emb_vectors", lambda a: a[1:]), "emb_vectors"),
    Case("word vectors 1-D", _array("vec0_emb_vectors", lambda a: a.ravel()), "emb_vectors"),
    Case("word-vector weights NaN", _array("vec0_emb_idf", _nan_at), "NaN or infinite"),
    # found by benchmarks/fuzz_models.py: finite float64 values beyond float32 became inf with a
    # RuntimeWarning on stderr; they are refused like NaN
    Case("word vectors beyond float32", _array("vec0_emb_vectors", lambda a: a.astype(np.float64) * 1e300),
         "'emb_vectors'"),
    Case("missing array", lambda p: p.arrays.pop("cause_multi_platt"), "no array 'cause_multi_platt'"),
    Case("missing intercept", lambda p: p.arrays.pop("motive_intercept"), "no array 'motive_intercept'"),
    Case("missing vectorizers section", _drop("vectorizers"), "no vectorizer"),
    Case("tokenizer section not an object", _set("tokenizer", "jieba"), "tokenizer settings"),
    Case("vocabulary of numbers", _set("vectorizers.vec0.word_vocab", list(range(40000))), "not a list of words"),
    Case(
        "vocabulary with a repeated word",
        lambda p: p.meta["vectorizers"]["vec0"]["char_vocab"].__setitem__(
            1, p.meta["vectorizers"]["vec0"]["char_vocab"][0]
        ),
        "repeats an entry",
    ),
    Case("n-gram range reversed", _set("vectorizers.vec0.char_ngrams", [3, 1]), "char_ngrams[1]"),
    Case("n-gram range of text", _set("vectorizers.vec0.word_ngrams", "1-2"), "word_ngrams"),
    Case(
        "NaN in the manifest",
        lambda p: p.extra.__setitem__(
            "manifest.json", json.dumps({**p.manifest, "meta": {**p.meta, "x": float("nan")}}).encode()
        ),
        "NaN",
    ),
    Case("temperature zero", _set("causes.primary.temperature", 0), "temperature"),
    Case("cue scale a string", _set("vectorizers.vec0.cue_scale", "0.5"), "cue_scale"),
    Case(
        "n-gram range of 10^5 numbers (quoted briefly)",
        _set("vectorizers.vec0.char_ngrams", [1, list(range(10**5))]),
        "char_ngrams[1]",
    ),
    Case("primary classes not among the classes", _set("causes.classes", ["a", "b"]), "not among its classes"),
    Case("classes of the wrong number", lambda p: p.meta["causes"]["primary"]["classes"].pop(), "cause_primary"),
    Case(
        "motive labels unknown",
        lambda p: p.meta["motives"]["model"]["labels"].__setitem__(0, "greed"),
        "not among its motives",
    ),
    Case("lexicon weight NaN-like", _set("causes.params.lexicon_weight", 1e308), "lexicon_weight"),
    Case("mode unknown", _set("causes.params.mode", "pickle"), "settings of the model file are not valid"),
    Case(
        "tokenizer reads a local file",
        _set("tokenizer.user_dicts", ["/etc/passwd"]),
        "names user dictionary files to read",
    ),
    Case("tokenizer user word not text", _set("tokenizer.user_entries", [[1, 2, 3]]), "user words"),
    Case("tokenizer switch a string", _set("tokenizer.hmm", "yes"), "true / false"),
    Case("tokenizer unknown setting", _set("tokenizer.exec", "rm -rf /"), "tokenizer settings"),
    Case("manifest a list", lambda p: p.extra.__setitem__("manifest.json", b"[1, 2]"), "not a JSON object"),
    Case(
        "array listing not an object",
        lambda p: setattr(p, "after", lambda m: m.__setitem__("arrays", [1])),
        "lacks its arrays",
    ),
    Case(
        "thousands of members",
        lambda p: setattr(p, "after", lambda m: m["arrays"].update({f"x{i}": "0" for i in range(1000)})),
        "lacks its arrays",
    ),
    Case("array header declaring a terabyte", _huge_header, "declares shape (1000000000000,)"),
    Case("array header that is not a literal", _broken_header, "'vec0_emb_idf' is not a valid .npy array"),
    Case("manifest inflating past the limit (zip bomb)", _zip_bomb, "zip bomb"),
]


@pytest.mark.filterwarnings("error::RuntimeWarning")  # refused in one message, no numeric warning first
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_crafted_model_is_refused(case: Case, bundled, tmp_path):
    path = craft(bundled, case.edit, tmp_path / "crafted.cmm")
    with pytest.raises(ModelFileError) as err:
        load_model(path)
    assert case.message in str(err.value)
    assert str(path) in str(err.value)
    assert len(str(err.value)) < 600  # one line a user reads, whatever the file holds


def test_crafted_files_reach_the_checks(bundled, tmp_path):
    """The crafting itself is sound: the bundled model rebuilt with no edit loads and classifies."""
    model = load_model(craft(bundled, lambda p: None, tmp_path / "same.cmm"))
    assert model.causes.predict(TEXTS).tolist() == load_model().causes.predict(TEXTS).tolist()


def test_classify_refuses_a_crafted_model_with_exit_10_no_crash(bundled, tmp_path):
    """The segfault case of the issue, through the command line in a subprocess (a crash would
    be a negative return code)."""
    model = craft(bundled, _array("vec0_char_idf", lambda a: a[:10]), tmp_path / "short.cmm")
    (tmp_path / "in.csv").write_text("id,text\n" + "".join(f"{i},{t}\n" for i, t in enumerate(TEXTS)), encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "complaintmine",
            "classify",
            str(tmp_path / "in.csv"),
            "-o",
            str(tmp_path / "out.csv"),
            "--model",
            str(model),
            "--jobs",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 10, run.stderr
    assert "char_idf" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out.csv").exists()


# -- known digests (--model-sha256) -----------------------------------------------------------------


def test_known_digest_is_checked(bundled, tmp_path):
    path = craft(bundled, lambda p: None, tmp_path / "m.cmm")
    digest = file_sha256(path)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert isinstance(load_model(path, sha256=digest.upper()), ComplaintModel)
    with pytest.raises(ModelFileError, match="not the expected"):
        load_model(path, sha256="0" * 64)
    with pytest.raises(ModelFileError, match="is not a SHA-256"):
        load_model(path, sha256="abc")
    with pytest.raises(ModelFileError, match="not the expected"):
        load_model(None, sha256="f" * 64)  # the bundled model, too
    assert load_model(None, sha256=file_sha256(BUNDLED)) is load_model()


@pytest.mark.parametrize("command", ["classify", "report"])
def test_model_sha256_option(command, tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,送餐太慢，菜都凉了\n", encoding="utf-8")
    out = tmp_path / ("out.csv" if command == "classify" else "out.html")
    code = main([command, str(src), "-o", str(out), "--model-sha256", "0" * 64])
    assert code == 10
    assert "not the expected" in capsys.readouterr().err
    assert not out.exists()


# -- a model that cannot classify (item 10) ---------------------------------------------------------


def test_cause_only_model_is_refused_before_the_run(tmp_path, capsys):
    from complaintmine import CauseClassifier

    CauseClassifier.from_lexicon().save(tmp_path / "cause_only.cmm")
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,送餐太慢，菜都凉了\n", encoding="utf-8")
    code = main(["classify", str(src), "-o", str(tmp_path / "out.csv"), "--model", str(tmp_path / "cause_only.cmm")])
    err = capsys.readouterr().err
    assert code == 10, err
    assert "no motive estimator" in err and "cause_only.cmm" in err
    assert not (tmp_path / "out.csv").exists()


# -- train checks its output path first (item 12) ---------------------------------------------------


@pytest.mark.parametrize(
    "where, message",
    [
        ("outdir", "is a folder"),
        ("/proc/m.cmm", "cannot create files"),
        ("labeled.csv", "is also the input file"),
        ("labeled.csv/m.cmm", "is a file, not a folder"),
    ],
)
def test_train_checks_its_output_before_training(where, message, tmp_path, capsys, monkeypatch):
    import complaintmine.model

    def no_training(*args, **kwargs):
        raise AssertionError("trained before checking the output path")

    monkeypatch.setattr(complaintmine.model, "train_model", no_training)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "outdir").mkdir()
    (tmp_path / "labeled.csv").write_text(
        "text,causes,motives\n送餐太慢,delivery,none\n客服态度差,service_attitude,respect\n", encoding="utf-8"
    )
    code = main(["train", "labeled.csv", "-o", where])
    err = capsys.readouterr().err
    assert code == 9, err
    assert message in err


def test_short_fuzz_over_model_files(bundled, tmp_path):
    """A few mutations of benchmarks/fuzz_models.py (the 10-minute run is the benchmark), in this
    process: each mutated file loads and classifies, or is refused with ModelFileError."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "fuzz_models", Path(__file__).parents[1] / "benchmarks" / "fuzz_models.py"
    )
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    rng = __import__("random").Random(18)
    outcomes = []
    for i in range(10):
        data, kind = fuzz.make_input(bundled, rng)
        path = tmp_path / f"m{i}.cmm"
        path.write_bytes(data)
        try:
            model = load_model(path).check_can_classify(path)
        except ModelFileError as err:
            assert str(path) in str(err), kind
            outcomes.append("refused")
            continue
        from complaintmine.pipeline import analyze_texts

        out = analyze_texts(TEXTS, model=model)
        assert len(out) == len(TEXTS), kind
        outcomes.append("ran")
    assert "refused" in outcomes
