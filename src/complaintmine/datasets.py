"""Bundled datasets: real review corpora, the seed case narratives and the labelled set.

The files live in the checkout's ``data/`` folder (see ``data/README.md`` for provenance
and licences). Set the environment variable ``COMPLAINTMINE_DATA`` to use a copy elsewhere.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pandas as pd

from .errors import InputFileError

__all__ = ["data_dir", "load_reviews", "load_seed_cases", "load_labeled", "DOMAINS"]

#: Review corpora: domain -> (file under data/reviews, id prefix, category when the file has none)
_CORPORA = {
    "food_delivery": ("waimai_10k.csv.gz", "fd", "外卖"),
    "hotel": ("hotel_reviews.csv.gz", "ht", "酒店"),
    "online_shopping": ("online_shopping_10_cats.csv.gz", "os", None),
}
DOMAINS = tuple(_CORPORA)


def data_dir() -> Path:
    """Return the folder that holds the bundled data.

    ``$COMPLAINTMINE_DATA`` when set, else the ``data/`` folder of the checkout the package
    was installed from (``pip install -e .``).
    """
    env = os.environ.get("COMPLAINTMINE_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / "data")
    for path in candidates:
        if (path / "reviews").is_dir():
            return path
    raise InputFileError(
        "complaintmine's bundled data folder was not found (looked in "
        + ", ".join(str(p) for p in candidates)
        + "). Install from a checkout with `pip install -e .`, or set COMPLAINTMINE_DATA "
        "to the checkout's data/ folder."
    )


@cache
def _read_corpus(domain: str) -> pd.DataFrame:
    fname, prefix, category = _CORPORA[domain]
    raw = pd.read_csv(data_dir() / "reviews" / fname, dtype={"label": "int64"}, keep_default_na=False)
    return pd.DataFrame(
        {
            "id": [f"{prefix}-{i:05d}" for i in range(len(raw))],
            "domain": domain,
            "category": raw["cat"] if "cat" in raw else category,
            "sentiment": raw["label"].map({0: "negative", 1: "positive"}),
            "text": raw["review"].astype(str),
        }
    )


def load_reviews(domain: str | list[str] | None = None, *, negative_only: bool = False) -> pd.DataFrame:
    """Load the bundled real review corpora (about 82,000 reviews, 41,000 negative).

    Parameters
    ----------
    domain : {"food_delivery", "hotel", "online_shopping"} or list of them, optional
        Which corpora to load; all three by default.
    negative_only : bool, default False
        Keep only the negative reviews (the real complaints).

    Returns
    -------
    pandas.DataFrame
        Columns ``id`` (stable, e.g. ``fd-00012`` = row 12 of the food-delivery file),
        ``domain``, ``category`` (product category, e.g. 水果, 酒店), ``sentiment``
        (``negative`` / ``positive``, the corpus' own label) and ``text`` (raw, as published;
        empty cells are empty strings).

    Examples
    --------
    >>> from complaintmine.datasets import load_reviews
    >>> df = load_reviews("hotel", negative_only=True)
    >>> list(df.columns)
    ['id', 'domain', 'category', 'sentiment', 'text']
    """
    if domain is None:
        domains = list(DOMAINS)
    else:
        domains = [domain] if isinstance(domain, str) else list(domain)
    unknown = [d for d in domains if d not in _CORPORA]
    if unknown:
        raise ValueError(f"unknown domain {unknown[0]!r}; choose from {', '.join(DOMAINS)}")
    frame = pd.concat([_read_corpus(d) for d in domains], ignore_index=True)
    if negative_only:
        frame = frame[frame["sentiment"] == "negative"].reset_index(drop=True)
    return frame


def load_seed_cases() -> pd.DataFrame:
    """Load the real complaint case narratives found in the project's source documents.

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case_id``, ``source_file`` (the document under ``data/seeds``),
        ``title``, ``text`` (the customer's complaint, verbatim, in the document's own
        script: some are traditional Chinese) and ``handling`` (what the document says was
        done about it, verbatim, possibly empty).

    Examples
    --------
    >>> from complaintmine.datasets import load_seed_cases
    >>> cases = load_seed_cases()
    >>> cases.columns[:3].tolist()
    ['case_id', 'source_file', 'title']
    """
    path = data_dir() / "seeds" / "seed_cases.jsonl"
    return pd.read_json(path, lines=True, dtype=False)[["case_id", "source_file", "title", "text", "handling"]]


def load_labeled(*, include_seeds: bool = True) -> pd.DataFrame:
    """Load the hand-labelled complaints (see ``data/labeled/README.md``).

    Returns
    -------
    pandas.DataFrame
        ``id, domain, category, sample, text, causes, cause, motives, motive``: ``causes`` and
        ``motives`` are ``;``-joined codes with the primary first, ``cause`` and ``motive``
        the primary codes (``motive`` is ``none`` when no motive is shown). ``sample`` says how
        the text was drawn (``random`` or ``targeted``; ``seed`` for the case narratives).

    Examples
    --------
    >>> from complaintmine.datasets import load_labeled
    >>> labeled = load_labeled()
    >>> labeled["cause"].isna().any()
    False
    """
    frame = pd.read_csv(data_dir() / "labeled" / "labeled.csv", dtype=str, keep_default_na=False)
    if not include_seeds:
        frame = frame[frame["sample"] != "seed"].reset_index(drop=True)
    return frame
