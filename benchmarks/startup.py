"""Start-up time of complaintmine, against the interpreter's own and pandas' in the same run.

Measures, as fresh subprocesses, in interleaved rounds (so that all meet the same spells of
load on a shared machine), the wall time of:

* ``python -c pass`` (the interpreter alone) and ``python -c "import pandas"`` (the floor of
  anything that reads a table);
* ``python -c "import complaintmine"``;
* ``complaintmine --help`` and ``complaintmine --version`` (the console script next to this
  interpreter, else ``python -m complaintmine``);
* ``complaintmine classify`` of the first 10 rows of the demo export (default settings: the
  bundled model, all cores).

It prints the median (and the range) of ``--repeat`` runs of each, the ratios to the two
baselines, the machine's load before and after, and which heavy libraries the import and
``--help`` load.

Usage::

    python benchmarks/startup.py              # 7 rounds
    python benchmarks/startup.py --repeat 15
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "complaints_demo.csv"
#: libraries that take 0.1 s or more to import: none should load for an import or --help
HEAVY = ("sklearn", "scipy", "matplotlib", "dask", "distributed", "numba", "gensim", "jieba", "rjieba",
         "pyarrow", "pandas")


def command_line() -> list[str]:
    """The ``complaintmine`` console script of this interpreter (not a shell shim in front of it)."""
    script = Path(sys.executable).with_name("complaintmine")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "complaintmine"]


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-500:]}")
    return took


def loaded(code: str) -> list[str]:
    """The heavy libraries a fresh interpreter has imported after running ``code``."""
    probe = (f"import io, sys\nsys.stdout = io.StringIO()\ntry:\n    {code}\nexcept SystemExit:\n    pass\n"
             f"sys.__stdout__.write(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return out.stdout.split()


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7, help="runs of each command (default 7)")
    args = ap.parse_args(argv)

    cm = command_line()
    with tempfile.TemporaryDirectory(prefix="cm_startup_") as tmp:
        small = Path(tmp) / "ten.csv"
        with DEMO.open(encoding="utf-8-sig") as fh:
            small.write_text("".join(fh.readline() for _ in range(11)), encoding="utf-8")
        runs = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "python -c 'import pandas'": [sys.executable, "-c", "import pandas"],
            "python -c 'import complaintmine'": [sys.executable, "-c", "import complaintmine"],
            "complaintmine --help": [*cm, "--help"],
            "complaintmine --version": [*cm, "--version"],
            "complaintmine classify (10 rows)": [*cm, "classify", str(small), "-o", str(Path(tmp) / "out.csv")],
        }
        before = load()
        wall(runs["python -c pass"])  # warm the file cache before the first measured round
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.repeat):
            for name, cmd in runs.items():
                times[name].append(wall(cmd))
        after = load()

    med = {name: statistics.median(t) for name, t in times.items()}
    bare, pandas = med["python -c pass"], med["python -c 'import pandas'"]
    print(f"Python {platform.python_version()} ({sys.executable}), {os.cpu_count()} cores; "
          f"command: {' '.join(cm)}")
    print(f"load average (1, 5, 15 min) before: {before}; after: {after}")
    print(f"median of {args.repeat} runs, interleaved\n")
    print("| command | median s | min–max s | × `python -c pass` | × `import pandas` |")
    print("|---|---:|---:|---:|---:|")
    for name, t in times.items():
        print(f"| `{name}` | {med[name]:.3f} | {min(t):.3f}–{max(t):.3f} | {med[name] / bare:.1f} | "
              f"{med[name] / pandas:.2f} |")
    print()
    for label, code in (("import complaintmine", "import complaintmine"),
                        ("complaintmine --help", "from complaintmine.cli import main; main(['--help'])")):
        print(f"heavy libraries loaded by `{label}`: {', '.join(loaded(code)) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
