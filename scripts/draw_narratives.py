"""Draw the complaint narratives to be hand-labelled and split them into annotator batches.

Reads ../shared/data/complaints/*.csv.gz (see its README) and writes, under
data/labeled/narratives/annotations/:
  sample_manifest.csv   every drawn text: id, domain, source, subdomain, sample, title, text
  batchN.jsonl          first-pass batches (id, text as the annotator sees it), mixed domains
  second_pass_X.jsonl   an independent second pass over a random 10% of the drawn texts

Ids are the file prefix plus the row number in the source file (0-based, header excluded), so
they stay stable as long as the source files do. The draw is a simple random sample without
replacement per stratum (numpy default_rng, fixed seed); the sizes are the ones in SIZES.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT.parent / "shared" / "data" / "complaints"
OUT = ROOT / "data" / "labeled" / "narratives" / "annotations"
SEED = 20261207

# (file, id prefix, domain, row filter, rows to draw; None = all)
SIZES = [
    ("heimao_finance_celine", "fin", "finance", None, 1650),
    ("gov_tipdm2020_messages", "gov", "government", None, 1100),
    ("stc3_weibo_helpdesk", "hd", "helpdesk", ("domain_guess", "telecom"), 950),
    ("stc3_weibo_helpdesk", "hd", "helpdesk", ("domain_guess", "!telecom"), 700),
    ("heimao_misc_scrapes", "hm", "ecommerce", None, None),
    ("jddc_sample_complaint_dialogues", "jd", "ecommerce", None, None),
    ("car_12365auto_titles", "car", "car", None, 560),
]
N_BATCHES = 8
SECOND_PASS_FRACTION = 0.10


def shown_text(row: pd.Series) -> str:
    """The text an annotator reads: the title (where the source has one) and the narrative."""
    title = str(row.get("title") or "").strip()
    text = str(row["text"]).strip()
    return f"【{title}】{text}" if title and not text.startswith(title) else text


def main() -> None:
    rng = np.random.default_rng(SEED)
    frames = []
    for name, prefix, domain, flt, size in SIZES:
        src = pd.read_csv(SRC / f"{name}.csv.gz", dtype=str, keep_default_na=False)
        src["id"] = [f"{prefix}-{i:05d}" for i in range(len(src))]
        if flt is not None:
            col, val = flt
            keep = src[col] != val[1:] if val.startswith("!") else src[col] == val
            src = src[keep]
        pick = src if size is None else src.iloc[np.sort(rng.choice(len(src), size, replace=False))]
        frames.append(pd.DataFrame({
            "id": pick["id"], "domain": domain, "source": name,
            "subdomain": pick.get("domain_guess", pd.Series("", index=pick.index)),
            "sample": "all" if size is None else "random",
            "title": pick.get("title", pd.Series("", index=pick.index)),
            "text": pick["text"],
        }))
    manifest = pd.concat(frames, ignore_index=True)
    assert not manifest["id"].duplicated().any()
    OUT.mkdir(parents=True, exist_ok=True)
    manifest.to_csv(OUT / "sample_manifest.csv", index=False)

    order = rng.permutation(len(manifest))
    shown = manifest.apply(shown_text, axis=1)
    for b in range(N_BATCHES):
        idx = order[b::N_BATCHES]
        with open(OUT / f"batch{b + 1}.jsonl", "w", encoding="utf-8") as fh:
            for i in idx:
                fh.write(json.dumps({"id": manifest["id"].iat[i], "text": shown.iat[i]}, ensure_ascii=False) + "\n")
    second = rng.permutation(len(manifest))[: int(round(SECOND_PASS_FRACTION * len(manifest)))]
    for part, idx in zip("ab", np.array_split(np.sort(second), 2)):
        with open(OUT / f"second_pass_{part}.jsonl", "w", encoding="utf-8") as fh:
            for i in rng.permutation(idx):
                fh.write(json.dumps({"id": manifest["id"].iat[i], "text": shown.iat[i]}, ensure_ascii=False) + "\n")
    print(manifest.groupby(["domain", "subdomain"]).size().to_string())
    print(len(manifest), "texts;", len(second), "for the second pass")


if __name__ == "__main__":
    main()
