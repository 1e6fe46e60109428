"""The output schema's one owner: input columns named like output columns are never lost."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import complaintmine as cm
from complaintmine.schema import OUTPUT_COLUMNS, failed_result, input_renames
from complaintmine.taxonomy import CAUSES


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return pd.read_csv("data/demo/complaints_demo.csv", dtype=str, keep_default_na=False).head(40)


def test_input_columns_named_like_outputs_are_renamed_not_dropped(demo):
    # an export that carries its own cause / risk fields (an earlier classification, say)
    frame = demo.assign(cause="顾客自填", risk_level="high")
    with pytest.warns(UserWarning, match="'cause' -> 'cause_input'"):
        out = cm.analyze(frame, text_col="text")
    assert out["cause_input"].eq("顾客自填").all() and out["risk_level_input"].eq("high").all()
    assert list(out.columns) == [*[c if c not in ("cause", "risk_level") else f"{c}_input" for c in frame.columns],
                                 *OUTPUT_COLUMNS]
    assert set(out["cause"]) <= set(CAUSES)


def test_a_text_column_named_like_an_output_is_still_the_text(demo):
    frame = demo.rename(columns={"text": "evidence"})
    frame.attrs["text_col"] = "evidence"  # as read_complaints records it
    with pytest.warns(UserWarning):
        out = cm.analyze(frame)
    assert out["evidence_input"].tolist() == demo["text"].tolist()
    assert out.attrs["text_col"] == "evidence_input"
    expected = cm.analyze(demo, text_col="text")
    assert out["cause"].tolist() == expected["cause"].tolist()


def test_renames_never_collide():
    assert input_renames(["cause", "cause_input", "error", "x"]) == {"cause": "cause_input_2", "error": "error_input"}
    assert input_renames(["id", "text"]) == {}


def test_failed_row_has_every_output_column():
    row = failed_result("ValueError: x")
    assert list(row) == [*OUTPUT_COLUMNS, "error"] and row["error"] == "ValueError: x"


def test_classify_keeps_id_text_and_clashing_columns(demo, tmp_path):
    src = demo.rename(columns={"complaint_id": "id"}).assign(error="上游备注", evidence="附件3张")
    path = tmp_path / "in.csv"
    src.to_csv(path, index=False)
    done = subprocess.run([sys.executable, "-m", "complaintmine", "classify", str(path), "-o", str(tmp_path / "o.csv")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "'error' -> 'error_input'" in done.stderr and "'evidence' -> 'evidence_input'" in done.stderr
    out = pd.read_csv(tmp_path / "o.csv", dtype=str, keep_default_na=False)
    assert out["id"].tolist() == src["id"].tolist() and out["text"].tolist() == src["text"].tolist()
    assert out["error_input"].eq("上游备注").all() and out["evidence_input"].eq("附件3张").all()
    assert out["error"].eq("").all() and not out["evidence"].eq("附件3张").any()
