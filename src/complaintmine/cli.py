"""The ``complaintmine`` command line (also ``python -m complaintmine``): every sub-command.

The library never imports this module; each command imports what it needs when it runs, so
``complaintmine --help`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import ComplaintmineError, InputWarning

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["main"]


def _int_at_least(low: int) -> Any:
    """An argparse type: an integer >= ``low``, else a usage error (exit 2) naming the bound."""
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
        if number < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {number}")
        return number
    parse.__name__ = f"integer >= {low}"
    return parse


def _encoding(value: str) -> str:
    """An argparse type: a text encoding Python knows (gb18030, utf-8, ...)."""
    import codecs

    try:
        codecs.lookup(value)
    except LookupError:
        raise argparse.ArgumentTypeError(
            f"unknown encoding {value!r}; use e.g. utf-8, utf-8-sig, gb18030 or big5") from None
    return value


def _jobs(value: str) -> int:
    """An argparse type for --jobs: 0 (all cores) or more; more than the cores is capped, with a note."""
    jobs = _int_at_least(0)(value)
    cores = os.cpu_count() or 1
    if jobs > cores:
        print(f"complaintmine: note: --jobs {jobs} is more than this machine's {cores} cores; using {cores}",
              file=sys.stderr)
        return cores
    return jobs


def _input_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", help="complaint export: .csv .tsv .xlsx .jsonl .json .parquet (UTF-8 or GBK)")
    p.add_argument("-o", "--output", required=True, help="output file: .csv .tsv .jsonl .parquet .xlsx")
    p.add_argument("--text-col", help="column with the complaint text (default: detected by name)")
    p.add_argument("--id-col", help="column with a unique row id (default: detected, else rows are numbered)")
    p.add_argument("--sheet", help="Excel sheet to read (required when the workbook has several)")
    p.add_argument("--encoding", type=_encoding, help="override the detected text encoding (e.g. gb18030)")
    p.add_argument("--chunksize", type=_int_at_least(1), default=20_000, help="rows per chunk (default 20000)")
    p.add_argument("--allow-duplicate-ids", action="store_true",
                   help="do not check that ids are unique (the check keeps 16 bytes per row in memory)")
    _limit_args(p)


def _limit_args(p: argparse.ArgumentParser) -> None:
    from .limits import MAX_CELL_CHARS, MAX_INFLATE_RATIO

    p.add_argument("--max-cell-chars", type=_int_at_least(1), default=MAX_CELL_CHARS,
                   help=f"refuse an input with a longer cell (default {MAX_CELL_CHARS:,})")
    p.add_argument("--max-inflate-ratio", type=_int_at_least(1), default=MAX_INFLATE_RATIO,
                   help=f"refuse a compressed input that inflates to more than this many times its size "
                        f"(default {MAX_INFLATE_RATIO})")


def _limits(args: argparse.Namespace) -> dict[str, int]:
    return {"max_cell_chars": args.max_cell_chars, "max_inflate_ratio": args.max_inflate_ratio}


def _cmd_tokenize(args: argparse.Namespace) -> int:
    from .io import count_rows, iter_complaints
    from .normalization import normalize_many
    from .output import TableWriter
    from .progress import progress_bar
    from .tokenizer import Tokenizer

    tok = Tokenizer(backend=args.backend)
    total = None if args.quiet else count_rows(args.input)
    with TableWriter(args.output, inputs=(args.input,)) as writer, \
            progress_bar("tokenize", total=total, disable=args.quiet) as bar:
        for chunk in iter_complaints(args.input, text_col=args.text_col, id_col=args.id_col,
                                     sheet=args.sheet, encoding=args.encoding, chunksize=args.chunksize,
                                     check_unique_ids=not args.allow_duplicate_ids, **_limits(args)):
            norm = normalize_many(chunk[chunk.attrs["text_col"]].tolist(), mask_pii=not args.no_mask)
            chunk = chunk.assign(text_norm=norm, tokens=[" ".join(t) for t in tok.tokenize_many(norm)])
            writer.write(chunk)
            bar.update(len(chunk))
    print(f"wrote {writer.rows} rows to {writer.path}", file=sys.stderr)
    return 0


# -- classify ------------------------------------------------------------------------------------


def _cmd_classify(args: argparse.Namespace) -> int:
    from .batch import classify_file
    from .errors import ClassificationError

    result = classify_file(
        args.input, args.output, text_col=args.text_col, id_col=args.id_col, sheet=args.sheet,
        encoding=args.encoding, model=args.model, jobs=args.jobs, chunksize=args.chunksize,
        engine=args.engine, scheduler=args.scheduler, mask_input=args.mask_input, progress=not args.quiet,
        check_unique_ids=not args.allow_duplicate_ids, model_sha256=args.model_sha256, **_limits(args),
    )
    if result.failed and result.failed == result.rows:
        raise ClassificationError(
            f"{args.input}: every row failed to classify ({result.rows} rows written to {args.output} with the "
            f"message in the error column). First error (data row {result.first_failed_row}): "
            f"{result.first_error}")
    print(f"wrote {result.rows} rows to {args.output}", file=sys.stderr)
    if result.renamed:
        from .schema import rename_note

        print(f"complaintmine: note: {rename_note(result.renamed)}", file=sys.stderr)
    if result.failed:
        print(f"complaintmine: warning: {result.failed} of {result.rows} rows failed to classify (see the error "
              f"column); first error (data row {result.first_failed_row}): {result.first_error}", file=sys.stderr)
    return 0


def _register_classify(sub: Any) -> None:
    p = sub.add_parser("classify", help="add cause, motive, risk and evidence columns to an export")
    _input_args(p)
    p.add_argument("--model", help="model file from `complaintmine train` (default: the bundled model)")
    _sha256_arg(p)
    p.add_argument("--jobs", type=_jobs, default=0, help="worker processes (default 0 = all cores)")
    p.add_argument("--engine", choices=["local", "dask"], default="local",
                   help="run on this machine (default) or on a Dask cluster")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster)")
    p.add_argument("--mask-input", action="store_true",
                   help="also mask phone / ID / card numbers in the original text column")
    p.set_defaults(func=_cmd_classify)


def _sha256_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model-sha256", metavar="HEX",
                   help="refuse the model file unless its SHA-256 is HEX (64 hex digits, as sha256sum prints): "
                        "for models others share; the file's own checksums prove nothing against tampering")


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
    from . import model as models
    from .causes import check_cause_labels
    from .output import check_writable_path

    # the output path first, not after minutes of training; it may not be the labelled file
    check_writable_path(args.output, inputs=(args.labelled,) if args.labelled else ())
    frame = _read_labelled(args)
    if not str(args.output).endswith(".cmm"):
        print("note: model files conventionally end in .cmm", file=sys.stderr)
    motives = frame[args.motives_col] if args.motives_col in frame.columns else None
    check_cause_labels(frame[args.causes_col])  # said before "training on ...", which would suggest otherwise
    print(f"training on {len(frame)} labelled complaints ...", file=sys.stderr)
    model = models.train_model(frame[args.text_col], frame[args.causes_col], motives, progress=not args.quiet,
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
                            motives_col=args.motives_col, n_boot=args.bootstrap, progress=not args.quiet)
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
    p.add_argument("--bootstrap", type=_int_at_least(0), default=1000,
                   help="bootstrap resamples for the CI (default 1000; 0: no interval)")
    _labelled_args(p)
    p.set_defaults(func=_cmd_evaluate)


def _cmd_report(args: argparse.Namespace) -> int:
    from .errors import ColumnError
    from .io import read_complaints
    from .model import load_model
    from .progress import progress_bar
    from .report import check_report_path, detect_date_column, write_report
    from .schema import is_classified

    check_report_path(args.output)  # fail before the (slow) reading and classifying
    model = args.model
    if model is not None or args.model_sha256 is not None:  # a bad or unexpected model fails before reading
        model = load_model(args.model, sha256=args.model_sha256)
    with progress_bar("report", total=2, unit="steps", disable=args.quiet) as bar:
        bar.set_postfix_str("reading")
        frame = read_complaints(args.input, text_col=args.text_col, id_col=args.id_col, sheet=args.sheet,
                                encoding=args.encoding, check_unique_ids=not args.allow_duplicate_ids,
                                **_limits(args))
        bar.update()
        raw = not is_classified(frame.columns)
        if raw:
            print(f"classifying {len(frame)} complaints ...", file=sys.stderr)
        date_col = args.date_col or detect_date_column(frame)
        if args.date_col is None and date_col is not None:
            print(f"using {date_col!r} as the date column (--date-col to choose another)", file=sys.stderr)
        bar.set_postfix_str(f"{'classifying, ' if raw else ''}analysing {len(frame)} rows, writing")
        try:
            path = write_report(frame, args.output, title=args.title, dimensions=args.dimension, date_col=date_col,
                                text_col=frame.attrs.get("text_col"), top=args.top, freq=args.freq,
                                recent=args.recent, model=model, kpi_columns=_kpi_columns(args),
                                sla_response_hours=args.sla_response_hours,
                                sla_resolution_hours=args.sla_resolution_hours)
        except ColumnError as err:  # a column named on the command line, or a classified file cut short
            raise ColumnError(f"{args.input}: {err}") from None
        bar.update()
    print(f"wrote report to {path}", file=sys.stderr)
    return 0


def _kpi_columns(args: argparse.Namespace) -> dict[str, str]:
    """The handling columns named on the command line, by ``complaintmine.kpi`` role."""
    given = {"received": args.received_col, "first_response": args.response_col, "closed": args.closed_col,
             "status": args.status_col, "customer": args.customer_col}
    return {role: col for role, col in given.items() if col is not None}


def _register_report(sub: Any) -> None:
    p = sub.add_parser("report",
                       help="write a one-file HTML root-cause report (classifies a raw export first)")
    p.add_argument("input",
                   help="raw complaint export, or the output of `complaintmine classify` "
                        "(has a cause column)")
    p.add_argument("-o", "--output", required=True, help="HTML file to write, e.g. report.html")
    p.add_argument("--text-col", help="column with the complaint text (default: detected by name)")
    p.add_argument("--id-col", help="column with a unique row id (default: detected, else rows are numbered)")
    p.add_argument("--allow-duplicate-ids", action="store_true",
                   help="accept an export whose ids repeat (follow-ups of one ticket): every row is counted")
    p.add_argument("--date-col",
                   help="column with the complaint date (default: detected by name: date, 日期 ...)")
    p.add_argument("--dimension", action="append",
                   help="column to look for concentration in, e.g. store (repeatable; default: store, "
                        "channel, category ... when present)")
    p.add_argument("--model", help="model file for classifying a raw export (default: the bundled model)")
    _sha256_arg(p)
    p.add_argument("--title", default="投诉根因分析报告", help="report title")
    p.add_argument("--top", type=_int_at_least(1), default=10, help="number of ranked actions (default 10)")
    p.add_argument("--freq", default="W", choices=["D", "W", "M", "Q"], help="trend period: D, W, M or Q (default W)")
    p.add_argument("--recent", type=_int_at_least(1), default=4, help="periods in the recent window (default 4)")
    p.add_argument("--sheet", help="Excel sheet to read (required when the workbook has several)")
    p.add_argument("--encoding", type=_encoding, help="override the detected text encoding (e.g. gb18030)")
    kpis = p.add_argument_group("handling KPIs (a section of the report when the export has a received time)")
    for option, what, example in (("received", "received time", "受理时间"),
                                  ("response", "first-response time", "首次响应时间"),
                                  ("closed", "closed time", "结案时间"), ("status", "status", "处理状态"),
                                  ("customer", "customer id", "客户编号")):
        kpis.add_argument(f"--{option}-col", metavar="COLUMN",
                          help=f"column with the {what} (e.g. {example}; default: detected by name)")
    kpis.add_argument("--sla-response-hours", type=_positive_hours, default=24.0, metavar="HOURS",
                      help="target for the first response, in hours (default 24)")
    kpis.add_argument("--sla-resolution-hours", type=_positive_hours, default=72.0, metavar="HOURS",
                      help="target for closing a complaint, in hours (default 72)")
    _limit_args(p)
    p.set_defaults(func=_cmd_report)


def _positive_hours(value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        hours = float("nan")
    if not (hours > 0 and hours < float("inf")):
        raise argparse.ArgumentTypeError(f"expected a number of hours above 0, got {value!r}")
    return hours


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, like every other error (exit 2), naming the command's help."""

    def error(self, message: str) -> Any:
        self.exit(2, f"complaintmine: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="complaintmine",
        description="Text mining for Chinese customer complaints.",
    )
    parser.add_argument("--version", action="version", version=f"complaintmine {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress on stderr (a bar in a terminal, else a line every "
                             "COMPLAINTMINE_PROGRESS_SECONDS seconds, default 10)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("tokenize", help="normalize and tokenize the text column of an export")
    _input_args(p)
    p.add_argument("--backend", default="auto", choices=["auto", "jieba", "rjieba"],
                   help="segmenter (default: rjieba when installed, else jieba)")
    p.add_argument("--no-mask", action="store_true", help="do not mask phone / ID / card numbers in text_norm")
    p.set_defaults(func=_cmd_tokenize)
    _register_classify(sub)
    _register_train_evaluate(sub)
    _register_report(sub)
    for command in sub.choices.values():  # also after the command: `complaintmine classify ... --quiet`
        command.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                             help="no progress on stderr")
    return parser


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _traceback_if(debug: bool) -> None:
    """With ``--debug``, print the full traceback of the error being handled (the exit code stays)."""
    if debug:
        import traceback

        traceback.print_exc(file=sys.stderr)


def _show_warning(message: Any, category: type[Warning], filename: str, lineno: int, file: Any = None,
                  line: str | None = None) -> None:
    """Our warnings as one line like our errors; others as Python shows them."""
    if issubclass(category, InputWarning):
        print(f"complaintmine: warning: {message}", file=sys.stderr)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, usage errors: return the code, as for any error
        return stop.code if isinstance(stop.code, int) else 2
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    # kill / a closed terminal stop the run like Ctrl-C does: the partial output is removed
    caught = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, _raise_interrupt) for s in caught}
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            warnings.filterwarnings("always", category=InputWarning)  # a message to the user, even under -W ignore
            return int(args.func(args) or 0)
    except ComplaintmineError as err:
        _traceback_if(args.debug)
        print(f"complaintmine: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        _traceback_if(args.debug)
        print("complaintmine: interrupted; no output was written (an existing output file is left as it was).",
              file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 141
    except MemoryError:
        _traceback_if(args.debug)
        print("complaintmine: error: out of memory; run again with a smaller --chunksize or fewer --jobs.",
              file=sys.stderr)
        return 1
    except Exception as err:  # the last line of defence: never a bare traceback
        _traceback_if(args.debug)
        detail = " ".join(f"{type(err).__name__}: {err}".split())[:300]
        print(f"complaintmine: internal error: {detail}. Run again with --debug for the full traceback and "
              "report it.", file=sys.stderr)
        return 1
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
