"""Time and memory of `complaintmine report` on N classified rows, against reading them with pandas.

The rows are the bundled demo export, classified once and repeated with new ids up to ``--rows``
(the texts repeat, so tokenizing costs what it costs on real exports of that size; the findings
are those of the demo). Each measurement runs in a fresh process, interleaved, ``--repeat`` times:

* ``pandas.read_csv`` of the classified file (the floor: any report must read its input), and
* ``complaintmine report FILE -o out.html --date-col date --dimension store --dimension channel``.

Prints the median wall and CPU seconds, the peak RSS of each, and the report/read ratio.

    python benchmarks/bench_report.py --rows 100000
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "complaints_demo.csv"


def build(rows: int, folder: Path) -> Path:
    import pandas as pd

    from complaintmine.batch import classify_file

    classified = folder / "demo_classified.csv"
    classify_file(DEMO, classified, jobs=1, progress=False)
    one = pd.read_csv(classified, dtype=str, keep_default_na=False)
    parts = []
    for k in range(-(-rows // len(one))):
        part = one.copy()
        part["complaint_id"] = part["complaint_id"] + f"-{k}"
        parts.append(part)
    big = pd.concat(parts, ignore_index=True).head(rows)
    path = folder / f"classified_{rows}.csv"
    big.to_csv(path, index=False)
    return path


def run(argv: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own usage
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv[:4])} ... failed with exit code {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cm_bench_report_") as tmp:
        folder = Path(tmp)
        path = build(args.rows, folder)
        read = [sys.executable, "-c", f"import pandas as pd; pd.read_csv({str(path)!r}, dtype=str)"]
        report = [sys.executable, "-m", "complaintmine", "report", str(path), "-o", str(folder / "r.html"),
                  "--date-col", "date", "--dimension", "store", "--dimension", "channel", "-q"]
        results: dict[str, list[tuple[float, float, float]]] = {"read": [], "report": []}
        for _ in range(args.repeat):
            results["read"].append(run(read))
            results["report"].append(run(report))
    load = os.getloadavg()
    print(f"{args.rows:,} classified rows, {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}; median of {args.repeat}, interleaved\n")
    print("| step | wall s | CPU s | peak RSS MiB |\n|---|---:|---:|---:|")
    med = {}
    for name, runs in results.items():
        wall, cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
        med[name] = wall
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {max(r[2] for r in runs):.0f} |")
    print(f"\nreport / read: {med['report'] / med['read']:.1f}x; report per 1M rows (linear): "
          f"{med['report'] / args.rows * 1e6:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
