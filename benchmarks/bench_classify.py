"""End-to-end throughput and memory of ``complaintmine classify`` on real complaint texts.

Builds a large export by resampling the bundled real negative reviews (written once to a
temporary folder), then measures in the same run, file in -> file out:

* ``python -m complaintmine classify`` as a subprocess with ``--jobs 1`` and with all cores,
  on the large input and on a 100,000-row input (peak memory should not depend on size);
* a BASELINE in one process: pandas reads the CSV, every text is normalized and cut with
  plain ``jieba.lcut`` (same domain dictionary), then the same model's scikit-learn
  vectorizers and predictions give the same output columns, and pandas writes the CSV.
  It is slow, so it runs on a slice of the input and its rows/s is extrapolated (said so).

Peak memory is polled (psutil) over the whole process tree of each run: the sum of the
resident sets (RSS, counts pages shared by forked workers once per process) and of the
proportional sets (PSS, shared pages split between the processes that share them).

Usage::

    python benchmarks/bench_classify.py            # 1,000,000 rows
    python benchmarks/bench_classify.py --quick    # 100,000 rows
    python benchmarks/bench_classify.py --rows 300000 --baseline-rows 10000 --keep /tmp/bench
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SMALL = 100_000  # the second input size, to show memory does not grow with the input


def make_input(path: Path, rows: int, seed: int = 0) -> None:
    """An export of ``rows`` complaints resampled from the real negative reviews."""
    from complaintmine.datasets import load_reviews

    reviews = load_reviews(negative_only=True)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(reviews), size=rows)
    frame = pd.DataFrame({
        "工单号": [f"T{i:08d}" for i in range(rows)],
        "渠道": reviews["domain"].to_numpy()[pick],
        "投诉内容": reviews["text"].to_numpy()[pick],
    })
    frame.to_csv(path, index=False)


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil

        ram = f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
    except ImportError:
        ram = "unknown"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    from complaintmine._fast import kernels as _kernels
    from complaintmine.tokenizer import available_backends

    numba = f"numba {_kernels._NUMBA.__version__}" if _kernels.available() else "off (NumPy path)"
    return {"cpu": cpu, "cores": str(os.cpu_count()), "ram": ram, "python": platform.python_version(),
            "segmenter": "rjieba" if "rjieba" in available_backends() else "jieba", "compiled TF-IDF": numba,
            "load average before": load}


class TreeMemory:
    """Polls the peak RSS and PSS of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        import psutil

        self.root = psutil.Process(pid)
        self.interval = interval
        self.rss = self.pss = self.max_proc = 0
        self.processes = 1
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            rss = pss = 0
            for p in procs:
                try:
                    info = p.memory_full_info()
                except psutil.Error:
                    continue
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
                self.max_proc = max(self.max_proc, info.rss)
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            self.processes = max(self.processes, len(procs))
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_measured(cmd: list[str], rows: int) -> dict[str, Any]:
    """Run ``cmd`` to completion; wall time, CPU time of the tree and peak memory."""
    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mem = TreeMemory(proc.pid)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    mem.stop()
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err.decode(errors='replace')[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"rows": rows, "wall": wall, "rows_s": rows / wall, "cpu_us_row": cpu / rows * 1e6,
            "rss_mb": mem.rss / 2**20, "pss_mb": mem.pss / 2**20, "max_proc_mb": mem.max_proc / 2**20,
            "processes": mem.processes, "stdout": out.decode(errors="replace")}


# -- the baseline: plain jieba.lcut, scikit-learn vectorizers, same model ------------------------

BASELINE_CODE = r'''
import sys, time
import jieba, logging
import numpy as np, pandas as pd
from complaintmine import load_model, normalize
from complaintmine.features import Prepared
from complaintmine.pipeline import analyze_texts
from complaintmine.tokenizer import _domain_entries, _is_punct, stopwords

t0 = time.perf_counter()
src, dst, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
jieba.setLogLevel(logging.WARNING)
seg = jieba.Tokenizer()
seg.initialize()
for word, freq, tag in _domain_entries():  # the same domain dictionary complaintmine loads
    seg.add_word(word, freq, tag)
model = load_model()
vec = model.causes.vectorizer_
vec.word_._fast = vec.char_._fast = None  # scikit-learn's CountVectorizer with the model's vocabulary
drop = stopwords()

class PlainPrepared(Prepared):
    def cues(self, lexicon):  # one regex pass per text
        key = ("plain-cues", id(lexicon))
        if key not in self._cache:
            self._cache[key] = [lexicon.find(t) for t in self.norm]
        return self._cache[key]

t1 = time.perf_counter()  # start-up done: imports, jieba dictionary, model
frame = pd.read_csv(src, dtype=str, keep_default_na=False, nrows=rows)
texts = frame["投诉内容"].tolist()
norm = [normalize(t) for t in texts]
tokens = [" ".join(w for w in seg.lcut(t) if w not in drop and not w.isspace() and not _is_punct(w)) for t in norm]
result = analyze_texts(PlainPrepared(norm, tokens), model=model)
result["error"] = ""
pd.concat([frame, result], axis=1).to_csv(dst, index=False)
print(t1 - t0, time.perf_counter() - t1)
'''


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the large input (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="100,000 rows (and a smaller baseline slice)")
    parser.add_argument("--baseline-rows", type=int, help="rows the baseline runs on (default: 20,000; 10,000 quick)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="the all-cores run (default: cores)")
    parser.add_argument("--chunksize", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each configuration; the fastest counts (default 3)")
    parser.add_argument("--keep", help="folder for the inputs and outputs (kept); default: a temporary folder")
    args = parser.parse_args(argv)
    rows = SMALL if args.quick else args.rows
    base_rows = min(args.baseline_rows or (10_000 if args.quick else 20_000), rows)

    info = machine()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="cm-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        sizes = [rows] + ([SMALL] if rows != SMALL else [])
        inputs = {}
        for n in sizes:
            inputs[n] = folder / f"complaints_{n}.csv"
            if not inputs[n].exists():
                t = time.perf_counter()
                make_input(inputs[n], n)
                print(f"wrote {n:,} rows ({inputs[n].stat().st_size / 2**20:.0f} MiB) in "
                      f"{time.perf_counter() - t:.0f} s: {inputs[n]}", file=sys.stderr)

        # every configuration runs --repeat times, in rounds (the baseline too), so that all of
        # them see the same spells of load on a shared machine; the fastest run of each counts
        configs = [(n, jobs) for n in sizes for jobs in sorted({1, args.jobs})] + [("baseline", 1)]
        runs: dict[tuple[Any, int], list[dict[str, Any]]] = {c: [] for c in configs}
        base_out = folder / "baseline.csv"
        for round_ in range(1, args.repeat + 1):
            for n, jobs in configs:
                if n == "baseline":
                    print(f"[{round_}/{args.repeat}] baseline (jieba.lcut) on {base_rows:,} rows ...", file=sys.stderr)
                    cmd = [sys.executable, "-c", BASELINE_CODE, str(inputs[rows]), str(base_out), str(base_rows)]
                    runs[n, jobs].append(run_measured(cmd, base_rows))
                    continue
                out = folder / f"out_{n}_j{jobs}.csv"
                cmd = [sys.executable, "-m", "complaintmine", "classify", str(inputs[n]), "-o", str(out),
                       "--jobs", str(jobs), "--chunksize", str(args.chunksize)]
                print(f"[{round_}/{args.repeat}] classify {n:,} rows, --jobs {jobs} ...", file=sys.stderr)
                runs[n, jobs].append(run_measured(cmd, n))
                if n == rows and jobs == 1:
                    reference = out
                elif out.exists():
                    if n == rows and out.read_bytes() != reference.read_bytes():
                        print("WARNING: --jobs outputs differ", file=sys.stderr)
                    out.unlink()
        results = []
        for (n, jobs), tries in runs.items():
            best = dict(min(tries, key=lambda r: r["wall"]))
            for key in ("rss_mb", "pss_mb", "max_proc_mb"):  # memory: the peak over all tries
                best[key] = max(r[key] for r in tries)
            best["walls"] = [r["wall"] for r in tries]
            name = (f"baseline: plain jieba.lcut, 1 process (measured on {base_rows:,} rows)" if n == "baseline"
                    else f"classify --jobs {jobs}")
            results.append({"run": name, **best})
        base = results[-1]
        _, work = (float(x) for x in base["stdout"].split())
        # start-up as for the classify runs: the whole process (interpreter, imports, jieba's
        # dictionary, the model) except the measured work on the rows
        startup = base["wall"] - work
        # the baseline's rate on the whole input: its start-up once, then its measured per-row time
        base_rate = rows / (startup + work / base_rows * rows)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    print()
    print("machine: " + "; ".join(f"{k} {v}" for k, v in info.items()))
    print()
    print(f"Each run {args.repeat} time(s); the fastest counts (all wall times in the last column); memory is the "
          "peak over all runs.")
    print()
    print("| run | input rows | wall s | rows/s | CPU µs/row | peak RSS tree MiB | peak PSS tree MiB | "
          "largest process MiB | wall s of each run |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        print(f"| {r['run']} | {r['rows']:,} | {r['wall']:.1f} | {r['rows_s']:,.0f} | {r['cpu_us_row']:.0f} | "
              f"{r['rss_mb']:.0f} | {r['pss_mb']:.0f} | {r['max_proc_mb']:.0f} | "
              f"{', '.join(f'{w:.1f}' for w in r['walls'])} |")
    big = {r["run"]: r for r in results if r["rows"] == rows}
    one, allc = big.get("classify --jobs 1"), big.get(f"classify --jobs {args.jobs}")
    print()
    print(f"baseline: start-up {startup:.1f} s, then {work / base_rows * 1e6:.0f} µs/row over its {base_rows:,}-row "
          f"slice; EXTRAPOLATED to {rows:,} rows (start-up once + that per-row time): {base_rate:,.0f} rows/s")
    for name, r in (("--jobs 1", one), (f"all cores (--jobs {args.jobs})", allc)):
        if r:
            print(f"{name} vs baseline: {r['rows_s'] / base_rate:.1f}x (on {rows:,} rows, baseline extrapolated)")
    smalls = {r["run"]: r for r in results if r["rows"] == SMALL and rows != SMALL}
    for name, r in smalls.items():
        if name in big:
            print(f"{name}: peak PSS {big[name]['pss_mb']:.0f} MiB at {rows:,} rows vs {r['pss_mb']:.0f} MiB at "
                  f"{SMALL:,} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
