"""Shared fixtures: real complaint texts from the bundled corpora and seed cases."""

from __future__ import annotations

import pandas as pd
import pytest

from complaintmine.datasets import load_labeled, load_reviews


@pytest.fixture(scope="session")
def negative_reviews() -> pd.DataFrame:
    """All real negative reviews of the three corpora (about 41,000)."""
    frame = load_reviews(negative_only=True)
    return frame[frame["text"].str.strip() != ""].reset_index(drop=True)


@pytest.fixture(scope="session")
def real_texts(negative_reviews: pd.DataFrame) -> list[str]:
    """300 real negative reviews, a fixed sample across the three domains."""
    return negative_reviews.groupby("domain").sample(100, random_state=0)["text"].tolist()


@pytest.fixture(scope="session")
def labeled() -> pd.DataFrame:
    return load_labeled()


@pytest.fixture(scope="session")
def small_model(labeled: pd.DataFrame):
    """A model trained quickly on 600 labelled training rows (never on test rows)."""
    from complaintmine import train_model

    train = labeled[labeled["holdout"] == "train"].groupby("domain").head(200)
    return train_model(train["text"], train["causes"], train["motives"])
