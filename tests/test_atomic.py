"""Atomic writing: one helper for tables, reports and models; unpredictable temp names."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

import complaintmine as cm
from complaintmine.atomic import atomic_path
from complaintmine.datasets import load_labeled


@pytest.fixture(scope="module")
def small_model():
    labeled = load_labeled(include_seeds=False).sample(400, random_state=2)
    return cm.train_model(labeled["text"], labeled["causes"], labeled["motives"])


def test_a_failed_write_leaves_the_target_and_no_temp_file(tmp_path):
    target = tmp_path / "out.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("half")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.html"]


def test_a_planted_symlink_at_the_old_temp_name_is_not_followed(tmp_path, small_model):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (tmp_path / ".m.cmm.partial").symlink_to(victim)  # the fixed name earlier versions used
    small_model.save(tmp_path / "m.cmm")
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert cm.load_model(tmp_path / "m.cmm").causes.predict(["送餐太慢了"])[0]


def test_concurrent_saves_of_one_model_both_succeed(tmp_path, small_model):
    errors = []

    def save():
        try:
            small_model.save(tmp_path / "m.cmm")
        except Exception as err:  # pragma: no cover - the failure being tested for
            errors.append(err)

    threads = [threading.Thread(target=save) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert cm.load_model(tmp_path / "m.cmm").motives.predict(["要求退款"])[0] == "compensation"
    assert [p.name for p in tmp_path.iterdir()] == ["m.cmm"]


def test_tables_and_reports_write_through_it(tmp_path):
    from complaintmine.batch import classify_file
    from complaintmine.datasets import data_dir

    out = tmp_path / "classified.csv"
    classify_file(data_dir() / "demo" / "complaints_demo.csv", out, jobs=1, progress=False)
    frame = pd.read_csv(out, dtype=str, keep_default_na=False).head(200)
    from complaintmine.report import write_report

    write_report(frame, tmp_path / "r.html", date_col="date")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["classified.csv", "r.html"]
