import numpy as np
import pytest
from sklearn.base import clone

from complaintmine import CauseClassifier, load_model
from complaintmine.errors import NotFittedError


def test_get_params_and_clone():
    clf = CauseClassifier(C=2.0, lexicon_weight=0.1)
    params = clf.get_params()
    assert params["C"] == 2.0 and params["lexicon_weight"] == 0.1
    twin = clone(clf)
    assert twin is not clf and twin.get_params() == params


def test_not_fitted_error():
    with pytest.raises(NotFittedError, match="not fitted"):
        CauseClassifier().predict(["送餐太慢"])


def test_fit_predict_proba_on_real_labels(small_model, labeled):
    clf = small_model.causes
    test = labeled[labeled["holdout"] == "test"].head(200)
    proba = clf.predict_proba(test["text"])
    assert proba.shape == (len(test), len(clf.classes_))
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert ((proba >= 0) & (proba <= 1)).all()
    pred = clf.predict(test["text"])
    assert set(pred) <= set(clf.classes_)
    assert (pred == test["cause"].to_numpy()).mean() > 0.4  # far above chance (11 classes)
    multi = clf.predict_multilabel(test["text"])
    assert all(m[0] == p for m, p in zip(multi, pred))


def test_codes_are_data_not_constants(real_texts):
    texts = real_texts[:60]
    labels = ["快" if i % 2 else "慢;贵" for i in range(60)]
    clf = CauseClassifier(lexicon_weight=0.0).fit(texts, labels)
    assert set(clf.classes_) == {"快", "慢", "贵"}
    assert set(clf.predict(texts)) <= {"快", "慢", "贵"}


def test_lexicon_mode_needs_no_labels():
    clf = CauseClassifier.from_lexicon()
    pred = clf.predict(["房间隔音太差，一晚上没睡好", "等了两个小时外卖才送到", "吃出一根头发", ""])
    assert pred.tolist() == ["facilities_environment", "delivery", "safety_health", "other"]


def test_explain_names_real_cue_words():
    model = load_model()
    info = model.causes.explain("送餐员迟到了一个多小时，饭菜都凉了")
    assert info["cause"] == "delivery"
    assert "送餐员" in info["cues"]
    assert info["terms"] and all(w > 0 for _, w in info["terms"])
    assert any(name.startswith(("word:", "char:", "cue:")) for name, _ in info["terms"])
    assert 0 < info["probability"] <= 1


def test_fit_rejects_bad_labels(real_texts):
    with pytest.raises(ValueError, match="two different"):
        CauseClassifier().fit(real_texts[:10], ["delivery"] * 10)
    with pytest.raises(ValueError, match="row 1"):
        CauseClassifier().fit(real_texts[:3], ["delivery", "", "other"])
    with pytest.raises(ValueError, match="3 texts but y has 2"):
        CauseClassifier().fit(real_texts[:3], ["delivery", "other"])
