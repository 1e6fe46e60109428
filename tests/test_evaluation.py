"""The evaluation figures: macro-F1 over supported classes with bootstrap intervals."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score

from complaintmine.evaluation import macro_f1_ci


def test_macro_f1_matches_scikit_learn_on_the_scored_classes():
    rng = np.random.default_rng(3)
    classes = np.array(["delivery", "product_quality", "price_billing", "other", "rare"])
    y_true = rng.choice(classes, 400, p=[0.4, 0.3, 0.2, 0.09, 0.01])
    y_pred = np.where(rng.random(400) < 0.7, y_true, rng.choice(classes, 400))
    r = macro_f1_ci(y_true, y_pred, min_support=5, n_boot=300)
    scored = [c for c in classes if (y_true == c).sum() >= 5]
    assert r["classes_scored"] == sorted(scored) and "rare" not in scored
    assert np.isclose(r["macro_f1"], f1_score(y_true, y_pred, labels=scored, average="macro"))
    assert np.isclose(r["accuracy"], (y_true == y_pred).mean())
    lo, hi = r["macro_f1_ci"]
    assert lo < r["macro_f1"] < hi and hi - lo < 0.2


def test_interval_narrows_with_more_rows():
    rng = np.random.default_rng(0)
    widths = []
    for n in (100, 2000):
        y = rng.choice(["a", "b", "c"], n)
        pred = np.where(rng.random(n) < 0.8, y, "a")
        lo, hi = macro_f1_ci(y, pred, n_boot=300)["macro_f1_ci"]
        widths.append(hi - lo)
    assert widths[1] < widths[0] / 2
