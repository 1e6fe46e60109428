"""Reproduce the README's accuracy table with `complaintmine train` / `complaintmine evaluate`.

Runs, as a user would, the held-out split (train on holdout == train, test on holdout == test),
the three cross-domain splits (train on two review domains, test on the third) and the seed
case narratives (long texts from other industries; model trained on all reviews), then prints
a markdown table of macro-F1 (95% bootstrap CI) for the model, the lexicon / rules mode and a
majority baseline. Models go to out/eval/. Takes about 10 minutes on 2 cores.

Usage: python scripts/evaluate_all.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

OUT = Path("out/eval")
DOMAINS = ("food_delivery", "hotel", "online_shopping")


def cm(*args: str) -> str:
    res = subprocess.run([sys.executable, "-m", "complaintmine", *args], capture_output=True, text=True)
    if res.returncode:
        raise SystemExit(f"complaintmine {' '.join(args)} failed:\n{res.stderr}")
    return res.stdout


def evaluate(name: str, model: Path, *select: str) -> dict:
    report = json.loads(cm("evaluate", "--model", str(model), "--json", *select))
    (OUT / f"{name}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return report


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    model = OUT / "holdout.cmm"
    cm("train", "--split", "train", "-o", str(model))
    rows.append(("held-out 20% (all domains)", evaluate("holdout", model, "--split", "test")))
    rows.append(("held-out 20%, texts drawn without keyword filter",
                 evaluate("holdout_random", model, "--split", "test", "--where", "sample=random")))
    for dom in DOMAINS:
        model = OUT / f"xdomain_{dom}.cmm"
        cm("train", "--exclude-domain", dom, "--exclude-domain", "seed_case", "-o", str(model))
        rows.append((f"cross-domain: train on the other two, test on {dom}", evaluate(f"xdomain_{dom}", model,
                                                                                   "--domain", dom)))
    model = OUT / "all_reviews.cmm"
    cm("train", "--exclude-domain", "seed_case", "-o", str(model))
    rows.append(("seed case narratives (10, other industries)", evaluate("seeds", model, "--domain", "seed_case")))

    print("| evaluation | n | cause macro-F1 (95% CI) | lexicon | majority "
          "| motive macro-F1 (95% CI) | rules | majority |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in rows:
        c, m, b = r["cause"], r["motive"], r["baselines"]
        print(f"| {name} | {r['n']} | {c['macro_f1']:.3f} ({c['macro_f1_ci'][0]:.2f}-{c['macro_f1_ci'][1]:.2f}) | "
              f"{b['lexicon']['cause_macro_f1']:.3f} | {b['majority']['cause_macro_f1']:.3f} | "
              f"{m['macro_f1']:.3f} ({m['macro_f1_ci'][0]:.2f}-{m['macro_f1_ci'][1]:.2f}) | "
              f"{b['lexicon']['motive_macro_f1']:.3f} | {b['majority']['motive_macro_f1']:.3f} |")


if __name__ == "__main__":
    main()
