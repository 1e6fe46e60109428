"""What starting complaintmine costs, pinned as the modules it imports (not as wall time: the
times are in benchmarks/startup.py), and the lazy public names behaving as eager ones did."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.base import clone, is_classifier
from sklearn.utils import get_tags

import complaintmine as cm
from complaintmine import CauseClassifier, MotiveEstimator

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "complaints_demo.csv"
#: each takes 0.1 s or more to import; none is needed to import the package or show the help
HEAVY = ("sklearn", "scipy", "matplotlib", "dask", "distributed", "numba", "gensim", "jieba", "rjieba", "pandas",
         "pyarrow")


def imported_after(code: str) -> set[str]:
    """The top-level packages a fresh interpreter has imported after running ``code``."""
    probe = ("import io, json, sys\nsys.stdout = io.StringIO()\ntry:\n" + "".join(f"    {line}\n" for line in
             code.splitlines()) + "except SystemExit:\n    pass\n"
             "sys.__stdout__.write(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return set(json.loads(res.stdout))


@pytest.mark.parametrize("code", [
    "import complaintmine",
    "from complaintmine.cli import main; main(['--help'])",
    "from complaintmine.cli import main; main(['--version'])",
    "from complaintmine.cli import main; main(['classify', '--help'])",
], ids=["import", "--help", "--version", "classify --help"])
def test_starting_imports_no_heavy_library(code):
    assert imported_after(code).isdisjoint(HEAVY), sorted(imported_after(code) & set(HEAVY))


def test_classifying_a_few_rows_imports_neither_scikit_learn_nor_numba():
    # the bundled model predicts with NumPy / SciPy only; Numba pays only on large batches
    code = ("import complaintmine as cm\n"
            f"df = cm.read_complaints({str(DEMO)!r}).head(10)\n"
            "cm.analyze(df)")
    loaded = imported_after(code)
    assert "pandas" in loaded and "complaintmine" in loaded  # it did run
    assert loaded.isdisjoint({"sklearn", "numba", "matplotlib", "dask", "gensim"})


def test_lazy_names_are_the_real_objects():
    from complaintmine import io, model, pipeline, schema, taxonomy

    assert cm.read_complaints is io.read_complaints and cm.load_model is model.load_model
    assert cm.analyze is pipeline.analyze and cm.OUTPUT_COLUMNS is schema.OUTPUT_COLUMNS
    assert cm.taxonomy is taxonomy  # submodules as attributes, as before
    assert set(cm.__all__) <= set(dir(cm))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        cm.nope  # noqa: B018
    # the library never imports the command line (in a fresh process: once a test has imported
    # complaintmine.cli, Python binds it on the package)
    probe = subprocess.run([sys.executable, "-c", "import complaintmine as cm; cm.cli"], capture_output=True,
                           text=True, timeout=120)
    assert probe.returncode != 0 and "no attribute 'cli'" in probe.stderr


def test_function_names_are_not_shadowed_by_their_submodules():
    import complaintmine.normalization as normalization
    import complaintmine.tokenizer as tokenizer

    # a submodule named like a function made ``import complaintmine.tokenize as m`` give the function
    assert inspect.ismodule(normalization) and inspect.ismodule(tokenizer)
    assert {n for n in dir(cm) if inspect.ismodule(getattr(cm, n, None))}.isdisjoint(
        n for n in cm.__all__ if callable(getattr(cm, n)))
    assert callable(cm.normalize) and cm.normalize("服務態度太差") == "服务态度太差"
    assert cm.tokenize("送餐员态度太差") == ["送餐员", "态度", "太", "差"]


def test_estimators_keep_the_scikit_learn_protocol():
    clf = CauseClassifier(C=2.0, lexicon_weight=0.1)
    twin = clone(clf)
    assert twin is not clf and twin.get_params() == clf.get_params()
    assert repr(clf) == "CauseClassifier(C=2.0, lexicon_weight=0.1)"
    assert clf.set_params(C=1.0) is clf and clf.C == 1.0
    with pytest.raises(ValueError, match="Invalid parameter 'nope'"):
        clf.set_params(nope=1)
    assert is_classifier(clf) and not is_classifier(MotiveEstimator())
    assert get_tags(clf).input_tags.string and get_tags(clf).classifier_tags is not None
    est = MotiveEstimator(threshold=0.5, tokenizer=cm.Tokenizer(backend="jieba"))
    deep = est.get_params()
    assert deep["threshold"] == 0.5 and deep["tokenizer__backend"] == "jieba"  # nested, as BaseEstimator does
    assert clone(MotiveEstimator(threshold=0.5)).get_params()["threshold"] == 0.5


def test_score_is_accuracy():
    clf = CauseClassifier.from_lexicon()
    texts = ["房间隔音太差，一晚上没睡好", "送餐员迟到了一个小时"]
    pred = clf.predict(texts)
    assert clf.score(texts, pred) == 1.0
    assert clf.score(texts, ["nothing", pred[1]]) == 0.5
