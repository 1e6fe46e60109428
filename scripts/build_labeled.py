"""Assemble data/labeled/labeled.csv and data/labeled/second_pass.csv from the annotators' files.

Inputs (all under data/labeled/annotations/):
  sample_manifest.csv      the texts drawn for labelling (id, domain, category, sample, text)
  batch{1..6}.pass1.tsv    first-pass labels: id <TAB> causes <TAB> motives (primary first)
  second_pass.pass2.tsv    an independent second pass over 300 of the same texts
  seed_labels.tsv          labels of the seed case narratives (data/seeds/seed_cases.jsonl)
and, under data/labeled/narratives/annotations/ (complaint narratives, see scripts/draw_narratives.py):
  sample_manifest.csv      the drawn narratives (id, domain, source, subdomain, sample, title, text)
  batch{1..8}.pass1.tsv    first-pass labels: id <TAB> causes <TAB> motives <TAB> demand
  second_pass_{a,b}.pass2.tsv  an independent second pass over 10% of them
Validates every code against the taxonomy and prints per-field agreement (Cohen's kappa).
The sources' own labels of the narratives are kept as weak columns (source_label,
source_demand), never as labels.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sklearn.metrics import cohen_kappa_score

from complaintmine.taxonomy import CAUSES, MOTIVES, parse_codes

ROOT = Path(__file__).resolve().parents[1]
ANN = ROOT / "data" / "labeled" / "annotations"
NARR = ROOT / "data" / "labeled" / "narratives" / "annotations"
SHARED = ROOT.parent / "shared" / "data" / "complaints"
OUT = ROOT / "data" / "labeled"
DEMANDS = ("refund", "return", "exchange", "repair", "compensation", "apology", "explanation", "accountability",
           "cancel", "other")


def read_labels(path: Path, fields: int = 3) -> pd.DataFrame:
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) != fields:
            raise SystemExit(f"{path}:{lineno}: expected {fields} tab-separated fields")
        causes, motives = parse_codes(parts[1]), parse_codes(parts[2])
        bad = [c for c in causes if c not in CAUSES] + [m for m in motives if m not in MOTIVES]
        if bad or not causes:
            raise SystemExit(f"{path}:{lineno}: invalid codes {bad or parts[1]!r}")
        row = {"id": parts[0], "causes": ";".join(causes), "cause": causes[0],
               "motives": ";".join(motives) if motives else "none", "motive": motives[0] if motives else "none"}
        if fields == 4:
            demand = [d for d in parts[3].split(";") if d and d != "none"]
            if any(d not in DEMANDS for d in demand):
                raise SystemExit(f"{path}:{lineno}: invalid demand codes {parts[3]!r}")
            row["demand"] = ";".join(dict.fromkeys(demand)) or "none"
        rows.append(row)
    return pd.DataFrame(rows)


def _weak_columns(manifest: pd.DataFrame) -> pd.DataFrame:
    """The sources' own labels (weak: not from reading against our taxonomy), joined by id."""
    weak = []
    for name, prefix in (("heimao_finance_celine", "fin"), ("gov_tipdm2020_messages", "gov"),
                         ("stc3_weibo_helpdesk", "hd"), ("heimao_misc_scrapes", "hm"),
                         ("jddc_sample_complaint_dialogues", "jd"), ("car_12365auto_titles", "car")):
        path = SHARED / f"{name}.csv.gz"
        if not path.exists():
            continue
        src = pd.read_csv(path, dtype=str, keep_default_na=False)
        src["id"] = [f"{prefix}-{i:05d}" for i in range(len(src))]
        cols = {"label": "source_label", "demand": "source_demand", "company": "source_company",
                "date": "source_date"}
        weak.append(src[["id"] + [c for c in cols if c in src.columns]].rename(columns=cols))
    if not weak:  # a clone without ../shared keeps the weak columns already in labeled.csv
        old = pd.read_csv(OUT / "labeled.csv", dtype=str, keep_default_na=False)
        return old[["id"] + [c for c in old.columns if c.startswith("source_")]]
    return pd.concat(weak, ignore_index=True)


def build_narratives() -> tuple[pd.DataFrame, dict]:
    from sklearn.model_selection import train_test_split

    manifest = pd.read_csv(NARR / "sample_manifest.csv", dtype=str, keep_default_na=False)
    parts = []
    for path in sorted(NARR.glob("batch*.pass1.tsv")):
        part = read_labels(path, 4)
        drawn = set(pd.read_json(path.with_name(path.name.replace(".pass1.tsv", ".jsonl")), lines=True,
                                 dtype=False)["id"])
        stray = sorted(set(part["id"]) - drawn)
        if stray:
            raise SystemExit(f"{path.name}: labels for ids that are not in its batch: {stray[:5]}")
        parts.append(part)
    first = pd.concat(parts, ignore_index=True)
    dup = first["id"][first["id"].duplicated()]
    if len(dup):
        raise SystemExit(f"narratives labelled twice in the first pass: {dup.tolist()[:5]}")
    unknown = set(first["id"]) - set(manifest["id"])
    if unknown:
        raise SystemExit(f"labels for ids that were not drawn: {sorted(unknown)[:5]}")
    labeled = manifest.merge(first, on="id", how="inner", validate="one_to_one")
    missing = set(manifest["id"]) - set(labeled["id"])
    if missing:
        print(f"warning: {len(missing)} drawn narratives have no label yet, e.g. {sorted(missing)[:3]}")
    # the text as the annotators read it: the title (where the source has one) and the narrative
    has_title = (labeled["title"] != "") & ~labeled.apply(lambda r: r["text"].startswith(r["title"]), axis=1)
    labeled["text"] = labeled["text"].where(~has_title, "【" + labeled["title"] + "】" + labeled["text"])
    labeled = labeled.merge(_weak_columns(manifest), on="id", how="left").fillna("")
    # held-out split: half of each domain, stratified by primary cause (rare causes pooled)
    key = labeled["domain"] + ":" + labeled["cause"]
    counts = key.map(key.value_counts())
    key = key.where(counts >= 4, labeled["domain"] + ":rare")
    _, test_ids = train_test_split(labeled["id"], test_size=0.5, random_state=20261207, stratify=key)
    labeled["holdout"] = labeled["id"].isin(set(test_ids)).map({True: "test", False: "train"})
    labeled["category"] = labeled["subdomain"].where(labeled["subdomain"] != "", labeled["source"])
    labeled = labeled.drop(columns=["title", "subdomain"])

    second = pd.concat([read_labels(p, 4) for p in sorted(NARR.glob("second_pass_*.pass2.tsv"))],
                       ignore_index=True) if list(NARR.glob("second_pass_*.pass2.tsv")) else pd.DataFrame()
    report: dict = {"n_labeled": len(labeled), "by_domain": labeled["domain"].value_counts().to_dict()}
    if len(second):
        second.to_csv(OUT / "narratives_second_pass.csv", index=False)
        report.update(agreement(second, labeled, demand=True))
    return labeled, report


def agreement(second: pd.DataFrame, first: pd.DataFrame, *, demand: bool = False) -> dict:
    """Cohen's kappa and raw agreement of the primary codes, and kappa of each code's presence."""
    both = second.merge(first, on="id", suffixes=("_2", "_1"))
    report: dict = {"n_second_pass": len(both), "kappa": {}, "agreement": {}}
    for field in ("cause", "motive"):
        report["kappa"][field] = round(cohen_kappa_score(both[f"{field}_1"], both[f"{field}_2"]), 3)
        report["agreement"][field] = round(float((both[f"{field}_1"] == both[f"{field}_2"]).mean()), 3)
    groups = [("causes", "cause", list(CAUSES)), ("motives", "motive", list(MOTIVES))]
    if demand:
        groups.append(("demand", "demand", list(DEMANDS)))
        report["agreement"]["demand (same set)"] = round(float((both["demand_1"] == both["demand_2"]).mean()), 3)
    for col, name, codes in groups:
        for code in codes:
            a = both[f"{col}_1"].map(lambda s, c=code: c in s.split(";"))
            b = both[f"{col}_2"].map(lambda s, c=code: c in s.split(";"))
            if a.any() or b.any():
                report["kappa"][f"{name}:{code}"] = round(cohen_kappa_score(a, b), 3)
    return report


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
    narratives, narr_report = build_narratives()
    labeled = pd.concat([labeled, seeds, narratives], ignore_index=True).fillna("")
    first_cols = ["id", "domain", "category", "source", "sample", "text", "causes", "cause", "motives", "motive",
                  "demand", "holdout"]
    labeled = labeled[first_cols + [c for c in labeled.columns if c not in first_cols]]
    labeled.to_csv(OUT / "labeled.csv", index=False)

    second = read_labels(ANN / "second_pass.pass2.tsv")
    second.to_csv(OUT / "second_pass.csv", index=False)
    reviews = labeled[~labeled["id"].isin(set(narratives["id"]))]
    report = {"n_labeled": int((labeled["domain"].isin(["food_delivery", "hotel", "online_shopping",
                                                          "seed_case"])).sum()),
              "by_domain": reviews["domain"].value_counts().to_dict()}
    report.update(agreement(second, reviews))
    report["narratives"] = narr_report
    (OUT / "agreement.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
