"""Sub-commands ``classify``, ``train`` and ``evaluate`` (registered into ``complaintmine.cli``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import pandas as pd

from .cli import _EXTRA_COMMANDS, _input_args

# -- classify ------------------------------------------------------------------------------------


def _cmd_classify(args: argparse.Namespace) -> int:
    from .batch import classify_file
    from .errors import ClassificationError

    result = classify_file(
        args.input, args.output, text_col=args.text_col, id_col=args.id_col, sheet=args.sheet,
        encoding=args.encoding, model=args.model, jobs=args.jobs, chunksize=args.chunksize,
        engine=args.engine, scheduler=args.scheduler, mask_input=args.mask_input, progress=True,
        check_unique_ids=not args.allow_duplicate_ids,
    )
    if result.failed and result.failed == result.rows:
        raise ClassificationError(
            f"{args.input}: every row failed to classify ({result.rows} rows written to {args.output} with the "
            f"message in the error column). First error (data row {result.first_failed_row}): "
            f"{result.first_error}")
    print(f"wrote {result.rows} rows to {args.output}", file=sys.stderr)
    if result.failed:
        print(f"complaintmine: warning: {result.failed} of {result.rows} rows failed to classify (see the error "
              f"column); first error (data row {result.first_failed_row}): {result.first_error}", file=sys.stderr)
    return 0


def _register_classify(sub: Any) -> None:
    p = sub.add_parser("classify", help="add cause, motive, risk and evidence columns to an export")
    _input_args(p)
    p.add_argument("--model", help="model file from `complaintmine train` (default: the bundled model)")
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default 0 = all cores)")
    p.add_argument("--engine", choices=["local", "dask"], default="local",
                   help="run on this machine (default) or on a Dask cluster")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster)")
    p.add_argument("--mask-input", action="store_true",
                   help="also mask phone / ID / card numbers in the original text column")
    p.set_defaults(func=_cmd_classify)


# -- train / evaluate ----------------------------------------------------------------------------


def _labelled_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--text-col", default="text", help="text column (default: text)")
    p.add_argument("--causes-col", default="causes",
                   help="cause codes column, ';'-joined with the primary first (default: causes)")
    p.add_argument("--motives-col", default="motives",
                   help="motive codes column, ';'-joined, primary first, or none (default: motives)")
    p.add_argument("--split", help="use only rows whose 'holdout' column has this value (train / test / seed)")
    p.add_argument("--domain", action="append", help="use only rows of this domain (repeatable)")
    p.add_argument("--exclude-domain", action="append", help="leave out rows of this domain (repeatable)")
    p.add_argument("--where", action="append", metavar="COL=VALUE",
                   help="use only rows whose column COL equals VALUE (repeatable), e.g. --where sample=random")


def _read_labelled(args: argparse.Namespace) -> pd.DataFrame:
    from .datasets import data_dir
    from .errors import ColumnError, EmptyInputError
    from .io import read_complaints

    path = args.labelled or str(data_dir() / "labeled" / "labeled.csv")
    frame = read_complaints(path, text_col=args.text_col)
    for flag, col in (("--split", "holdout"), ("--domain", "domain"), ("--exclude-domain", "domain")):
        value = getattr(args, flag[2:].replace("-", "_"))
        if value and col not in frame.columns:
            raise ColumnError(f"{path}: {flag} needs a column {col!r}; columns are: {', '.join(frame.columns)}")
    if args.split:
        frame = frame[frame["holdout"] == args.split]
    if args.domain:
        frame = frame[frame["domain"].isin(args.domain)]
    if args.exclude_domain:
        frame = frame[~frame["domain"].isin(args.exclude_domain)]
    for cond in args.where or []:
        col, sep, value = cond.partition("=")
        if not sep or col not in frame.columns:
            raise ColumnError(f"{path}: --where {cond!r} needs COL=VALUE with COL one of: {', '.join(frame.columns)}")
        frame = frame[frame[col] == value]
    if frame.empty:
        raise EmptyInputError(f"{path}: no rows left after --split / --domain / --exclude-domain")
    if args.causes_col not in frame.columns:
        raise ColumnError(f"{path}: no labels column {args.causes_col!r}; columns are: {', '.join(frame.columns)}. "
                          "Use --causes-col.")
    return frame.reset_index(drop=True)


def _cmd_train(args: argparse.Namespace) -> int:
    from .errors import OutputError
    from .model import train_model

    frame = _read_labelled(args)
    if not str(args.output).endswith(".cmm"):
        print("note: model files conventionally end in .cmm", file=sys.stderr)
    out_dir = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(out_dir):
        raise OutputError(f"{args.output}: folder {out_dir} does not exist; create it first (mkdir -p {out_dir}).")
    motives = frame[args.motives_col] if args.motives_col in frame.columns else None
    print(f"training on {len(frame)} labelled complaints ...", file=sys.stderr)
    model = train_model(frame[args.text_col], frame[args.causes_col], motives,
                        info={"trained_on": os.path.basename(args.labelled or "data/labeled/labeled.csv"),
                              "selection": {"split": args.split, "domain": args.domain,
                                            "exclude_domain": args.exclude_domain}})
    model.save(args.output)
    print(f"saved model ({len(model.causes.classes_)} causes: {', '.join(model.causes.classes_)}) to "
          f"{args.output}", file=sys.stderr)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluation import evaluate_model, format_report
    from .model import load_model

    frame = _read_labelled(args)
    model = load_model(args.model)
    report = evaluate_model(model, frame, text_col=args.text_col, causes_col=args.causes_col,
                            motives_col=args.motives_col, n_boot=args.bootstrap)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(format_report(report))
    return 0


def _register_train_evaluate(sub: Any) -> None:
    p = sub.add_parser("train", help="train a cause + motive model on labelled complaints")
    p.add_argument("labelled", nargs="?", help="labelled file (default: the bundled data/labeled/labeled.csv)")
    p.add_argument("-o", "--output", required=True, help="model file to write (.cmm)")
    _labelled_args(p)
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("evaluate", help="per-class precision / recall / F1 of a model on labelled complaints")
    p.add_argument("labelled", nargs="?", help="labelled file (default: the bundled data/labeled/labeled.csv)")
    p.add_argument("--model", help="model file (default: the bundled model)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the CI (default 1000)")
    _labelled_args(p)
    p.set_defaults(func=_cmd_evaluate)


_EXTRA_COMMANDS.extend([_register_classify, _register_train_evaluate])
