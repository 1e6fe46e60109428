"""Collect the hand-labelled complaint-record-card fields into data/labeled/record_card.csv.

Reads the annotators' files under data/labeled/narratives/annotations/ (see
record_instructions.md and scripts/draw_record_sample.py): record_batch1/2.pass1.tsv (the
labels; the batches that exist: batch 1 becomes the ``dev`` split, batch 2 ``test``) and
record_second.pass2.tsv (an independent second pass over 100 of the same texts).
Validates every field and writes, per field, Cohen's kappa of the second pass against the first
(presence of a value; each threat code) and the exact agreement of the value sets, into the
``record_card`` entry of data/labeled/agreement.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[1]
ANN = ROOT / "data" / "labeled" / "narratives" / "annotations"
OUT = ROOT / "data" / "labeled"
FIELDS = ["amounts", "claimed", "waited_hours", "repeat", "threat", "object"]
THREATS = ("media", "consumer", "regulator", "lawyer", "court", "police")


def read(path: Path) -> pd.DataFrame:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 7:
            raise SystemExit(f"{path}:{n}: expected 7 tab-separated fields, got {len(parts)}")
        rows.append(dict(zip(["id", *FIELDS], [p.strip() for p in parts])))
    frame = pd.DataFrame(rows)
    for col in ("amounts", "claimed", "waited_hours"):
        for n, value in enumerate(frame[col], 1):
            try:
                [float(v) for v in value.split(";")] if value != "none" else None
            except ValueError:
                raise SystemExit(f"{path}: item {n}: {col} {value!r} is not a number list") from None
    bad = frame[~frame["repeat"].str.fullmatch(r"\d+|several")]
    if len(bad):
        raise SystemExit(f"{path}: bad repeat values {bad['repeat'].tolist()[:5]}")
    for value in frame["threat"]:
        if value != "none" and not set(value.split(";")) <= set(THREATS):
            raise SystemExit(f"{path}: bad threat {value!r}")
    if frame["id"].duplicated().any():
        raise SystemExit(f"{path}: repeated ids")
    return frame


def _values(cell: str) -> frozenset[float]:
    return frozenset() if cell == "none" else frozenset(round(float(v), 2) for v in cell.split(";"))


def agreement(first: pd.DataFrame, second: pd.DataFrame) -> dict:
    both = first.merge(second, on="id", suffixes=("_1", "_2"))
    report: dict = {"n_second_pass": len(both), "kappa": {}, "agreement": {}}
    for field in ("amounts", "claimed", "waited_hours"):
        a, b = both[f"{field}_1"].map(_values), both[f"{field}_2"].map(_values)
        report["kappa"][f"{field} present"] = round(cohen_kappa_score(a.map(bool), b.map(bool)), 3)
        report["agreement"][f"{field} (same values)"] = round(float((a == b).mean()), 3)
    a, b = both["repeat_1"] != "0", both["repeat_2"] != "0"
    report["kappa"]["repeat > 0"] = round(cohen_kappa_score(a, b), 3)
    t1, t2 = both["threat_1"].str.split(";"), both["threat_2"].str.split(";")
    for code in THREATS:
        x, y = t1.map(lambda t, c=code: c in t), t2.map(lambda t, c=code: c in t)
        if x.any() or y.any():
            report["kappa"][f"threat:{code}"] = round(cohen_kappa_score(x, y), 3)
    report["agreement"]["threat (same set)"] = round(float((t1.map(frozenset) == t2.map(frozenset)).mean()), 3)
    o1, o2 = both["object_1"], both["object_2"]
    overlap = [(x == y) or (x != "none" and y != "none" and (x in y or y in x)) for x, y in zip(o1, o2)]
    report["agreement"]["object (one contains the other)"] = round(sum(overlap) / len(both), 3)
    return report


def main() -> None:
    # batch 1 is the development set the extraction rules were written against; batch 2, labelled
    # after the rules were frozen, is the held-out test set
    batches = [(p, split) for p, split in ((ANN / "record_batch1.pass1.tsv", "dev"), (ANN / "record_batch2.pass1.tsv",
                                                                                      "test")) if p.exists()]
    first = pd.concat([read(p).assign(split=split) for p, split in batches], ignore_index=True)
    if first["id"].duplicated().any():
        raise SystemExit("an id is labelled in two batches")
    labeled = pd.read_csv(OUT / "labeled.csv", dtype=str, keep_default_na=False).set_index("id")
    missing = sorted(set(first["id"]) - set(labeled.index))
    if missing:
        raise SystemExit(f"ids not in labeled.csv: {missing[:5]}")
    first.insert(1, "domain", labeled.loc[first["id"], "domain"].to_numpy())
    first.insert(2, "text", labeled.loc[first["id"], "text"].to_numpy())
    first.to_csv(OUT / "record_card.csv", index=False)
    report = json.loads((OUT / "agreement.json").read_text(encoding="utf-8"))
    second = ANN / "record_second.pass2.tsv"
    if second.exists():
        report["record_card"] = {"n_labeled": len(first), **agreement(first, read(second))}
    (OUT / "agreement.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report.get("record_card", {}), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
