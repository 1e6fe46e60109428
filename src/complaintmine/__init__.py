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

__version__ = "0.1.0"

from .causes import CauseClassifier
from .io import iter_complaints, read_complaints
from .model import ComplaintModel, load_model, train_model
from .motives import MotiveEstimator
from .normalize import normalize
from .pipeline import analyze
from .risk import flag_risks
from .schema import OUTPUT_COLUMNS
from .tokenize import Tokenizer, tokenize

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
