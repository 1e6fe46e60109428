"""Assemble data/labeled/labeled.csv and data/labeled/second_pass.csv from the annotators' files.

Inputs (all under data/labeled/annotations/):
  sample_manifest.csv      the texts drawn for labelling (id, domain, category, sample, text)
  batch{1..6}.pass1.tsv    first-pass labels: id <TAB> causes <TAB> motives (primary first)
  second_pass.pass2.tsv    an independent second pass over 300 of the same texts
  seed_labels.tsv          labels of the seed case narratives (data/seeds/seed_cases.jsonl)
Validates every code against the taxonomy and prints per-field agreement (Cohen's kappa).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sklearn.metrics import cohen_kappa_score

from complaintmine.taxonomy import CAUSES, MOTIVES, parse_codes

ROOT = Path(__file__).resolve().parents[1]
ANN = ROOT / "data" / "labeled" / "annotations"
OUT = ROOT / "data" / "labeled"


def read_labels(path: Path) -> pd.DataFrame:
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise SystemExit(f"{path}:{lineno}: expected 3 tab-separated fields")
        causes, motives = parse_codes(parts[1]), parse_codes(parts[2])
        bad = [c for c in causes if c not in CAUSES] + [m for m in motives if m not in MOTIVES]
        if bad or not causes:
            raise SystemExit(f"{path}:{lineno}: invalid codes {bad or parts[1]!r}")
        rows.append({"id": parts[0].strip(), "causes": ";".join(causes), "cause": causes[0],
                     "motives": ";".join(motives) if motives else "none",
                     "motive": motives[0] if motives else "none"})
    return pd.DataFrame(rows)


def main() -> None:
    manifest = pd.read_csv(ANN / "sample_manifest.csv", dtype=str, keep_default_na=False)
    first = pd.concat([read_labels(p) for p in sorted(ANN.glob("batch*.pass1.tsv"))], ignore_index=True)
    dup = first["id"][first["id"].duplicated()]
    if len(dup):
        raise SystemExit(f"ids labelled twice in the first pass: {dup.tolist()[:5]}")
    labeled = manifest.merge(first, on="id", how="inner", validate="one_to_one")
    missing = set(manifest["id"]) - set(labeled["id"])
    if missing:
        raise SystemExit(f"{len(missing)} sampled texts have no label, e.g. {sorted(missing)[:5]}")

    seeds = pd.read_json(ROOT / "data" / "seeds" / "seed_cases.jsonl", lines=True, dtype=False)
    seed_labels = read_labels(ANN / "seed_labels.tsv").rename(columns={"id": "case_id"})
    seeds = seeds.merge(seed_labels, on="case_id", validate="one_to_one")
    seeds = pd.DataFrame({"id": seeds["case_id"], "domain": "seed_case", "category": seeds["source_file"],
                          "sample": "seed", "text": seeds["text"], "causes": seeds["causes"],
                          "cause": seeds["cause"], "motives": seeds["motives"], "motive": seeds["motive"]})
    # held-out split: 20% of the reviews, stratified by primary cause; the seed cases are kept apart
    from sklearn.model_selection import train_test_split

    _, test_ids = train_test_split(labeled["id"], test_size=0.2, random_state=20261124,
                                   stratify=labeled["cause"])
    labeled["holdout"] = labeled["id"].isin(set(test_ids)).map({True: "test", False: "train"})
    seeds["holdout"] = "seed"
    labeled = pd.concat([labeled, seeds], ignore_index=True)
    labeled.to_csv(OUT / "labeled.csv", index=False)

    second = read_labels(ANN / "second_pass.pass2.tsv")
    second.to_csv(OUT / "second_pass.csv", index=False)
    both = second.merge(labeled, on="id", suffixes=("_2", "_1"))
    report = {"n_labeled": len(labeled), "n_second_pass": len(both),
              "by_domain": labeled["domain"].value_counts().to_dict(),
              "kappa": {}, "agreement": {}}
    for field in ("cause", "motive"):
        report["kappa"][field] = round(cohen_kappa_score(both[f"{field}_1"], both[f"{field}_2"]), 3)
        report["agreement"][field] = round(float((both[f"{field}_1"] == both[f"{field}_2"]).mean()), 3)
    for code in list(CAUSES):
        a = both["causes_1"].map(lambda s, c=code: c in s.split(";"))
        b = both["causes_2"].map(lambda s, c=code: c in s.split(";"))
        if a.any() or b.any():
            report["kappa"][f"cause:{code}"] = round(cohen_kappa_score(a, b), 3)
    for motive in MOTIVES:
        a = both["motives_1"].map(lambda s, m=motive: m in s.split(";"))
        b = both["motives_2"].map(lambda s, m=motive: m in s.split(";"))
        report["kappa"][f"motive:{motive}"] = round(cohen_kappa_score(a, b), 3)
    (OUT / "agreement.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
