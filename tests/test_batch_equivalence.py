"""The fast paths give exactly what straightforward reference computations give, on real texts.

Each reference below is the plain, one-text-at-a-time form of a step (the implementation
the fast path replaced): normalization step by step, one segmenter call per piece, one
regex alternation of all cue terms, scikit-learn's ``CountVectorizer`` for the n-gram
counts, and the per-row loop of ``analyze_texts``. Nothing here measures time.
"""

from __future__ import annotations

import importlib
import pickle
import random
import re
import unicodedata
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import normalize as l2_normalize

import complaintmine.normalization as nm
from complaintmine import OUTPUT_COLUMNS, load_model
from complaintmine._fast.ngrams import NgramCounter as _NgramCounter
from complaintmine.batch import classify_texts
from complaintmine.features import STYLE_FEATURES, Prepared, _Tfidf, prepare
from complaintmine.lexicon import _NEGATIONS, Cue, Lexicon
from complaintmine.pipeline import analyze_texts
from complaintmine.record import read_record, record_card
from complaintmine.risk import THREAT_FLAGS, risk_level
from complaintmine.taxonomy import RISK_FLAGS
from complaintmine.tokenizer import _ASCII_RUN, _ASCII_TOKEN, _PLACEHOLDER, Tokenizer, _is_punct

# -- references ------------------------------------------------------------------------------------


def ref_normalize(text, *, to_simplified=True, mask_pii=True):
    if not isinstance(text, str) or not text:
        return ""
    text = nm._drop_invisible(text)
    text = unicodedata.normalize("NFKC", text)
    if to_simplified:
        cc, trad = nm._converter()
        if not trad.isdisjoint(text):
            text = cc.convert(text)
    if mask_pii:
        text = nm.mask_pii(text)
    text = nm._WS.sub(" ", text).strip()
    return nm._PUNCT_RUN.sub(r"\1\1\1", text)


def ref_cut(tok, text):
    if not isinstance(text, str) or not text:
        return []
    engine = tok.engine

    def backend(s):
        return engine.lcut(s, HMM=tok.hmm) if tok.engine_name == "jieba" else engine.cut(s, tok.hmm)

    def seg(s):
        out = []
        for i, part in enumerate(_ASCII_RUN.split(s)):
            if i % 2:
                out.extend(_ASCII_TOKEN.findall(part))
            elif part:
                out.extend(backend(part))
        return out

    out = []
    for i, part in enumerate(_PLACEHOLDER.split(text)):
        if i % 2:
            out.append(part)
        elif part:
            out.extend(seg(part))
    return out


def ref_tokenize(tok, text):
    return [t for t in ref_cut(tok, text)
            if t not in tok._drop and not t.isspace() and (tok.keep_punct or not _is_punct(t))]


_ALTERNATIONS: dict = {}


def ref_find(lexicon, text):
    _, _, names = lexicon._compiled
    if id(lexicon) not in _ALTERNATIONS:  # one alternation of all terms, longest first
        terms = sorted(names, key=len, reverse=True)
        _ALTERNATIONS[id(lexicon)] = (lexicon, re.compile("|".join(re.escape(t) for t in terms)))
    pattern = _ALTERNATIONS[id(lexicon)][1]
    out = []
    for m in pattern.finditer(text):
        term, start = m.group(0), m.start()
        if start and text[start - 1] in _NEGATIONS and term[0] not in _NEGATIONS:
            continue
        out.append(Cue(term, start, names[term]))
    return out


def ref_tfidf(tfidf, docs):
    counts = tfidf._counter.transform(docs).astype(np.float64)  # scikit-learn's CountVectorizer
    counts.data = 1.0 + np.log(counts.data)
    counts = counts @ sp.diags(tfidf.idf)
    return l2_normalize(counts, copy=False).tocsr()


class RefPrepared(Prepared):
    """A ``Prepared`` whose derived features come from the references, computed row by row."""

    def cues(self, lexicon):
        key = ("ref-cues", id(lexicon))
        if key not in self._cache:
            self._cache[key] = [ref_find(lexicon, t) for t in self.norm]
        return self._cache[key]

    def cue_counts(self, lexicon):
        cols = {c: i for i, c in enumerate(lexicon.columns)}
        out = np.zeros((len(self.norm), len(cols)), dtype=np.float32)
        for row, cues in enumerate(self.cues(lexicon)):
            for cue in cues:
                for group in cue.groups:
                    out[row, cols[group]] += 1.0
        return out

    def style(self):
        out = np.zeros((len(self.norm), len(STYLE_FEATURES)), dtype=np.float32)
        for i, t in enumerate(self.norm):
            out[i] = [t.count("!"), t.count("!!"), t.count("?"), t.count("??"), len(t)]
        return out

    def features(self, vec):
        key = ("ref-features", id(vec))
        if key not in self._cache:
            dense = np.log1p(np.hstack([self.cue_counts(vec.lexicon), self.style()])) * vec.cue_scale
            blocks = [ref_tfidf(vec.word_, self.tokens), ref_tfidf(vec.char_, self.norm), sp.csr_matrix(dense)]
            if vec.emb_ is not None:  # checked against its own row-by-row reference below
                blocks.append(sp.csr_matrix(vec.emb_.transform(self) * vec.embedding_scale))
            self._cache[key] = sp.hstack(blocks, format="csr")
        return self._cache[key]


def ref_word_vectors(wv, tokens):
    """Each text's vector row by row: words weighted by (1 + log count) x IDF, summed, normalized."""
    index = {w: i for i, w in enumerate(wv.words)}
    out = np.zeros((len(tokens), wv.dim))
    for r, doc in enumerate(tokens):
        counts = Counter(t for t in doc.split() if t in index)
        total = np.zeros(wv.dim)
        for word, n in counts.items():
            total += (1 + np.log(n)) * wv.idf[index[word]] * wv.vectors[index[word]].astype(np.float64)
        norm = np.linalg.norm(total)
        out[r] = total / norm if norm else total
    return out


def ref_top_terms(model, prepared, pred_idx, k=2):
    clf = model.causes
    vec = clf.vectorizer_
    X = prepared.features(vec)
    coef = clf.primary_.coef
    vocab = vec.word_.vocabulary
    out = [[] for _ in range(len(prepared))]
    for r in range(X.shape[0]):
        lo, hi = X.indptr[r], X.indptr[r + 1]
        cand = [(-(X.data[j] * coef[pred_idx[r], X.indices[j]]), j - lo, X.indices[j]) for j in range(lo, hi)
                if X.indices[j] < len(vocab) and X.data[j] * coef[pred_idx[r], X.indices[j]] > 0]
        for _, _, c in sorted(cand):
            if len(out[r]) < k and " " not in vocab[c] and len(vocab[c]) >= 2:
                out[r].append(vocab[c])
    return out


def ref_analyze(texts, model):
    """``analyze_texts`` as a plain loop over rows, on reference features."""
    tok = model.tokenizer
    norm = [ref_normalize(t) for t in texts]
    prepared = RefPrepared(norm, [" ".join(ref_tokenize(tok, t)) for t in norm])
    clf, est = model.causes, model.motives
    n = len(prepared)
    proba = clf._proba(prepared)
    primary = clf._predict_prepared(prepared, proba)
    index = {c: i for i, c in enumerate(clf.classes_)}
    pred_idx = np.array([index[c] for c in primary])
    causes = clf._multilabel(primary, clf._label_proba(prepared))
    scores = est._scores(prepared)
    motive = est._primary(scores, prepared)
    mcol = {m: scores[:, est.motives_.index(m)] for m in ("respect", "compensation", "venting")}
    cue_lists = prepared.cues(clf.lexicon_)
    terms = ref_top_terms(model, prepared, pred_idx)
    names = clf.names_
    usable = prepared.usable()
    level, flags_col, evidence = [], [], []
    for i in range(n):
        cues, text = cue_lists[i], prepared.norm[i]
        if not usable[i]:
            words = [t for t in prepared.tokens[i].split() if t not in ("<PHONE>", "<IDNUM>", "<CARD>", "<EMAIL>",
                                                                        "<ORDER>", "<NUMBER>")]
            verdict = bool(words) and any(ch.isalpha() for w in words for ch in w)
            reason = ("empty text" if not text.strip() else "no complaint content (only a verdict such as 差评)"
                      if verdict else "no words to analyse (only symbols or numbers)")
            level.append("low")
            flags_col.append("")
            evidence.append(f"no usable text: {reason}")
            continue
        rec = read_record(text)
        lexicon_flags = {f for f in ("safety", "repeat") if any(f"risks:{f}" in c.groups for c in cues)}
        flags = [f for f in RISK_FLAGS if f in lexicon_flags | {THREAT_FLAGS[t] for t in rec.threats}]
        if "safety_health" in causes[i] and "safety" not in flags:
            flags = [f for f in RISK_FLAGS if f in flags or f == "safety"]
        level.append(risk_level(flags, float(mcol["venting"][i])))
        flags_col.append(";".join(flags))
        code = primary[i]
        words = list(dict.fromkeys([c.term for c in cues if f"causes:{code}" in c.groups] + terms[i]))[:4]
        parts = [f"{names.get(code, code)}: {', '.join(words) if words else '(model)'}"]
        ev = est._evidence_from(cues, text)
        for key, label in (("demand", "诉求"), ("disrespect", "尊重"), ("intensity", "情绪")):
            if ev[key]:
                parts.append(f"{label}: " + ", ".join(ev[key][:3]))
        if flags:
            risk_terms = [c.term for c in cues if {"risks:safety", "risks:repeat"} & set(c.groups)]
            parts.append("风险: " + ", ".join(dict.fromkeys(risk_terms + rec.threat_phrases) or ["安全健康"]))
        evidence.append(" | ".join(parts))
    frame = pd.DataFrame({
        "cause": primary.astype(str), "cause_zh": [names.get(c, c) for c in primary],
        "causes": [";".join(c) for c in causes], "cause_score": proba[np.arange(n), pred_idx].round(4),
        "motive": motive.astype(str), "motive_respect": mcol["respect"].round(4),
        "motive_compensation": mcol["compensation"].round(4), "motive_venting": mcol["venting"].round(4),
        "risk_level": level, "risk_flags": flags_col, "evidence": evidence,
    })
    # the record card, one text at a time (record_card is itself a plain loop over texts)
    card = pd.concat([record_card([t], normalized=True) for t in prepared.norm], ignore_index=True)
    return pd.concat([frame, card], axis=1)


# -- fixtures --------------------------------------------------------------------------------------

ODD = [
    "", " ", "!!!", "???", "12345678901", None, float("nan"), "<PHONE>", "OK", "abc def", "。。。。。。",
    "客户电话13812345678，送餐员迟到一个小时", "服務態度太差！！！！！！聯系電話：１３８１２３４５６７８",
    "\u200b\u3000送餐\r\n太慢\t了", "再不解决我就投诉到12315，还要找媒体曝光", "吃了拉肚子，食物中毒！！",
    "要求退款！给个说法", "什么态度？？？垃圾", "送餐员<NUMBER>太慢abc,好", "订单号:E2023110100123 没送到",
    "a@b.com 不满意", "不好吃 没有送到",
]


@pytest.fixture(scope="module")
def texts20k(negative_reviews):
    """20,000 real complaint texts (raw), plus edge cases."""
    return ODD + negative_reviews["text"].sample(20_000, random_state=11).tolist()


@pytest.fixture(scope="module")
def norm20k(texts20k):
    return [ref_normalize(t) for t in texts20k]


@pytest.fixture(scope="module")
def model():
    return load_model()


def synthetic(n, seed, extra=()):
    rnd = random.Random(seed)
    pool = list("，！？：…）（；～．\u3000 \t\n\r\x0b\x85\xa0\u2028\u200b\ufeffabcXYZ0123456789@-.#:!?。、～*_=<>") + [
        "１３８１２３４５６７８", "13812345678", "订单号:E2023110100123", "a@b.com", "商場客戶投訴", "e\u0301", "ﬁ",
        "①", "㍿", "😀", "<PHONE>", "服務態度", "不", "没", "送餐员", "态度差", *extra,
    ] + [chr(rnd.randrange(0x20, 0x3000)) for _ in range(200)]
    return ["".join(rnd.choice(pool) for _ in range(rnd.randint(0, 30))) for _ in range(n)]


# -- normalization ---------------------------------------------------------------------------------


def test_normalize_matches_reference_on_real_texts(texts20k, norm20k):
    assert nm.normalize_many(texts20k) == norm20k
    assert [nm.normalize(t) for t in texts20k] == norm20k


@pytest.mark.parametrize("kwargs", [{"to_simplified": False}, {"mask_pii": False}])
def test_normalize_options_match_reference(texts20k, kwargs):
    sample = texts20k[:3000]
    expected = [ref_normalize(t, **kwargs) for t in sample]
    assert nm.normalize_many(sample, **kwargs) == expected
    assert [nm.normalize(t, **kwargs) for t in sample] == expected


def test_normalize_matches_reference_on_synthetic_texts():
    texts = synthetic(20_000, seed=5) + [None, 3.5, "\x00", "a\x00b"]
    expected = [ref_normalize(t) for t in texts]
    assert nm.normalize_many(texts) == expected
    assert [nm.normalize(t) for t in texts] == expected


# -- tokenization ----------------------------------------------------------------------------------


def test_tokenize_many_matches_per_piece_segmentation(model, norm20k, texts20k):
    tok = model.tokenizer
    expected = [ref_tokenize(tok, t) for t in norm20k]
    assert tok.tokenize_many(norm20k) == expected
    assert [tok.tokenize(t) for t in norm20k] == expected
    assert [tok.cut(t) for t in norm20k[:3000]] == [ref_cut(tok, t) for t in norm20k[:3000]]
    raw = texts20k[:3000]  # not normalized: newlines, full-width forms, odd values
    assert tok.tokenize_many(raw) == [ref_tokenize(tok, t) for t in raw]


_ASCII_MIXES = ["3.5!好", "a@b", "don't", "<PHONE>,好", "!!!", "好!吃", "iphone6s!!还行", "价格$100(贵)", "a-b,c_d",
                "好,<ORDER>!", "x'y\"z", "好~~吃", "C++/Java", "5%的", "100%!!", "(0755)好", "#1,#2", "a.b.!c"]


@pytest.mark.parametrize("options", [{"backend": "jieba"}, {"keep_punct": True}, {"remove_stopwords": False},
                                     {"backend": "rjieba", "keep_punct": True},
                                     {"backend": "rjieba", "remove_stopwords": False, "hmm": False}])
def test_tokenize_many_matches_reference_with_options(norm20k, options):
    if options.get("backend") == "rjieba":
        pytest.importorskip("rjieba")
    tok = Tokenizer(**options)
    sample = norm20k[:1500] + synthetic(1500, seed=2, extra=_ASCII_MIXES) + _ASCII_MIXES
    assert tok.tokenize_many(sample) == [ref_tokenize(tok, t) for t in sample]


def test_kept_token_lists_are_what_splitting_gives(model, texts20k):
    """The word n-gram counter takes the tokenizer's lists instead of splitting the joined tokens."""
    texts = texts20k[:5000] + synthetic(2000, seed=7) + ["a\u3000b c\xa0d", "iphone 12 pro 坏了", "AT&T  很差"]
    prepared = prepare(texts, model.tokenizer)
    kept = prepared._cache["token_lists"]
    assert kept == [t.split() for t in prepared.tokens]
    vec = model.causes.vectorizer_
    assert same_csr(vec.word_.counts(prepared.tokens, kept), vec.word_._counter.transform(prepared.tokens))


def test_tokenizer_pickles_without_its_caches(model, norm20k):
    tok = model.tokenizer
    tok.tokenize_many(norm20k[:50])
    state = tok.__getstate__()
    assert state["_engine"] is None and "_keep_cache" not in state
    clone = pickle.loads(pickle.dumps(tok))
    assert clone.tokenize_many(norm20k[:200]) == tok.tokenize_many(norm20k[:200])


# -- cue lexicon -----------------------------------------------------------------------------------


def test_lexicon_matchers_match_the_alternation(model, norm20k):
    lex = model.causes.lexicon_
    expected = [ref_find(lex, t) for t in norm20k]
    assert lex.find_many(norm20k) == expected
    assert [lex.find(t) for t in norm20k] == expected
    syn = synthetic(20_000, seed=9, extra=[t for terms in lex.data["causes"].values() for t in terms[:3]])
    assert lex.find_many(syn) == [ref_find(lex, t) for t in syn]


def test_lexicon_matchers_on_overlapping_terms():
    lex = Lexicon({"causes": {"a": ["ab", "abc", "b", "不好"], "b": ["bcd", "c", "abcde"]},
                   "risks": {"r": ["cd", "好"]}})
    texts = ["abcde", "abcd", "xabcdx", "bcd", "不好吃", "没好", "ab不c", "", "cdcd", "不abc"] * 3
    assert lex.find_many(texts) == [ref_find(lex, t) for t in texts] == [lex.find(t) for t in texts]
    assert np.array_equal(lex.count_matrix(texts), RefPrepared(texts, texts).cue_counts(lex))


def test_cues_are_found_once_for_equal_lexicons(model, norm20k, monkeypatch):
    calls = []
    original = Lexicon.find_many

    def counting(self, texts):
        calls.append(len(texts))
        return original(self, texts)

    monkeypatch.setattr(Lexicon, "find_many", counting)
    prepared = prepare(norm20k[:300], model.tokenizer)
    # cause classifier, motive estimator and vectorizer each hold their own (equal) lexicon
    assert len({id(model.causes.lexicon_), id(model.motives.lexicon_), id(model.causes.vectorizer_.lexicon)}) == 3
    analyze_texts(prepared, model=model)
    assert calls == [300]


# -- n-gram counts ---------------------------------------------------------------------------------


def same_csr(a, b):
    return (a.shape == b.shape and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
            and np.array_equal(a.data, b.data) and a.data.dtype == b.data.dtype)


def test_ngram_counts_match_count_vectorizer(model, norm20k):
    vec = model.causes.vectorizer_
    tokens = [" ".join(ref_tokenize(model.tokenizer, t)) for t in norm20k]
    for tfidf, docs in ((vec.word_, tokens), (vec.char_, norm20k)):
        expected = tfidf._counter.transform(docs)
        got = tfidf.counts(docs)
        assert same_csr(got, expected)
        assert got.has_canonical_format
        assert same_csr(tfidf.transform(docs), ref_tfidf(tfidf, docs))
    edge = ["", " ", "a  b\tc", "\u3000x  y", "😀😀a", "x"]
    for tfidf in (vec.word_, vec.char_):
        assert same_csr(tfidf.counts(edge), tfidf._counter.transform(edge))


@pytest.mark.parametrize("analyzer, ngrams", [("char", (2, 3)), ("char", (1, 1)), ("word", (1, 3)), ("word", (2, 2))])
def test_ngram_counts_other_ranges(norm20k, model, analyzer, ngrams):
    docs = norm20k[:2000] if analyzer == "char" else [" ".join(model.tokenizer.tokenize(t)) for t in norm20k[:2000]]
    tfidf = _Tfidf.fit(docs[:1000], analyzer, ngrams, min_df=2, max_features=5000)
    assert isinstance(_NgramCounter.build(analyzer, ngrams, tfidf.vocabulary), _NgramCounter)
    assert same_csr(tfidf.counts(docs), tfidf._counter.transform(docs))


# -- the compiled TF-IDF kernel (Numba) ------------------------------------------------------------

_EDGE_DOCS = ["", " ", "a  b\tc", "\u3000x  y", "😀😀a", "x", "差" * 5000, "太慢了 " * 700, "\U0010ffff退款"]


@pytest.mark.parametrize("analyzer, ngrams", [("char", (1, 3)), ("word", (1, 2)), ("char", (2, 3)), ("word", (1, 3)),
                                              ("word", (2, 2))])
def test_tfidf_kernel_matches_reference_bit_for_bit(model, norm20k, analyzer, ngrams):
    pytest.importorskip("numba")
    vec = model.causes.vectorizer_
    words = [" ".join(model.tokenizer.tokenize(t)) for t in norm20k[:6000]]
    docs = (norm20k[:6000] if analyzer == "char" else words) + _EDGE_DOCS
    if (analyzer, ngrams) == ("char", (1, 3)):
        tfidf = vec.char_
    elif (analyzer, ngrams) == ("word", (1, 2)):
        tfidf = vec.word_
    else:
        tfidf = _Tfidf.fit(docs[:3000], analyzer, ngrams, min_df=2, max_features=5000)
    counter = _NgramCounter.build(analyzer, ngrams, tfidf.vocabulary)
    split = [d.split() for d in docs] if analyzer == "word" else None
    got = counter.tfidf(docs, split, tfidf.idf)
    assert got is not None, "the kernel did not run"
    # same values, same column order within rows (the order the dot products add up in)
    assert same_csr(got, ref_tfidf(tfidf, docs))
    assert got.nnz > len(docs)  # not a trivial matrix
    empty = counter.tfidf([], [] if split is not None else None, tfidf.idf)
    assert empty is not None and empty.shape == (0, len(tfidf.vocabulary))


def test_tfidf_kernel_can_be_switched_off(model, norm20k, monkeypatch):
    tfidf = model.causes.vectorizer_.char_
    docs = norm20k[:500]
    monkeypatch.setenv("COMPLAINTMINE_NUMBA", "0")
    assert _NgramCounter.build("char", (1, 3), tfidf.vocabulary).tfidf(docs, None, tfidf.idf) is None
    assert same_csr(tfidf.transform(docs), ref_tfidf(tfidf, docs))  # the NumPy path


def test_tfidf_kernel_failure_falls_back_to_numpy_with_a_warning(model, norm20k, monkeypatch):
    numba = pytest.importorskip("numba")
    kernels = importlib.import_module("complaintmine._fast.kernels")

    def broken():
        raise numba.core.errors.TypingError("simulated: this Numba cannot compile the kernel")

    monkeypatch.setattr(kernels, "_compile", broken)
    monkeypatch.setattr(kernels, "_NUMBA", numba)
    tfidf = _Tfidf("char", (1, 3), model.causes.vectorizer_.char_.vocabulary, model.causes.vectorizer_.char_.idf)
    docs = norm20k[:500]
    with pytest.warns(RuntimeWarning, match="Numba kernels switched off.*simulated"):
        got = tfidf.transform(docs)
    assert same_csr(got, ref_tfidf(tfidf, docs))
    assert not kernels.available()  # for the rest of the process (monkeypatch restores it)


def test_vectorizer_matches_reference_features(model, texts20k):
    sample = texts20k[:3000]
    vec = model.causes.vectorizer_
    fast = prepare(sample, model.tokenizer)
    ref = RefPrepared([ref_normalize(t) for t in sample], [])
    ref.tokens = [" ".join(ref_tokenize(model.tokenizer, t)) for t in ref.norm]
    assert fast.norm == ref.norm and fast.tokens == ref.tokens
    assert np.array_equal(fast.cue_counts(vec.lexicon), ref.cue_counts(vec.lexicon))
    assert np.array_equal(fast.style(), ref.style())
    assert same_csr(fast.features(vec), ref.features(vec))
    assert vec.emb_ is not None  # the bundled model has the word-vector block
    emb = vec.emb_.transform(fast)
    assert np.allclose(emb, ref_word_vectors(vec.emb_, ref.tokens), rtol=1e-5, atol=1e-6)
    assert (np.abs(np.linalg.norm(emb, axis=1) - 1) < 1e-9).mean() > 0.99  # unit vectors (0 for no known word)


# -- whole analysis --------------------------------------------------------------------------------


def test_analyze_texts_matches_reference_loop(model, texts20k):
    sample = texts20k[:4000]
    pd.testing.assert_frame_equal(analyze_texts(sample, model=model), ref_analyze(sample, model), check_exact=True)


def test_classify_texts_does_not_depend_on_batching(model, texts20k):
    sample = texts20k[:2500]
    whole = classify_texts(sample, model, batch_size=0)
    assert list(whole.columns) == [*OUTPUT_COLUMNS, "error"]
    pd.testing.assert_frame_equal(classify_texts(sample, model, batch_size=777), whole, check_exact=True)


# -- linear models ---------------------------------------------------------------------------------


def test_stacked_products_match_one_product_per_model(model, texts20k):
    """The pipeline computes the three linear models' products in one sparse product over the
    stacked weights: the same numbers bit for bit, and the same probabilities."""
    from complaintmine._linear import products

    clf, est = model.causes, model.motives
    models = [clf.primary_, clf.multilabel_, est.model_]
    prepared = prepare(texts20k[:5000], model.tokenizer)
    X = prepared.features(clf.vectorizer_)
    for m, z in zip(models, products(X, models)):
        assert np.array_equal(z, np.asarray(X @ m.coef.T))
    assert [z.shape[1] for z in products(X, models[1:])] == [len(models[1].coef), len(models[2].coef)]

    shared = prepare(texts20k[:5000], model.tokenizer)
    shared.share_products(clf.vectorizer_, models)
    assert all(("product", id(clf.vectorizer_), id(m)) in shared._cache for m in models)
    for method in (clf._proba, clf._label_proba, est._scores):  # vs a product per model
        assert np.array_equal(method(shared), method(prepared))
