"""Train the word vectors that ``ComplaintVectorizer`` adds as a dense block of features.

Word2vec (skip-gram, gensim) over the project tokenizer's tokens of every unlabelled text we
have: the 82,000 reviews of ``data/reviews/`` and the ~20,800 complaint narratives of
``../shared/data/complaints/``. Words that mean the same across industries (催收 / 骚扰 /
打电话, 信号 / 网速 / 断网) end up close, so a model trained on some industries reads the
words of another; leave-one-domain-out cause macro-F1 rose by 3 to 4 points in every domain
with them (docs/evaluation.md). Nothing is downloaded; the vectors ship with the package as
``complaintmine/resources/word_vectors.npz`` (words, float16 vectors, and each word's IDF over
the same texts, the weight of a word in a document's vector).

Usage: ``python scripts/train_embeddings.py`` (needs gensim: ``pip install gensim``; about
3 minutes on 2 cores). Word2vec with several worker threads is not bit-for-bit
reproducible; the shipped file is the one the bundled model was trained with.
"""

from __future__ import annotations

import glob
import time
from pathlib import Path

import numpy as np
import pandas as pd

from complaintmine.datasets import load_reviews
from complaintmine.features import prepare
from complaintmine.tokenizer import Tokenizer

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "complaintmine" / "resources" / "word_vectors.npz"
DIM, WINDOW, MIN_COUNT, EPOCHS, SEED = 100, 5, 5, 5, 20261207


def main() -> None:
    from gensim.models import Word2Vec

    t = time.perf_counter()
    texts = load_reviews()["text"].tolist()
    for path in sorted(glob.glob(str(ROOT.parent / "shared" / "data" / "complaints" / "*.csv.gz"))):
        texts += pd.read_csv(path, dtype=str, keep_default_na=False)["text"].tolist()
    sentences = prepare(texts, Tokenizer(backend="auto")).token_lists()
    print(f"{len(texts)} texts, {sum(map(len, sentences))} tokens ({time.perf_counter() - t:.0f} s)")
    w2v = Word2Vec(sentences, vector_size=DIM, window=WINDOW, min_count=MIN_COUNT, sg=1, epochs=EPOCHS,
                   workers=2, seed=SEED)
    words = list(w2v.wv.index_to_key)
    index = {w: i for i, w in enumerate(words)}
    df = np.zeros(len(words))
    for sent in sentences:
        for w in set(sent):
            i = index.get(w)
            if i is not None:
                df[i] += 1
    idf = np.log((1 + len(sentences)) / (1 + df)) + 1
    np.savez_compressed(OUT, words=np.array(words), vectors=w2v.wv.vectors.astype(np.float16),
                        idf=idf.astype(np.float32))
    print(f"{len(words)} words x {DIM} -> {OUT} ({OUT.stat().st_size / 1e6:.1f} MB, "
          f"{time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()
