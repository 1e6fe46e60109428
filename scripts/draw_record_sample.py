"""Draw the narratives whose complaint-record-card fields are hand-labelled (amount, waited, ...).

The texts come from the *test* half of the hand-labelled narratives in data/labeled/labeled.csv
(so the record-card extractor is never developed on them), a simple random sample per domain
(numpy default_rng, fixed seed), in the sizes of SIZES. Writes, under
data/labeled/narratives/annotations/:
  record_batch1.jsonl, record_batch2.jsonl   first-pass batches (id, text), mixed domains
  record_second.jsonl                         an independent second pass over 100 of them
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "labeled" / "narratives" / "annotations"
SEED = 20261208
SIZES = {"finance": 160, "government": 70, "helpdesk": 80, "ecommerce": 40, "car": 50}
SECOND = 100


def main() -> None:
    rng = np.random.default_rng(SEED)
    labeled = pd.read_csv(ROOT / "data" / "labeled" / "labeled.csv", dtype=str, keep_default_na=False)
    test = labeled[labeled["holdout"] == "test"]
    picks = []
    for domain, size in SIZES.items():
        pool = test[test["domain"] == domain]
        picks.append(pool.iloc[np.sort(rng.choice(len(pool), size, replace=False))])
    sample = pd.concat(picks)
    order = rng.permutation(len(sample))

    def write(name: str, idx: np.ndarray) -> None:
        with open(OUT / name, "w", encoding="utf-8") as fh:
            for i in idx:
                row = sample.iloc[i]
                fh.write(json.dumps({"id": row["id"], "text": row["text"]}, ensure_ascii=False) + "\n")

    write("record_batch1.jsonl", order[0::2])
    write("record_batch2.jsonl", order[1::2])
    write("record_second.jsonl", np.sort(rng.permutation(len(sample))[:SECOND]))


if __name__ == "__main__":
    main()
