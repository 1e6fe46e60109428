"""Errors that complaintmine raises for bad input, each with a distinct exit code.

Every message names the file, row or column at fault and says what to do. The CLI
prints the message (no traceback unless ``--debug``) and exits with ``exit_code``.
"""

from __future__ import annotations

__all__ = [
    "ComplaintmineError",
    "InputFileError",
    "EmptyInputError",
    "EncodingError",
    "ColumnError",
    "MalformedInputError",
    "DuplicateIdError",
    "OutputError",
    "SheetError",
    "ModelFileError",
    "NotFittedError",
    "ClassificationError",
    "LabelError",
    "SchedulerError",
    "InputWarning",
]


class ComplaintmineError(Exception):
    """Base class of every error complaintmine raises on purpose."""

    exit_code = 1


class InputFileError(ComplaintmineError, OSError):
    """The input path is missing, a directory, unreadable or of an unknown format."""

    exit_code = 3


class EmptyInputError(ComplaintmineError, ValueError):
    """The input file is empty or has a header but no rows."""

    exit_code = 4


class EncodingError(ComplaintmineError, UnicodeError):
    """The input bytes are not UTF-8 / GB18030, or mix several encodings."""

    exit_code = 5


class ColumnError(ComplaintmineError, KeyError):
    """A required column (text or id) is missing or ambiguous."""

    exit_code = 6

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class MalformedInputError(ComplaintmineError, ValueError):
    """A row of the input cannot be parsed (unbalanced quotes, extra fields, bad JSON)."""

    exit_code = 7


class DuplicateIdError(ComplaintmineError, ValueError):
    """The id column holds the same id on several rows."""

    exit_code = 8


class SheetError(ComplaintmineError, ValueError):
    """An Excel workbook has several sheets and none was chosen, or the chosen one is missing."""

    exit_code = 12


class OutputError(ComplaintmineError, OSError):
    """The output path cannot be written, or would overwrite the input."""

    exit_code = 9


class ModelFileError(ComplaintmineError, ValueError):
    """A model, lexicon or dictionary file is invalid, tampered with or of another version."""

    exit_code = 10


class NotFittedError(ComplaintmineError, ValueError, AttributeError):
    """An estimator was used before ``fit`` (compatible with scikit-learn's check)."""

    exit_code = 11


class ClassificationError(ComplaintmineError, RuntimeError):
    """Every row of a run failed to classify (the message quotes the first failure)."""

    exit_code = 13


class LabelError(ComplaintmineError, ValueError):
    """Labelled data that cannot train or evaluate a model: empty labels, a single cause, too
    few texts to learn features from, or no label the model knows."""

    exit_code = 14


class SchedulerError(ComplaintmineError, ConnectionError):
    """A Dask scheduler given with ``--scheduler`` is down, not a Dask scheduler, or not an address."""

    exit_code = 15


class InputWarning(UserWarning):
    """Something in the input was repaired, not refused (stray NUL bytes dropped from a cell):
    the rows are kept, and the CLI prints the warning as ``complaintmine: warning: ...``."""
