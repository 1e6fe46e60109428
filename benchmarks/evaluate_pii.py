"""Recall of the personal-data masking, per kind, on ``data/pii/pii_eval.csv.gz``.

Each row is a real complaint with one planted value (``scripts/build_pii_set.py``). The text
goes through ``complaintmine.normalize``, the path every derived output takes (NFKC, then
masking). A value counts as **masked** when nothing identifying of it survives: no four
consecutive characters of it (letters and digits, separators dropped; for names the whole
name and a two-character given name; for e-mails the local part) occur in the output more
often than in the same text without the value. ``negative`` rows hold number-like text that
is not personal data (prices, dates, model numbers); they count as **kept** when the value is
still in the output. 95% Wilson intervals.

    python benchmarks/evaluate_pii.py                 # the test split
    python benchmarks/evaluate_pii.py --split dev --show 5
    python benchmarks/evaluate_pii.py --markdown      # the table of docs/evaluation.md
"""

from __future__ import annotations

import argparse
import math
import re
import unicodedata
from pathlib import Path

import pandas as pd

from complaintmine import normalize

DATA = Path(__file__).resolve().parents[1] / "data" / "pii" / "pii_eval.csv.gz"
_SEPARATORS = re.compile(r"[\s.\-·•/()（）+]")


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def _pieces(kind: str, value: str) -> list[str]:
    """What must not survive of ``value``."""
    plain = unicodedata.normalize("NFKC", value)
    if kind == "name":
        given = plain[2:] if len(plain) == 4 else plain[1:]
        return [plain] + ([given] if len(given) >= 2 else [])
    if kind.startswith("email"):
        local = plain.split("@")[0]
        return [local] if len(local) >= 2 else [plain]
    core = _SEPARATORS.sub("", plain)
    return [core[i:i + 4] for i in range(len(core) - 3)] or [core]


def is_masked(kind: str, text: str, value: str, start: int, end: int) -> bool:
    out = normalize(text)
    without = normalize(text[:start] + text[end:])
    squeezed, base = _SEPARATORS.sub("", out), _SEPARATORS.sub("", without)
    for piece in _pieces(kind, value):
        here, there = (out, without) if kind in ("name",) or kind.startswith("email") else (squeezed, base)
        if here.count(piece) > there.count(piece):
            return False
    return True


def is_kept(text: str, value: str) -> bool:
    return normalize(value, mask_pii=False) in normalize(text)


def evaluate(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for kind, group in frame.groupby("kind", sort=False):
        if kind == "negative":
            ok = [is_kept(t, v) for t, v in zip(group["text"], group["value"])]
        else:
            ok = [is_masked(kind, t, v, s, e) for t, v, s, e in
                  zip(group["text"], group["value"], group["start"], group["end"])]
        k, n = sum(ok), len(ok)
        lo, hi = wilson(k, n)
        rows.append({"kind": kind, "n": n, "share": k / n, "lo": lo, "hi": hi,
                     "misses": [v for v, good in zip(group["text"], ok) if not good]})
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["dev", "test", "all"], default="test")
    ap.add_argument("--show", type=int, default=0, help="print this many misses per kind")
    ap.add_argument("--markdown", action="store_true", help="print the table as markdown")
    args = ap.parse_args()
    frame = pd.read_csv(DATA, dtype={"value": str, "text": str}, keep_default_na=False)
    if args.split != "all":
        frame = frame[frame["split"] == args.split]
    res = evaluate(frame)
    if args.markdown:
        print(f"| kind | rows ({args.split}) | masked (negatives: kept) | 95% interval |")
        print("|---|---|---|---|")
        for r in res.itertuples():
            print(f"| {r.kind} | {r.n} | {r.share:.3f} | {r.lo:.3f}–{r.hi:.3f} |")
        pos = res[res["kind"] != "negative"]
        k = int(round((pos["share"] * pos["n"]).sum()))
        lo, hi = wilson(k, int(pos["n"].sum()))
        print(f"| all personal data | {int(pos['n'].sum())} | {k / pos['n'].sum():.3f} | {lo:.3f}–{hi:.3f} |")
        return
    for r in res.itertuples():
        label = "kept" if r.kind == "negative" else "masked"
        print(f"{r.kind:16s} n={r.n:4d}  {label} {r.share:.3f}  [{r.lo:.3f}, {r.hi:.3f}]")
        for miss in r.misses[: args.show]:
            print("    miss:", normalize(miss)[:160])


if __name__ == "__main__":
    main()
