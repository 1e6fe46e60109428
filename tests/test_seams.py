"""Bugs found at the seams between modules (issue "Seams"), each kept fixed by a test on real texts."""

from __future__ import annotations

import importlib
import sys

import pandas as pd
import pytest

import complaintmine as cm
from complaintmine import batch, cli, worker
from complaintmine.datasets import data_dir

tokenize_mod = importlib.import_module("complaintmine.tokenizer")
model_mod = importlib.import_module("complaintmine.model")


@pytest.fixture
def without_rjieba(monkeypatch):
    """Run as after a plain ``pip install`` (no ``fast`` extra): rjieba cannot be imported."""
    monkeypatch.setitem(sys.modules, "rjieba", None)
    tokenize_mod._available_backends.cache_clear()
    yield
    tokenize_mod._available_backends.cache_clear()


def test_auto_backend_is_kept_as_given_and_saved_as_auto(tmp_path):
    tok = cm.Tokenizer(backend="auto")
    assert tok.backend == "auto" and tok.get_params()["backend"] == "auto"
    assert tok.engine_name in tokenize_mod.available_backends()
    from complaintmine.datasets import load_labeled

    labeled = load_labeled().sample(300, random_state=1)
    trained = cm.train_model(labeled["text"], labeled["causes"], labeled["motives"], tokenizer=tok)
    trained.save(tmp_path / "m.cmm")
    assert cm.load_model(tmp_path / "m.cmm").tokenizer.backend == "auto"


def test_model_saying_rjieba_runs_without_rjieba(without_rjieba):
    """The bundled model of earlier releases stored the resolved backend ('rjieba')."""
    tok = cm.Tokenizer.from_params({"backend": "rjieba", "domain_dict": True, "user_words": [],
                                     "remove_stopwords": True, "extra_stopwords": [], "keep_punct": False,
                                     "hmm": True, "user_entries": []})
    assert tok.engine_name == "jieba"
    assert tok.tokenize("送餐员态度太差，货不对版") == ["送餐员", "态度", "太", "差", "货不对版"]


def test_bundled_model_classifies_the_demo_without_rjieba(without_rjieba):
    from importlib import resources

    demo = pd.read_csv(data_dir() / "demo" / "complaints_demo.csv", dtype=str).head(50)
    ref = resources.files("complaintmine").joinpath("resources", model_mod.DEFAULT_MODEL)
    with resources.as_file(ref) as path:
        fresh = model_mod._read(path)  # not the cached default, which may hold an rjieba engine
    assert fresh.tokenizer.engine_name == "jieba"
    out = batch.classify_texts(demo["text"].tolist(), fresh)
    assert (out["error"] == "").all()
    assert out["cause"].nunique() > 2


@pytest.fixture
def demo_export(tmp_path):
    demo = pd.read_csv(data_dir() / "demo" / "complaints_demo.csv", dtype=str).head(30)
    path = tmp_path / "demo.csv"
    demo.to_csv(path, index=False)
    return path


def test_run_where_every_row_fails_exits_non_zero(demo_export, tmp_path, monkeypatch, capsys):
    def broken(texts, model=None):
        raise RuntimeError("segmenter unavailable")

    monkeypatch.setattr(worker, "analyze_texts", broken)
    code = cli.main(["classify", str(demo_export), "-o", str(tmp_path / "out.csv"), "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 13
    assert "every row failed" in err and "RuntimeError: segmenter unavailable" in err
    assert "wrote" not in err


def test_run_where_some_rows_fail_says_how_many(demo_export, tmp_path, monkeypatch, capsys):
    real = worker.analyze_texts
    texts = pd.read_csv(demo_export, dtype=str)["text"].tolist()
    bad = {texts[3], texts[10]}

    def flaky(batch_texts, model=None):
        if any(t in bad for t in batch_texts):
            raise ValueError("cannot read this row")
        return real(batch_texts, model=model)

    monkeypatch.setattr(worker, "analyze_texts", flaky)
    out = tmp_path / "out.csv"
    code = cli.main(["classify", str(demo_export), "-o", str(out), "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 0
    assert "2 of 30 rows failed" in err and "data row 4" in err and "ValueError: cannot read this row" in err
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(written) == 30 and (written["error"] != "").sum() == 2


def test_tokenize_accepts_raw_text_as_users_pass_it():
    assert cm.tokenize("商場客戶投訴") == ["商场", "客户", "投诉"]
    assert cm.tokenize("商場客戶投訴") == cm.tokenize(cm.normalize("商場客戶投訴"), normalized=True)
    # full-width text and personal numbers are handled as in the pipeline
    assert "<PHONE>" in cm.tokenize("送餐員電話１３８１２３４５６７８，態度太差")


def test_estimators_have_a_public_decision_contract():
    from complaintmine.datasets import load_labeled
    from complaintmine.features import prepare

    model = cm.load_model()
    texts = load_labeled().sample(300, random_state=4)["text"].tolist()
    prepared = prepare(texts, model.tokenizer)
    cause = model.causes.decide(prepared)
    assert cause.primary.tolist() == model.causes.predict(texts).tolist()
    assert cause.causes == model.causes.predict_multilabel(texts)
    assert (cause.score == cause.proba.max(axis=1)).mean() > 0.95  # the primary is the most probable
    motive = model.motives.decide(prepared)
    assert motive.primary.tolist() == model.motives.predict(texts).tolist()
    assert (motive.scores == model.motives.predict_proba(texts)).all()
    assert motive.score_of("no such motive").shape == (300,)


def test_the_pipeline_and_evaluation_use_no_private_estimator_method():
    import ast
    from pathlib import Path

    for name in ("pipeline.py", "evaluation.py"):
        tree = ast.parse((Path(cm.__file__).parent / name).read_text(encoding="utf-8"))
        private = sorted({node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                          and isinstance(node.value, ast.Name) and node.value.id in ("clf", "est", "lex", "rules")
                          and node.attr.startswith("_")})
        assert private == [], f"{name} calls {private}"


def test_risk_owns_the_flag_rule():
    from complaintmine.features import prepare
    from complaintmine.lexicon import default_lexicon
    from complaintmine.risk import flags_of_bits, risk_flag_bits

    texts = ["再不解决我就投诉到12315，还要找媒体曝光", "吃出一根头发", "送餐太慢"]
    bits = risk_flag_bits(prepare(texts), default_lexicon(), [["delivery"], ["safety_health"], ["delivery"]])
    assert [flags_of_bits(b) for b in bits.tolist()] == [["media", "regulator"], ["safety"], []]
    frame = cm.flag_risks(texts, causes=["delivery", "safety_health", "delivery"])
    assert frame["risk_flags"].tolist() == ["media;regulator", "safety", ""]
    assert frame["risk_level"].tolist() == ["high", "high", "low"]


def test_one_default_tokenizer_identity():
    from complaintmine import analysis, features

    dt = tokenize_mod.dt
    assert dt.backend == "auto"
    assert tokenize_mod.default_tokenizer() is dt
    assert features._default_tokenizer() is dt and analysis._default_tokenizer() is dt
    # the bundled model was trained with the same settings
    assert cm.load_model().tokenizer.to_params() == dt.to_params()
    assert cm.tokenize("送餐員態度太差") == dt.tokenize(cm.normalize("送餐員態度太差"))


def test_one_owner_for_the_pii_placeholders():
    from complaintmine.analysis import distinctive_terms
    from complaintmine.features import unusable_reason
    from complaintmine.normalization import PII_PLACEHOLDER, PII_TOKENS, normalize

    masked = normalize("我的电话13812345678打不通，邮箱a.b@qq.com也没人回，身份证110101199003077777")
    found = PII_PLACEHOLDER.findall(masked)
    assert found == [PII_TOKENS["phone"], PII_TOKENS["email"], PII_TOKENS["id_number"]]
    for token in PII_TOKENS.values():
        # the tokenizer keeps each placeholder whole, and a text of placeholders has no words
        assert token in tokenize_mod.dt.tokenize(f"电话{token}打不通")
        assert unusable_reason(f"{token} {token}")
    # and the analysis functions never report one as a distinctive term
    frame = pd.DataFrame({"text": [masked, "送餐太慢 电话13812345678"] * 10, "cause": ["a"] * 10 + ["b"] * 10})
    terms = distinctive_terms(frame, min_df=1, min_lift=0)
    assert len(terms) and not any(PII_PLACEHOLDER.fullmatch(str(t)) for t in terms["term"])
