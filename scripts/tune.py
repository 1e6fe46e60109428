"""Choose the model's blend weights and thresholds by cross-validation on TRAINING rows only.

Never touches the held-out test rows (holdout == "test") or the seed cases. Two schemes:
3-fold CV on holdout == "train" rows, and leave-one-domain-out over the same rows (train on
two review domains, validate on the third). Models are fitted once per fold; blend weights
and thresholds are varied on the fitted fold models. Prints macro-F1 for each setting.

Usage: python scripts/tune.py
"""

from __future__ import annotations

import itertools

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from complaintmine.causes import CauseClassifier
from complaintmine.datasets import load_labeled
from complaintmine.features import ComplaintVectorizer, prepare
from complaintmine.motives import MotiveEstimator
from complaintmine.tokenize import Tokenizer


def folds(frame):
    skf = StratifiedKFold(3, shuffle=True, random_state=0)
    for k, (tr, va) in enumerate(skf.split(frame, frame["cause"])):
        yield f"cv{k}", tr, va
    for dom in sorted(frame["domain"].unique()):
        yield f"lodo:{dom}", np.flatnonzero(frame["domain"] != dom), np.flatnonzero(frame["domain"] == dom)


def main() -> None:
    frame = load_labeled(include_seeds=False)
    frame = frame[frame["holdout"] == "train"].reset_index(drop=True)
    tok = Tokenizer(backend="auto")
    prepared = prepare(frame["text"].tolist(), tok)
    results: dict[tuple, list[tuple[str, float, float]]] = {}
    for name, tr, va in folds(frame):
        ptr, pva = prepared.subset(tr), prepared.subset(va)
        vec = ComplaintVectorizer().fit(ptr)
        y_c = frame["cause"].to_numpy()[va]
        y_m = frame["motive"].to_numpy()[va]
        for C in (1.0, 4.0):
            clf = CauseClassifier(C=C, tokenizer=tok).fit(ptr, frame["causes"].iloc[tr], vectorizer=vec)
            est = MotiveEstimator(C=C / 2, tokenizer=tok).fit(ptr, frame["motives"].iloc[tr], vectorizer=vec)
            for w, rw, thr in itertools.product((0.0, 0.15, 0.3, 0.5), (0.15, 0.3, 0.5), (0.4, 0.5)):
                clf.lexicon_weight, est.rule_weight, est.threshold = w, rw, thr
                pc = clf._predict_prepared(pva, clf._proba(pva))
                pm = est._primary(est._scores(pva), pva)
                fc = f1_score(y_c, pc, average="macro", labels=sorted(set(y_c)), zero_division=0)
                fm = f1_score(y_m, pm, average="macro", labels=sorted(set(y_m)), zero_division=0)
                results.setdefault((C, w, rw, thr), []).append((name, fc, fm))
        print(f"fold {name} done", flush=True)
    print(f"{'C':>4} {'lex_w':>6} {'rule_w':>7} {'thr':>5} | {'cause cv':>9} {'cause lodo':>10} | "
          f"{'motive cv':>9} {'motive lodo':>11}")
    for key, rows in sorted(results.items()):
        cv = [r for r in rows if r[0].startswith("cv")]
        lodo = [r for r in rows if r[0].startswith("lodo")]
        print(f"{key[0]:>4} {key[1]:>6} {key[2]:>7} {key[3]:>5} | {np.mean([r[1] for r in cv]):>9.3f} "
              f"{np.mean([r[1] for r in lodo]):>10.3f} | {np.mean([r[2] for r in cv]):>9.3f} "
              f"{np.mean([r[2] for r in lodo]):>11.3f}")


if __name__ == "__main__":
    main()
