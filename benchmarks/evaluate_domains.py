"""Accuracy as users meet it: leave-one-domain-out and in-domain held-out evaluation of the
cause and motive models, next to two baselines measured in the same run.

Domains: the three review corpora (food_delivery, hotel, online_shopping) and the five
narrative sources (finance, government, helpdesk, ecommerce, car) of ``data/labeled/``.

* Leave one domain out: train on every row of the other seven domains, test on the held-out
  domain's ``holdout == "test"`` rows. ``--score dev`` scores its ``holdout == "train"`` rows
  instead; that is the only setting used to compare model settings, so no choice is ever
  made on a test row.
* In-domain held-out: train on the ``train`` rows of all eight domains, test on each domain's
  ``test`` rows.
* Baselines, trained on exactly the same rows: the bundled cue lexicon and motive rules (no
  training) and a plain character 1-3-gram TF-IDF + LinearSVC (scikit-learn defaults) on the
  primary cause and on the primary motive.

Figures: primary-cause accuracy, cause macro-F1 over the causes with at least 5 items in the
test rows, motive macro-F1 over the primary motives (respect, compensation, venting, none)
with at least 5 items; 95% bootstrap intervals (1,000 resamples of the test rows).

Usage::

    python benchmarks/evaluate_domains.py                     # prints the tables
    python benchmarks/evaluate_domains.py --write docs/evaluation.md
    python benchmarks/evaluate_domains.py --score dev         # for choosing settings

Takes a few minutes on 2 cores (17 models of each kind are trained).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from complaintmine import CauseClassifier, MotiveEstimator, train_model
from complaintmine.datasets import load_labeled
from complaintmine.evaluation import macro_f1_ci
from complaintmine.features import prepare
from complaintmine.taxonomy import parse_codes
from complaintmine.tokenizer import Tokenizer

DOMAINS = ("food_delivery", "hotel", "online_shopping", "finance", "government", "helpdesk", "ecommerce", "car")
MIN_ITEMS = 5
N_BOOT = 1000


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, n_boot: int = N_BOOT) -> dict[str, Any]:
    return macro_f1_ci(y_true, y_pred, min_support=MIN_ITEMS, n_boot=n_boot)


def char_svm(train_text: list[str], train_y: np.ndarray, test_text: list[str]) -> np.ndarray:
    """The plain baseline: character 1-3-gram TF-IDF + LinearSVC, scikit-learn defaults."""
    if len(set(train_y)) < 2:
        return np.array([train_y[0]] * len(test_text), dtype=object)
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    clf = LinearSVC().fit(vec.fit_transform(train_text), train_y)
    return clf.predict(vec.transform(test_text)).astype(object)


def load_all() -> pd.DataFrame:
    frame = load_labeled(include_seeds=False)
    frame = frame[frame["domain"].isin(DOMAINS)].reset_index(drop=True)
    frame["cause"] = [(parse_codes(c) or ["other"])[0] for c in frame["causes"]]
    frame["motive"] = [(parse_codes(m) or ["none"])[0] for m in frame["motives"]]
    return frame


def run_split(name: str, frame: pd.DataFrame, prepared: Any, train: np.ndarray, test: np.ndarray,
              params: dict[str, Any], lexicon: CauseClassifier, rules: MotiveEstimator) -> dict[str, Any]:
    """Train the model and the baselines on ``train`` rows, score all three on ``test`` rows."""
    t0 = time.perf_counter()
    tr, te = np.flatnonzero(train), np.flatnonzero(test)
    p_tr, p_te = prepared.subset(tr), prepared.subset(te)
    model = train_model(p_tr, frame["causes"].iloc[tr].tolist(), frame["motives"].iloc[tr].tolist(),
                        tokenizer=params.get("tokenizer"), cause_params=params.get("cause_params"),
                        motive_params=params.get("motive_params"),
                        vectorizer_params=params.get("vectorizer_params"))
    fit_s = time.perf_counter() - t0
    y_c, y_m = frame["cause"].to_numpy(object)[te], frame["motive"].to_numpy(object)[te]
    texts = frame["text"].tolist()
    tr_text, te_text = [texts[i] for i in tr], [texts[i] for i in te]
    out = {"split": name, "fit_seconds": round(fit_s, 1), "n_train": len(tr)}
    out["cause"] = {
        "model": macro_f1(y_c, model.causes.predict(p_te)),
        "char_svm": macro_f1(y_c, char_svm(tr_text, frame["cause"].to_numpy(object)[tr], te_text)),
        "lexicon": macro_f1(y_c, lexicon.predict(p_te)),
    }
    out["motive"] = {
        "model": macro_f1(y_m, model.motives.predict(p_te)),
        "char_svm": macro_f1(y_m, char_svm(tr_text, frame["motive"].to_numpy(object)[tr], te_text)),
        "rules": macro_f1(y_m, rules.predict(p_te)),
    }
    return out


def evaluate(params: dict[str, Any], *, score: str = "test", domains: tuple[str, ...] = DOMAINS,
             in_domain: bool = True, progress: bool = True) -> dict[str, Any]:
    frame = load_all()
    tok = params.setdefault("tokenizer", Tokenizer(backend="auto"))
    prepared = prepare(frame["text"].tolist(), tok)
    lexicon, rules = CauseClassifier.from_lexicon(), MotiveEstimator.from_rules()
    dom = frame["domain"].to_numpy()
    scored_rows = frame["holdout"].to_numpy() == ("test" if score == "test" else "train")
    results: dict[str, Any] = {"score": score, "lodo": {}, "in_domain": {},
                               "n": frame.groupby("domain").size().to_dict()}
    for d in domains:
        t = time.perf_counter()
        results["lodo"][d] = run_split(f"lodo:{d}", frame, prepared, dom != d, (dom == d) & scored_rows,
                                       params, lexicon, rules)
        if progress:
            r = results["lodo"][d]
            print(f"[{time.perf_counter() - t:5.1f}s] held out {d:<16} cause {r['cause']['model']['macro_f1']:.3f} "
                  f"(svm {r['cause']['char_svm']['macro_f1']:.3f}, lexicon {r['cause']['lexicon']['macro_f1']:.3f})"
                  f"  motive {r['motive']['model']['macro_f1']:.3f} (svm {r['motive']['char_svm']['macro_f1']:.3f},"
                  f" rules {r['motive']['rules']['macro_f1']:.3f})", file=sys.stderr, flush=True)
    if in_domain and score == "test":
        t = time.perf_counter()
        train = frame["holdout"].to_numpy() == "train"
        # one model on the train rows of all domains, scored per domain on its test rows
        params_once = dict(params)
        tr = np.flatnonzero(train)
        model = train_model(prepared.subset(tr), frame["causes"].iloc[tr].tolist(),
                            frame["motives"].iloc[tr].tolist(), tokenizer=tok,
                            cause_params=params_once.get("cause_params"),
                            motive_params=params_once.get("motive_params"),
                            vectorizer_params=params_once.get("vectorizer_params"))
        texts = frame["text"].tolist()
        te_all = np.flatnonzero(~train)
        p_all = prepared.subset(te_all)
        pred_c = pd.Series(model.causes.predict(p_all), index=te_all)
        pred_m = pd.Series(model.motives.predict(p_all), index=te_all)
        tr_text = [texts[i] for i in tr]
        te_text = [texts[i] for i in te_all]
        svm_c = pd.Series(char_svm(tr_text, frame["cause"].to_numpy(object)[tr], te_text), index=te_all)
        svm_m = pd.Series(char_svm(tr_text, frame["motive"].to_numpy(object)[tr], te_text), index=te_all)
        lex_c = pd.Series(lexicon.predict(p_all), index=te_all)
        rul_m = pd.Series(rules.predict(p_all), index=te_all)
        for d in domains:
            rows = te_all[dom[te_all] == d]
            y_c, y_m = frame["cause"].to_numpy(object)[rows], frame["motive"].to_numpy(object)[rows]
            results["in_domain"][d] = {
                "cause": {"model": macro_f1(y_c, pred_c[rows].to_numpy()),
                          "char_svm": macro_f1(y_c, svm_c[rows].to_numpy()),
                          "lexicon": macro_f1(y_c, lex_c[rows].to_numpy())},
                "motive": {"model": macro_f1(y_m, pred_m[rows].to_numpy()),
                           "char_svm": macro_f1(y_m, svm_m[rows].to_numpy()),
                           "rules": macro_f1(y_m, rul_m[rows].to_numpy())},
            }
        if progress:
            print(f"[{time.perf_counter() - t:5.1f}s] in-domain held-out done", file=sys.stderr, flush=True)
    return results


def _cell(r: dict[str, Any], key: str = "macro_f1") -> str:
    lo, hi = r[f"{key}_ci"]
    return f"{r[key]:.3f} ({lo:.2f}-{hi:.2f})"


def tables(results: dict[str, Any]) -> str:
    lines = []
    for setting, title in (("lodo", "Leave one domain out (train on the other seven domains)"),
                           ("in_domain", "In-domain held-out (train on the train rows of all eight domains)")):
        part = results[setting]
        if not part:
            continue
        lines += [f"### {title}", "",
                  "| test domain | n | cause accuracy | cause macro-F1 | char TF-IDF + SVM | cue lexicon "
                  "| motive macro-F1 | char TF-IDF + SVM | motive rules |",
                  "|---|---|---|---|---|---|---|---|---|"]
        means = {k: [] for k in ("c", "cs", "cl", "m", "ms", "mr")}
        for d, r in part.items():
            c, m = r["cause"], r["motive"]
            lines.append(f"| {d} | {c['model']['n']} | {_cell(c['model'], 'accuracy')} | **{_cell(c['model'])}** | "
                         f"{_cell(c['char_svm'])} | {_cell(c['lexicon'])} | **{_cell(m['model'])}** | "
                         f"{_cell(m['char_svm'])} | {_cell(m['rules'])} |")
            for k, v in zip(means, (c["model"], c["char_svm"], c["lexicon"], m["model"], m["char_svm"], m["rules"])):
                means[k].append(v["macro_f1"])
        avg = {k: float(np.mean(v)) for k, v in means.items()}
        lines.append(f"| **mean over domains** | | | **{avg['c']:.3f}** | {avg['cs']:.3f} | {avg['cl']:.3f} | "
                     f"**{avg['m']:.3f}** | {avg['ms']:.3f} | {avg['mr']:.3f} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--score", choices=["test", "dev"], default="test",
                    help="score the held-out domain's test rows (default) or its train rows (for choosing settings)")
    ap.add_argument("--domain", action="append", help="only these held-out domains (repeatable)")
    ap.add_argument("--no-in-domain", action="store_true", help="skip the in-domain held-out split")
    ap.add_argument("--params", default="{}", help="JSON: cause_params / motive_params / vectorizer_params")
    ap.add_argument("--json", help="also write the full results (per-class figures) to this JSON file")
    ap.add_argument("--write", help="write the tables into this markdown file between the marker comments")
    args = ap.parse_args(argv)
    params = json.loads(args.params)
    t = time.perf_counter()
    results = evaluate(params, score=args.score, domains=tuple(args.domain or DOMAINS),
                       in_domain=not args.no_in_domain)
    results["seconds"] = round(time.perf_counter() - t)
    text = tables(results)
    print(text)
    if args.json:
        safe = {k: v for k, v in results.items()}
        Path(args.json).write_text(json.dumps(safe, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.write:
        path = Path(args.write)
        doc = path.read_text(encoding="utf-8")
        start, end = "<!-- evaluate_domains:begin -->", "<!-- evaluate_domains:end -->"
        if start not in doc or end not in doc:
            raise SystemExit(f"{path} has no {start} ... {end} markers")
        head, rest = doc.split(start, 1)
        _, tail = rest.split(end, 1)
        stamp = (f"_Generated by `python benchmarks/evaluate_domains.py --write {args.write}` "
                 f"({results['seconds']} s on this machine)._\n\n")
        path.write_text(head + start + "\n" + stamp + text + "\n" + end + tail, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
