"""complaintmine: text mining for Chinese customer complaints.

Read and clean exports (``read_complaints``, ``normalize``), tokenize Chinese
(``Tokenizer``, ``tokenize``), classify causes, estimate motives and flag escalation risk
(``analyze``, ``CauseClassifier``, ``MotiveEstimator``, ``flag_risks``), and explore root
causes (``complaintmine.analysis``, ``complaintmine.plots``, ``complaintmine.recommend``).

Examples
--------
>>> import complaintmine as cm
>>> df = cm.read_complaints("data/demo/complaints_demo.csv")  # doctest: +SKIP
>>> out = cm.analyze(df, text_col=df.attrs["text_col"])        # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# ``normalize`` and ``tokenize`` (functions of the light modules ``normalization`` and
# ``tokenizer``) are bound at once. Every other public name is imported when first used
# (PEP 562, as scipy and scikit-learn do), so that ``import complaintmine`` and
# ``complaintmine --help`` do not pay for scikit-learn, SciPy, pandas or the segmenter
# (tests/test_startup.py).
from .normalization import normalize
from .tokenizer import Tokenizer, tokenize

if TYPE_CHECKING:  # what the lazy names are, for type checkers and IDEs
    from .causes import CauseClassifier
    from .io import iter_complaints, read_complaints
    from .model import ComplaintModel, load_model, train_model
    from .motives import MotiveEstimator
    from .pipeline import analyze
    from .risk import flag_risks
    from .schema import OUTPUT_COLUMNS

__all__ = [
    "__version__",
    "read_complaints",
    "iter_complaints",
    "normalize",
    "Tokenizer",
    "tokenize",
    "CauseClassifier",
    "MotiveEstimator",
    "flag_risks",
    "analyze",
    "OUTPUT_COLUMNS",
    "ComplaintModel",
    "load_model",
    "train_model",
]

#: public name -> the submodule that defines it
_LAZY = {
    "read_complaints": "io", "iter_complaints": "io", "CauseClassifier": "causes", "MotiveEstimator": "motives",
    "flag_risks": "risk", "analyze": "pipeline", "OUTPUT_COLUMNS": "schema", "ComplaintModel": "model",
    "load_model": "model", "train_model": "model",
}
#: submodules reachable as attributes (``cm.taxonomy.CAUSES``) without importing them first;
#: the command line (``cli``) is not among them: the library never imports it
_SUBMODULES = frozenset(
    "analysis atomic batch bundle causes datasets distributed errors evaluation features io lexicon model modelio "
    "motives normalization output pipeline plots progress recommend report risk schema taxonomy tokenizer "
    "worker".split())


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)
