"""Accelerators: each is the fast path of readable reference code elsewhere in the package,
called in one line and tested against that reference (tests/test_batch_equivalence.py).

``ngrams``: n-gram counting and TF-IDF for fixed vocabularies (reference: ``features._Tfidf``
on scikit-learn's ``CountVectorizer``); ``kernels``: its compiled Numba pass; ``segment``:
batch segmentation of many texts (reference: ``Tokenizer.tokenize`` on one text at a time).
"""
