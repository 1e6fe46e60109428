"""``MotiveEstimator``: what the customer wants (求尊重 respect, 求补偿 compensation, 求发泄 venting)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._estimator import Estimator
from ._linear import LinearBinarySet
from .errors import ModelFileError, NotFittedError
from .features import ComplaintVectorizer, Prepared, prepare
from .lexicon import Lexicon, as_lexicon
from .modelio import require_number, require_strings
from .taxonomy import MOTIVES, parse_codes
from .tokenizer import Tokenizer

__all__ = ["MotiveEstimator", "MotiveDecision"]

# explicit demands: a demand verb followed within a few characters by a remedy
_LEADS = ("强烈要求", "要求", "希望", "请", "必须", "应该", "应当", "给我", "我要", "要你们", "申请", "坚持", "让你们",
          "让商家", "让他们", "让我司", "让商场", "诉求")
_REMEDIES = {
    "compensation": ("退款|退钱|退货|换货|赔偿|补偿|赔|补发|重新送|重送|重做|维修|修好|免单|退还|返还|补差价|换|送过去"
                     "|送来|退费|减免|免除|赔付|理赔|退保|退车|换车|更换"),
    "respect": "道歉|说法|解释|交代|尊重|答复|回复|公道|查清|查明|严惩|处分|问责",
}
# asking for a manager is a demand; "请领导 / 希望领导" (addressing officials) is not
_ALONE = {"compensation": ("退一赔", "假一赔", "一分钱不加", "不加钱"),
          "respect": ("找你们经理", "找你们领导", "找你们负责人", "找经理", "找领导", "找负责人", "叫经理",
                      "叫你们经理", "叫负责人", "见经理", "见领导", "见负责人")}


def _demand_pattern(remedies: str, *alone: str) -> re.Pattern[str]:
    """``(?:lead|...)[^。!?;]{0,12}?(?:remedies)|alone|...``, written as one branch per lead.

    The same matches in the same order; when every branch starts with a literal, ``re`` skips
    to the positions that hold one of those first characters (much faster; see benchmarks/README.md).
    """
    return re.compile("|".join([lead + f"[^。!?;]{{0,12}}?(?:{remedies})" for lead in _LEADS] + list(alone)))


_DEMANDS = {m: _demand_pattern(_REMEDIES[m], *_ALONE[m]) for m in _REMEDIES}
#: score from which an explicit demand alone sets a motive (the text states it)
_DEMAND_FLOOR = 0.6
#: an explicit demand decides the primary motive unless another motive scores this much higher
DEMAND_MARGIN = 0.25


@dataclass(frozen=True)
class MotiveDecision:
    """What ``MotiveEstimator.decide`` found for a batch of texts.

    Attributes
    ----------
    motives : list of str
        Motive codes, the column order of ``scores``.
    scores : ndarray, shape (n, len(motives))
        Score in [0, 1] of each motive (rows need not sum to 1).
    primary : ndarray of str
        The primary motive of each text, or ``none``.
    no_demand : ndarray of bool
        Rows where no explicit-demand pattern matched (their evidence has no demand).
    """

    motives: list[str]
    scores: np.ndarray
    primary: np.ndarray
    no_demand: np.ndarray

    def score_of(self, motive: str) -> np.ndarray:
        """The scores of one motive (zeros when the estimator has no such motive)."""
        if motive in self.motives:
            return self.scores[:, self.motives.index(motive)]
        return np.zeros(len(self.primary))


class MotiveEstimator(Estimator):
    """Scores in [0, 1] for each motive, a primary motive (or ``none``) and the evidence.

    The score of each motive blends a logistic regression trained on labelled complaints
    (word and character TF-IDF, cue counts, exclamation and question runs) with an explicit
    rule score from the text itself: demands (要求退款, 给个说法), disrespect and status cues
    (什么态度, 老顾客), and intensity cues (垃圾, 再也不, ``!!!``, 呵呵).

    Parameters
    ----------
    C : float, default 0.3
        Inverse regularisation strength.
    loss : {"hinge", "log"}, default "hinge"
        A linear SVM or logistic regression (Platt-scaled on out-of-fold decision values).
    rule_weight : float, default 0.15
        Share of the explicit rule score in the blend (1.0 = rules only; then no training
        data is needed).
    threshold : float, default 0.35
        The primary motive is the highest score when it reaches this, else ``"none"``; an
        explicit demand decides it unless another motive scores ``DEMAND_MARGIN`` higher.
        (Chosen by ``benchmarks/evaluate_domains.py --score dev``, leave-one-domain-out on rows
        never used as test rows.)
    lexicon : Lexicon or path, optional
    tokenizer : Tokenizer, optional
    random_state : int, default 0

    Attributes
    ----------
    motives_ : list of str
        Motive codes, in the column order of ``predict_proba``.

    Examples
    --------
    >>> from complaintmine import MotiveEstimator
    >>> est = MotiveEstimator.from_rules()
    >>> est.predict(["质量太差了，要求退款！"])
    array(['compensation'], dtype=object)
    """

    def __init__(self, *, C: float = 0.3, loss: str = "hinge", rule_weight: float = 0.15, threshold: float = 0.35,
                 lexicon: Lexicon | str | os.PathLike[str] | None = None, tokenizer: Tokenizer | None = None,
                 random_state: int = 0) -> None:
        self.C = C
        self.loss = loss
        self.rule_weight = rule_weight
        self.threshold = threshold
        self.lexicon = lexicon
        self.tokenizer = tokenizer
        self.random_state = random_state

    def _check_fitted(self) -> None:
        if not hasattr(self, "motives_"):
            raise NotFittedError(
                "This MotiveEstimator is not fitted yet. Call fit(texts, motives), or use "
                "MotiveEstimator.from_rules() or complaintmine.load_model()."
            )

    def fit(self, X: Any, y: Any = None, *, vectorizer: ComplaintVectorizer | None = None) -> MotiveEstimator:
        """Fit on texts and their motive labels.

        Parameters
        ----------
        X : iterable of str or Prepared
        y : iterable
            Per text the motives shown, primary first: ``"compensation;venting"``, a list, or
            ``"none"`` / empty. Ignored when ``rule_weight == 1``.
        vectorizer : ComplaintVectorizer, optional
            An already fitted vectorizer to share with a ``CauseClassifier``.
        """
        self.lexicon_ = as_lexicon(self.lexicon)
        if self.rule_weight >= 1.0 or y is None:
            if y is None and self.rule_weight < 1.0:
                raise ValueError("fit needs motive labels y unless rule_weight=1.0 (rules only)")
            self.motives_ = list(MOTIVES)
            return self
        prepared = prepare(X, self.tokenizer)
        codes = [parse_codes(v) for v in y]
        if len(codes) != len(prepared):
            raise ValueError(f"X has {len(prepared)} texts but y has {len(codes)} labels")
        motives = [m for m in MOTIVES if any(m in c for c in codes)]
        motives += sorted({m for c in codes for m in c} - set(motives))
        self.vectorizer_ = vectorizer if vectorizer is not None else ComplaintVectorizer(
            lexicon=self.lexicon_).fit(prepared)
        Y = np.array([[m in c for m in motives] for c in codes], dtype=bool)
        self.model_ = LinearBinarySet.fit(prepared.features(self.vectorizer_), Y, motives, C=self.C,
                                          random_state=self.random_state, loss=self.loss)
        self.motives_ = motives
        return self

    @classmethod
    def from_rules(cls, **kwargs: Any) -> MotiveEstimator:
        """A ready estimator from explicit cues only (no training data)."""
        return cls(rule_weight=1.0, **kwargs).fit(None)

    # -- scoring -------------------------------------------------------------------------------
    def _rule_scores(self, prepared: Prepared) -> np.ndarray:
        lex = self.lexicon_
        counts = prepared.cue_counts(lex)
        cols = {c: i for i, c in enumerate(lex.columns)}
        style = prepared.style()
        out = np.zeros((len(prepared), len(self.motives_)))
        for j, m in enumerate(self.motives_):
            hits = counts[:, cols[f"motives:{m}"]] if f"motives:{m}" in cols else np.zeros(len(prepared))
            if m == "venting":
                hits = hits + 0.5 * np.minimum(style[:, 0], 6) / 3
            out[:, j] = 1 - np.exp(-0.8 * hits)
        return out

    def _demand_counts(self, prepared: Prepared) -> np.ndarray:
        """Number of explicit demands per text and motive (zero for motives without a pattern)."""
        key = ("demands", tuple(self.motives_))
        if key not in prepared._cache:
            out = np.zeros((len(prepared), len(self.motives_)))
            for j, m in enumerate(self.motives_):
                pattern = _DEMANDS.get(m)
                if pattern is not None:
                    out[:, j] = [len(pattern.findall(t)) for t in prepared.norm]
            prepared._cache[key] = out
        return prepared._cache[key]

    def linear_models(self) -> list[Any]:
        """The linear model ``decide`` applies to ``vectorizer_``'s features (none when rules
        alone score); see ``CauseClassifier.linear_models``."""
        return [self.model_] if float(self.rule_weight) < 1.0 and hasattr(self, "model_") else []

    def decide(self, X: Any) -> MotiveDecision:
        """Scores, primary motive and the rows without an explicit demand, in one pass.

        Examples
        --------
        >>> d = MotiveEstimator.from_rules().decide(["质量太差了，要求退款！", "菜凉了"])
        >>> d.primary.tolist(), d.no_demand.tolist()
        (['compensation', 'none'], [False, True])
        """
        self._check_fitted()
        prepared = prepare(X, self.tokenizer)
        scores = self._scores(prepared)
        demands = self._demand_counts(prepared)
        cols = [self.motives_.index(m) for m in _DEMANDS if m in self.motives_]
        if set(_DEMANDS) <= set(self.motives_):
            no_demand = (demands[:, cols] == 0).all(axis=1)
        else:  # a pattern was not counted: no shortcut
            no_demand = np.zeros(len(prepared), dtype=bool)
        return MotiveDecision(list(self.motives_), scores, self._primary(scores, prepared), no_demand)

    def evidence_from(self, cues: list[Any], norm: str) -> dict[str, list[str]]:
        """The evidence of one normalized text from its cues (``Prepared.cues``): explicit demands,
        disrespect / status cues and intensity cues. Pass ``norm=""`` when the text holds no
        demand (``MotiveDecision.no_demand``) to skip the demand patterns."""
        return self._evidence_from(cues, norm)

    def _scores(self, prepared: Prepared) -> np.ndarray:
        rules = self._rule_scores(prepared)
        demands = self._demand_counts(prepared)
        floor = np.where(demands > 0, _DEMAND_FLOOR + 0.3 * (1 - np.exp(-(demands - 1))), 0.0)
        w = float(self.rule_weight)
        if not self.linear_models():
            return np.maximum(rules, floor)
        p = np.zeros_like(rules)
        learned = self.model_.proba_of(prepared.product(self.vectorizer_, self.model_))
        for j, m in enumerate(self.model_.labels):
            p[:, self.motives_.index(m)] = learned[:, j]
        missing = [self.motives_.index(m) for m in self.motives_ if m not in self.model_.labels]
        p[:, missing] = rules[:, missing]
        # an explicit demand ("要求退款", "给个说法") shows the motive whatever the model says
        return np.maximum((1 - w) * p + w * rules, floor)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Score of each motive in [0, 1], shape ``(n, len(motives_))`` (rows need not sum to 1)."""
        self._check_fitted()
        return self._scores(prepare(X, self.tokenizer))

    def _primary(self, scores: np.ndarray, prepared: Prepared) -> np.ndarray:
        best = scores.argmax(axis=1)
        demanded = self._demand_counts(prepared) > 0
        if demanded.any():
            # what the customer explicitly asks for (要求赔偿, 给个说法) is their primary motive,
            # unless another motive is clearly stronger ("老客户 ... 要求赔偿" is compensation)
            rows = np.flatnonzero(demanded.any(axis=1))
            ask = np.where(demanded[rows], scores[rows], -np.inf).argmax(axis=1)
            lead = scores[rows, best[rows]] - scores[rows, ask]
            best[rows] = np.where(lead <= DEMAND_MARGIN, ask, best[rows])
        out = np.array([self.motives_[j] for j in best], dtype=object)
        out[scores.max(axis=1) < self.threshold] = "none"
        out[~prepared.usable()] = "none"  # nothing to analyse
        return out

    def predict(self, X: Any) -> np.ndarray:
        """The primary motive of each text: a motive code or ``"none"``."""
        self._check_fitted()
        prepared = prepare(X, self.tokenizer)
        return self._primary(self._scores(prepared), prepared)

    def evidence(self, text: str) -> dict[str, list[str]]:
        """The explicit cues behind the scores: demands, disrespect / status cues, intensity cues.

        Examples
        --------
        >>> MotiveEstimator.from_rules().evidence("什么态度！要求退款！！！")["demand"]
        ['要求退款']
        """
        self._check_fitted()
        prepared = prepare([text], self.tokenizer)
        return self._evidence(prepared.norm[0])

    def _evidence(self, norm: str) -> dict[str, list[str]]:
        return self._evidence_from(self.lexicon_.find(norm), norm)

    def _evidence_from(self, cues: list[Any], norm: str) -> dict[str, list[str]]:
        demand = [m.group(0) for pattern in _DEMANDS.values() for m in pattern.finditer(norm)]
        comp = [c.term for c in cues if "motives:compensation" in c.groups]
        respect = [c.term for c in cues if "motives:respect" in c.groups]
        venting = [c.term for c in cues if "motives:venting" in c.groups]
        return {"demand": list(dict.fromkeys(demand + comp)), "disrespect": list(dict.fromkeys(respect)),
                "intensity": list(dict.fromkeys(venting))}

    # -- persistence ---------------------------------------------------------------------------
    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        self._check_fitted()
        params = self.get_params(deep=False)
        params.pop("lexicon")
        params.pop("tokenizer")
        meta: dict[str, Any] = {"kind": "MotiveEstimator", "params": params, "motives": self.motives_,
                                "lexicon": self.lexicon_.to_dict()}
        arrays: dict[str, np.ndarray] = {}
        if hasattr(self, "model_"):
            m, a = self.model_.state("motive")
            meta["model"] = m
            arrays.update(a)
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray],
                   vectorizer: ComplaintVectorizer | None) -> MotiveEstimator:
        if meta.get("kind") != "MotiveEstimator":
            raise ModelFileError("the model file holds no MotiveEstimator")
        if not isinstance(meta.get("params"), dict):
            raise ModelFileError("the MotiveEstimator settings of the model file are not valid; retrain it")
        est = cls(**meta["params"])
        require_number(est.rule_weight, "rule_weight", lo=0, hi=1)
        require_number(est.threshold, "threshold", lo=0, hi=1)
        est.lexicon_ = Lexicon(meta["lexicon"])
        est.motives_ = require_strings(meta["motives"], "motives", nonempty=True)
        if "model" in meta:
            if vectorizer is None:
                raise ModelFileError("the model file has a trained MotiveEstimator but no vectorizer")
            est.vectorizer_ = vectorizer
            est.model_ = LinearBinarySet.from_state("motive", meta["model"], arrays, n_features=vectorizer.n_features)
            if not set(est.model_.labels) <= set(est.motives_):
                raise ModelFileError("the motive model of the model file scores motives that are not among its "
                                     "motives; the file is damaged or crafted: retrain it")
        return est
