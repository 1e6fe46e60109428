"""complaintmine: text mining for Chinese customer complaints.

Read and clean exports (``read_complaints``, ``normalize``), tokenize Chinese
(``Tokenizer``, ``tokenize``), classify causes, estimate motives and flag escalation risk
(``analyze``), and explore root causes (``complaintmine.analysis``, ``complaintmine.plots``,
``complaintmine.recommend``).
"""

from __future__ import annotations

__version__ = "0.1.0"

from .io import iter_complaints, read_complaints
from .normalize import normalize
from .tokenize import Tokenizer, tokenize

__all__ = [
    "__version__",
    "read_complaints",
    "iter_complaints",
    "normalize",
    "Tokenizer",
    "tokenize",
]
