"""Speed and output of ``complaintmine classify`` at two revisions, measured in the same run.

For a refactoring that must not change behaviour: checks out ``--base`` (a git revision) in a
temporary worktree, then runs ``python -m complaintmine classify --jobs 1`` of the same input
with each revision's code, interleaved ``--repeat`` times, and prints the CPU seconds (user +
system of the child process, less sensitive to a busy machine than wall time) of each run, the
median ratio head / base, and whether the two outputs are byte-identical.

Usage::

    python benchmarks/compare_revisions.py --base 69ca87a            # head = this working tree
    python benchmarks/compare_revisions.py --base HEAD~3 --rows 100000 --repeat 5
"""

from __future__ import annotations

import argparse
import filecmp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _input(rows: int, folder: Path) -> Path:
    sys.path.insert(0, str(ROOT / "src"))
    from complaintmine.datasets import load_reviews

    texts = load_reviews(negative_only=True)
    texts = texts[texts["text"].str.strip() != ""]
    sample = texts.sample(rows, replace=len(texts) < rows, random_state=0)[["domain", "text"]]
    sample.insert(0, "id", range(1, rows + 1))
    path = folder / "input.csv"
    sample.to_csv(path, index=False)
    return path


def _run(src: Path, input_path: Path, output: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run([sys.executable, "-m", "complaintmine", "classify", str(input_path), "-o", str(output),
                    "--jobs", "1"], check=True, env=env, capture_output=True, cwd=output.parent)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--rows", type=int, default=50_000, help="input rows (default 50,000 real reviews)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs per revision (default 3)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cm-compare-") as tmp:
        folder = Path(tmp)
        base_tree = folder / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(base_tree), args.base],
                       check=True)
        try:
            input_path = _input(args.rows, folder)
            cpu: dict[str, list[float]] = {"base": [], "head": []}
            for i in range(args.repeat):
                for name, src in (("base", base_tree / "src"), ("head", ROOT / "src")):
                    cpu[name].append(_run(src, input_path, folder / f"{name}.csv"))
                    print(f"run {i + 1} {name}: {cpu[name][-1]:.2f} CPU-s", file=sys.stderr, flush=True)
            same = filecmp.cmp(folder / "base.csv", folder / "head.csv", shallow=False)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base_tree)], check=False)
    b, h = statistics.median(cpu["base"]), statistics.median(cpu["head"])
    print(f"classify --jobs 1, {args.rows:,} real reviews, median of {args.repeat} interleaved runs")
    print("| revision | CPU-s (median) | runs |")
    print("|---|---|---|")
    print(f"| base {args.base} | {b:.2f} | {', '.join(f'{x:.2f}' for x in cpu['base'])} |")
    print(f"| head (working tree) | {h:.2f} | {', '.join(f'{x:.2f}' for x in cpu['head'])} |")
    print(f"ratio head / base: {h / b:.3f}; outputs byte-identical: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
