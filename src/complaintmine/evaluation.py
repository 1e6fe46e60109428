"""Evaluation on labelled complaints: per-class precision / recall / F1, macro-F1 with a
bootstrap confidence interval, confusion matrices, for the primary cause and for motives,
next to a majority baseline and the no-training (lexicon / rules) mode.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from .taxonomy import MOTIVES, parse_codes

__all__ = ["classification_report", "evaluate_model", "format_report", "macro_f1_ci"]


def macro_f1_ci(y_true: Any, y_pred: Any, *, min_support: int = 5, n_boot: int = 1000,
                random_state: int = 0) -> dict[str, Any]:
    """Macro-F1 over the classes with at least ``min_support`` true items, and accuracy, each
    with a 95% bootstrap interval (``n_boot`` resamples of the rows; the scored classes stay
    those of the full set). Fast enough for thousands of resamples.

    Examples
    --------
    >>> r = macro_f1_ci(["a"] * 5 + ["b"] * 5, ["a"] * 5 + ["b"] * 4 + ["a"], n_boot=200)
    >>> round(r["macro_f1"], 3), r["accuracy"], r["classes_scored"]
    (0.899, 0.9, ['a', 'b'])
    """
    y_true, y_pred = list(y_true), list(y_pred)
    classes = sorted(set(y_true) | set(y_pred))
    index = {c: i for i, c in enumerate(classes)}
    t = np.array([index[v] for v in y_true], dtype=np.int64)
    p = np.array([index[v] for v in y_pred], dtype=np.int64)
    k = len(classes)
    scored = np.flatnonzero(np.bincount(t, minlength=k) >= min_support)

    def score(tt: np.ndarray, pp: np.ndarray) -> tuple[float, float]:
        tp = np.bincount(tt[tt == pp], minlength=k)
        denom = np.bincount(tt, minlength=k) + np.bincount(pp, minlength=k)
        f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
        return (float(f1[scored].mean()) if len(scored) else float("nan"),
                float((tt == pp).mean()) if len(tt) else float("nan"))

    f, acc = score(t, p)
    if n_boot and len(t):
        rng = np.random.default_rng(random_state)
        boots = np.array([score(t[i], p[i]) for i in rng.integers(0, len(t), (n_boot, len(t)))])
        (f_lo, a_lo), (f_hi, a_hi) = np.percentile(boots, [2.5, 97.5], axis=0)
    else:
        f_lo = f_hi = f
        a_lo = a_hi = acc
    return {"n": len(t), "macro_f1": f, "macro_f1_ci": [float(f_lo), float(f_hi)], "accuracy": acc,
            "accuracy_ci": [float(a_lo), float(a_hi)], "classes_scored": [classes[i] for i in scored]}


def classification_report(y_true: Any, y_pred: Any, *, labels: list[str] | None = None, n_boot: int = 1000,
                          random_state: int = 0) -> dict[str, Any]:
    """Per-class precision, recall, F1 and support; macro-F1 with a 95% bootstrap interval;
    accuracy; the confusion matrix (rows = true, columns = predicted).

    Examples
    --------
    >>> r = classification_report(["a", "b", "b"], ["a", "b", "a"], n_boot=100)
    >>> round(r["macro_f1"], 3)
    0.667
    """
    y_true = np.asarray(list(y_true), dtype=object)
    y_pred = np.asarray(list(y_pred), dtype=object)
    if labels is None:
        labels = sorted(set(y_true) | set(y_pred))
    present = [lab for lab in labels if (y_true == lab).any()]  # macro over classes that occur
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    macro = float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0))
    rng = np.random.default_rng(random_state)
    boots = []
    n = len(y_true)
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        boots.append(f1_score(y_true[idx], y_pred[idx], labels=present, average="macro", zero_division=0))
    lo, hi = (np.percentile(boots, [2.5, 97.5]) if boots else (macro, macro))
    return {
        "n": int(n),
        "accuracy": float((y_true == y_pred).mean()) if n else 0.0,
        "macro_f1": macro,
        "macro_f1_ci": [float(lo), float(hi)],
        "per_class": {lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                            "support": int(s[i])} for i, lab in enumerate(labels)},
        "labels": list(labels),
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def _presence_report(true_sets: list[list[str]], scores: np.ndarray, motives: list[str],
                     threshold: float) -> dict[str, Any]:
    out = {}
    for j, m in enumerate(motives):
        t = np.array([m in s for s in true_sets])
        pr = scores[:, j] >= threshold
        p, r, f, _ = precision_recall_fscore_support(t, pr, average="binary", zero_division=0)
        out[m] = {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(t.sum())}
    return out


def evaluate_model(model: Any, frame: pd.DataFrame, *, text_col: str = "text", causes_col: str = "causes",
                   motives_col: str = "motives", baselines: bool = True, n_boot: int = 1000,
                   progress: bool = False) -> dict[str, Any]:
    """Evaluate a ``ComplaintModel`` on a labelled frame (causes / motives primary first).

    Returns a dict with ``cause`` and ``motive`` reports (see ``classification_report``), motive
    presence F1 per motive (``motive_presence``), and with ``baselines`` the same macro-F1
    for a majority baseline (the most frequent training label, from the model file) and the
    no-training lexicon / rules mode. ``progress=True`` shows the steps on stderr.
    """
    from .progress import progress_bar

    steps = 2 + (motives_col in frame.columns and getattr(model, "motives", None) is not None) + bool(baselines)
    with progress_bar("evaluate", total=steps, unit="steps", disable=not progress) as bar:
        return _evaluate(model, frame, text_col=text_col, causes_col=causes_col, motives_col=motives_col,
                         baselines=baselines, n_boot=n_boot, bar=bar)


def _evaluate(model: Any, frame: pd.DataFrame, *, text_col: str, causes_col: str, motives_col: str,
              baselines: bool, n_boot: int, bar: Any) -> dict[str, Any]:
    from .causes import CauseClassifier
    from .features import prepare
    from .motives import MotiveEstimator

    for col in (text_col, causes_col):
        if col not in frame.columns:
            from .errors import ColumnError

            raise ColumnError(f"labelled data has no column {col!r}; columns are: {', '.join(frame.columns)}")
    known = set(model.causes.classes_)
    primaries = [(parse_codes(v) or ["other"])[0] for v in frame[causes_col]]
    if not known.intersection(primaries):
        from .errors import LabelError

        unknown = sorted(set(primaries))
        raise LabelError(f"none of the {len(primaries)} labels in column {causes_col!r} is a cause code of the model "
                         f"(labels: {', '.join(unknown[:10])}{' ...' if len(unknown) > 10 else ''}; the model's "
                         f"codes: {', '.join(map(str, model.causes.classes_))}); check the column or --causes-col")
    bar.set_postfix_str(f"tokenizing {len(frame)} texts")
    prepared = prepare(frame[text_col].tolist(), model.tokenizer)
    bar.update()
    bar.set_postfix_str("causes")
    true_causes = [parse_codes(v) or ["other"] for v in frame[causes_col]]
    y_cause = [c[0] for c in true_causes]
    clf = model.causes
    cause_labels = sorted(set(clf.classes_) | set(y_cause))
    pred_cause = clf.decide(prepared).primary
    report: dict[str, Any] = {"n": len(frame), "cause": classification_report(y_cause, pred_cause,
                                                                             labels=cause_labels, n_boot=n_boot)}
    bar.update()
    est = model.motives
    has_motives = motives_col in frame.columns and est is not None
    if has_motives:
        bar.set_postfix_str("motives")
        true_m = [parse_codes(v) for v in frame[motives_col]]
        y_motive = [m[0] if m else "none" for m in true_m]
        decision = est.decide(prepared)
        scores, pred_m = decision.scores, decision.primary
        motive_labels = list(est.motives_) + ["none"]
        report["motive"] = classification_report(y_motive, pred_m, labels=motive_labels, n_boot=n_boot)
        report["motive_presence"] = _presence_report(true_m, scores, list(est.motives_), est.threshold)
        bar.update()
    if baselines:
        bar.set_postfix_str("baselines")
        info = model.info or {}
        maj_cause = info.get("majority_cause") or pd.Series(y_cause).mode()[0]
        report["baselines"] = {"majority": {"cause_macro_f1": classification_report(
            y_cause, [maj_cause] * len(y_cause), labels=cause_labels, n_boot=0)["macro_f1"],
            "cause_label": maj_cause}}
        lex = CauseClassifier.from_lexicon()
        lex_pred = lex.decide(prepared).primary
        report["baselines"]["lexicon"] = {"cause_macro_f1": classification_report(
            y_cause, lex_pred, labels=cause_labels, n_boot=0)["macro_f1"]}
        if has_motives:
            maj_m = info.get("majority_motive") or pd.Series(y_motive).mode()[0]
            report["baselines"]["majority"]["motive_macro_f1"] = classification_report(
                y_motive, [maj_m] * len(y_motive), labels=motive_labels, n_boot=0)["macro_f1"]
            report["baselines"]["majority"]["motive_label"] = maj_m
            rules = MotiveEstimator.from_rules()
            report["baselines"]["lexicon"]["motive_macro_f1"] = classification_report(
                y_motive, rules.decide(prepared).primary, labels=list(MOTIVES) + ["none"], n_boot=0)["macro_f1"]
        bar.update()
    return report


def _table(rep: dict[str, Any]) -> list[str]:
    lines = [f"{'class':<24}{'precision':>10}{'recall':>10}{'f1':>8}{'support':>9}"]
    for lab in rep["labels"]:
        c = rep["per_class"][lab]
        lines.append(f"{lab:<24}{c['precision']:>10.3f}{c['recall']:>10.3f}{c['f1']:>8.3f}{c['support']:>9d}")
    lo, hi = rep["macro_f1_ci"]
    lines.append(f"macro-F1 {rep['macro_f1']:.3f} (95% bootstrap CI {lo:.3f}-{hi:.3f}); "
                 f"accuracy {rep['accuracy']:.3f}; n={rep['n']}")
    return lines


def _confusion(rep: dict[str, Any]) -> list[str]:
    labs = rep["labels"]
    short = [lab[:6] for lab in labs]
    lines = ["confusion matrix (rows: true, columns: predicted)", " " * 24 + "".join(f"{s:>7}" for s in short)]
    for lab, row in zip(labs, rep["confusion"]):
        lines.append(f"{lab:<24}" + "".join(f"{v:>7d}" for v in row))
    return lines


def format_report(report: dict[str, Any]) -> str:
    """Human-readable text of an ``evaluate_model`` report."""
    out = [f"== primary cause (n={report['n']}) =="] + _table(report["cause"]) + _confusion(report["cause"])
    if "motive" in report:
        out += ["", "== primary motive =="] + _table(report["motive"]) + _confusion(report["motive"])
        out += ["", "== motive presence (each motive shown or not) =="]
        for m, c in report["motive_presence"].items():
            out.append(f"{m:<24}{c['precision']:>10.3f}{c['recall']:>10.3f}{c['f1']:>8.3f}{c['support']:>9d}")
    if "baselines" in report:
        b = report["baselines"]
        out += ["", "== baselines (macro-F1) =="]
        out.append(f"model          cause {report['cause']['macro_f1']:.3f}"
                   + (f"   motive {report['motive']['macro_f1']:.3f}" if "motive" in report else ""))
        out.append(f"lexicon/rules  cause {b['lexicon']['cause_macro_f1']:.3f}"
                   + (f"   motive {b['lexicon']['motive_macro_f1']:.3f}" if "motive_macro_f1" in b["lexicon"] else ""))
        out.append(f"majority       cause {b['majority']['cause_macro_f1']:.3f} ({b['majority']['cause_label']})"
                   + (f"   motive {b['majority']['motive_macro_f1']:.3f} ({b['majority']['motive_label']})"
                      if "motive_macro_f1" in b["majority"] else ""))
    return "\n".join(out)
