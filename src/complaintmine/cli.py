"""The ``complaintmine`` command line (also ``python -m complaintmine``)."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

from . import __version__
from .errors import ComplaintmineError

__all__ = ["main"]


def _input_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", help="complaint export: .csv .tsv .xlsx .jsonl .json .parquet (UTF-8 or GBK)")
    p.add_argument("-o", "--output", required=True, help="output file: .csv .tsv .jsonl .parquet .xlsx")
    p.add_argument("--text-col", help="column with the complaint text (default: detected by name)")
    p.add_argument("--id-col", help="column with a unique row id (default: detected, else rows are numbered)")
    p.add_argument("--sheet", help="Excel sheet to read (required when the workbook has several)")
    p.add_argument("--encoding", help="override the detected text encoding (e.g. gb18030)")
    p.add_argument("--chunksize", type=int, default=20_000, help="rows per chunk (default 20000)")
    p.add_argument("--allow-duplicate-ids", action="store_true",
                   help="do not check that ids are unique (the check keeps 16 bytes per row in memory)")


def _progress(desc: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(desc=desc, unit=" rows", file=sys.stderr, dynamic_ncols=True, mininterval=0.5,
                disable=None)


def _cmd_tokenize(args: argparse.Namespace) -> int:
    from .io import iter_complaints
    from .normalize import normalize_many
    from .output import TableWriter
    from .tokenize import Tokenizer

    tok = Tokenizer(backend=args.backend)
    with TableWriter(args.output, inputs=(args.input,)) as writer, _progress("tokenize") as bar:
        for chunk in iter_complaints(args.input, text_col=args.text_col, id_col=args.id_col,
                                     sheet=args.sheet, encoding=args.encoding, chunksize=args.chunksize,
                                     check_unique_ids=not args.allow_duplicate_ids):
            norm = normalize_many(chunk[chunk.attrs["text_col"]].tolist(), mask_pii=not args.no_mask)
            chunk = chunk.assign(text_norm=norm, tokens=[" ".join(t) for t in tok.tokenize_many(norm)])
            writer.write(chunk)
            bar.update(len(chunk))
    print(f"wrote {writer.rows} rows to {writer.path}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="complaintmine",
        description="Text mining for Chinese customer complaints.",
    )
    parser.add_argument("--version", action="version", version=f"complaintmine {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("tokenize", help="normalize and tokenize the text column of an export")
    _input_args(p)
    p.add_argument("--backend", default="auto", choices=["auto", "jieba", "rjieba"],
                   help="segmenter (default: rjieba when installed, else jieba)")
    p.add_argument("--no-mask", action="store_true", help="do not mask phone / ID / card numbers in text_norm")
    p.set_defaults(func=_cmd_tokenize)
    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


#: Functions that add further sub-commands (filled by the modules that implement them).
_EXTRA_COMMANDS: list[Callable[[Any], None]] = []


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _traceback_if(debug: bool) -> None:
    """With ``--debug``, print the full traceback of the error being handled (the exit code stays)."""
    if debug:
        import traceback

        traceback.print_exc(file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from . import commands, report  # noqa: F401  (registers classify, train, evaluate, report)

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    # kill / a closed terminal stop the run like Ctrl-C does: the partial output is removed
    caught = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, _raise_interrupt) for s in caught}
    try:
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
