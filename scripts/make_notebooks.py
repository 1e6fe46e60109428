"""Generate the example notebooks in notebooks/ (and optionally execute them in place).

    python scripts/make_notebooks.py            # write the five .ipynb files (no outputs)
    python scripts/make_notebooks.py --execute  # ... and run them so they are stored with outputs

Each notebook asks a question, answers it with library calls only (no analysis logic is
defined in the notebooks), shows a chart and ends with a written conclusion. Cells whose
output must not change (counts, label sets) carry ``# NBVAL_CHECK_OUTPUT``; everything else
runs under ``pytest --nbval-lax notebooks/``. After executing, outputs are checked for
unmasked phone numbers.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

SETUP = """\
%matplotlib inline
import numpy as np
import pandas as pd

import complaintmine as cm
from complaintmine import analysis, plots
from complaintmine.datasets import data_dir

pd.set_option("display.max_colwidth", 80)
pd.set_option("display.width", 160)
plots.use_chinese_font()"""

SYNTHETIC_NOTE = (
    "> **About the data.** `data/demo/complaints_demo.csv` holds 6,000 **real** negative reviews "
    "(verbatim, from the bundled food-delivery, hotel and online-shopping corpora). Its `date`, `store`, "
    "`channel`, `complaint_id` and handling-record columns (received / response / closed times, status, "
    "customer) are **synthetic** (fixed seed), and two effects were planted by choosing which real texts land "
    "where and when: facilities complaints concentrate in 成都锦江店, and delivery complaints rise at 杭州西湖店 "
    "in the last six weeks; a third, in the handling record, makes 广州天河店 slow to respond. See "
    "`data/demo/README.md`. Findings about "
    "stores, channels and dates describe this synthetic metadata, not a real business."
)


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text.strip())


def code(text: str, *, check: bool = False) -> nbformat.NotebookNode:
    src = text.strip()
    if check:
        src = "# NBVAL_CHECK_OUTPUT\n" + src
    return new_code_cell(src)


def nb_quickstart() -> list:
    return [
        md("""
# 01 · Quickstart: from a raw export to cause, motive and risk

**Question:** what do the customers in an export complain about, what do they want, how risky is
it, and on which words does complaintmine base each label?
"""),
        md(SYNTHETIC_NOTE),
        code(SETUP),
        md("## Load the export\n`read_complaints` detects the encoding and the text column (here `text`)."),
        code("""
raw = cm.read_complaints(data_dir() / "demo" / "complaints_demo.csv")
print(raw.shape, raw.attrs["text_col"])
print(list(raw.columns))""", check=True),
        code("""print(raw["store"].value_counts().sort_index().to_dict())""", check=True),
        md("""
## Classify every complaint
`analyze` keeps every column and adds cause, motive and escalation risk, each with evidence.
"""),
        code("""
df = cm.analyze(raw, text_col=raw.attrs["text_col"])
print(list(cm.OUTPUT_COLUMNS))
print("causes outside the taxonomy:", sorted(set(df["cause"]) - set(cm.taxonomy.CAUSES)))""", check=True),
        md("""
## A few complaints and their evidence
Texts are shown through `cm.normalize`, which masks phone, ID and card numbers (some real reviews
carry the author's phone number).
"""),
        code("""
cols = ["complaint_id", "store", "cause_zh", "causes", "motive", "risk_level", "evidence"]
df.head(8)[cols].assign(text=df.head(8)["text"].map(cm.normalize))"""),
        md("The most typical complaints of one cause (closest to the cause's centroid, not random):"),
        code("""analysis.representative(df, cause="facilities_environment", n=3)"""),
        md("## What do customers complain about?"),
        code("""
pareto = analysis.pareto(df)
ax = plots.pareto_chart(pareto)
pareto.head(5)"""),
        code("""
print(df["motive"].value_counts().to_dict())
print(df["risk_level"].value_counts().to_dict())"""),
        md("## The findings, computed (this cell fails if the data or the model change them)"),
        code("""
top2 = pareto["share"].iloc[:2].sum()
crosses = int((pareto["cum_share"] < 0.8).sum()) + 1
shown = df.loc[df["motive"] != "none", "motive"].value_counts(normalize=True)
print(f"{pareto['cause_zh'].iloc[0]} and {pareto['cause_zh'].iloc[1]}: {top2:.0%} of complaints; "
      f"third: {pareto['cause_zh'].iloc[2]}; the Pareto line crosses 80% at cause {crosses}")
print(f"no motive shown: {(df['motive'] == 'none').mean():.0%}; among the others {shown.index[0]} leads "
      f"({shown.iloc[0]:.0%})")
assert list(pareto["cause"].iloc[:3]) == ["product_quality", "delivery", "facilities_environment"]
assert 0.5 <= top2 <= 0.7 and crosses <= 5
assert shown.index[0] == 'venting'"""),
        md("""
## Conclusion
- A handful of causes carry most complaints: product quality (商品质量) and delivery (物流配送) alone
  account for well over half of the demo (the share is printed above), facilities (设施环境) comes
  third, and the Pareto line crosses 80% within the first five causes. Those are where improvement
  effort pays first.
- Where a motive is shown, venting (求发泄) leads, so front-line staff need empathy first (see
  notebook 04 for the playbook).
- Every label comes with evidence words, so an analyst can check a surprising label in seconds
  instead of trusting the model blindly. Notebook 02 digs into where and when the causes concentrate.
"""),
    ]


def nb_root_causes() -> list:
    return [
        md("""
# 02 · Root causes: what, where, when and why

**Questions:** which causes matter most, where do they concentrate, which ones are growing, and
what exactly are customers describing?
"""),
        md(SYNTHETIC_NOTE),
        code(SETUP),
        code("""
raw = cm.read_complaints(data_dir() / "demo" / "complaints_demo.csv")
df = analysis.add_tokens(cm.analyze(raw, text_col="text"))  # tokenize once for the word analyses
print(len(df))""", check=True),
        md("## What: the vital few causes (Pareto)"),
        code("""
pareto = analysis.pareto(df)
ax = plots.pareto_chart(pareto)
pareto"""),
        md("""
## Where: causes that are over-represented in a store or channel
Adjusted standardized residuals (Haberman) with a Holm correction flag cells that are
*surprising*, not merely big. Framed cells are significant over-representations.
"""),
        code("""
by_store = analysis.crosstab_outliers(df, "store")
ax = plots.heatmap(by_store, title="原因 × 门店：调整后标准化残差")
flagged = by_store[by_store["over_represented"]]
flagged[["cause_zh", "store", "count", "share_in_group", "lift", "p_adjusted"]]"""),
        code("""
by_channel = analysis.crosstab_outliers(df, "channel")
by_channel[by_channel["over_represented"]][["cause_zh", "channel", "count", "lift", "p_adjusted"]]"""),
        md("""
## When: trends and emerging issues
Weekly rate of each cause; the last six weeks are tested against the earlier weeks with a one-sided
Fisher exact test (Benjamini-Hochberg correction, α = 0.01).
"""),
        code("""
weekly = analysis.trend(df, "date", freq="W")
emerging = analysis.emerging_issues(df, "date", recent=6, terms=True)
window = emerging.attrs
print(weekly["period"].nunique(), window["recent_start"].date(), window["recent_end"].date())""",
             check=True),
        code("""
ax = plots.trend_lines(weekly, emerging=emerging)
cols = ["kind", "label", "count_after", "rate_before", "rate_after", "ratio", "p_adjusted"]
emerging[emerging["emerging"]][cols]"""),
        md("Where is it emerging? The same test within each store:"),
        code("""
by_store_trend = analysis.emerging_issues(df, "date", recent=6, by="store")
cols = ["label", "store", "rate_before", "rate_after", "ratio", "p_adjusted"]
by_store_trend[by_store_trend["emerging"]][cols]"""),
        md("""
## Why: the customers' own words
Class-based TF-IDF finds the words that distinguish each cause; NMF splits one cause into
sub-topics.
"""),
        code("""
terms = analysis.distinctive_terms(df, top=10)
ax = plots.keyword_bars(terms, cause="delivery")
terms.groupby("cause_zh")["term"].apply(lambda t: " ".join(t.head(8)))"""),
        code("""
ax = plots.keyword_bars(terms, cause="facilities_environment")"""),
        code("""
sub = analysis.subtopics(df, "delivery", n_topics=4, random_state=0)
sub.topics"""),
        md("## Which causes come together?"),
        code("""analysis.cooccurrence(df).head(8)"""),
        md("## What do customers want, and how risky is each cause?"),
        code("""
mix = analysis.motive_risk_mix(df)
ax = plots.motive_mix(mix)
mix[["cause_zh", "count", "dominant_motive_zh", "motive_venting_share", "risk_high_share",
     "safety_share"]]"""),
        md("## Typical complaints behind the two findings"),
        code("""analysis.representative(df, cause="delivery", n=3, where={"store": "杭州西湖店"})"""),
        code("""
analysis.representative(df, cause="facilities_environment", n=3, where={"store": "成都锦江店"})"""),
        md("## The findings, computed (this cell fails if the data or the model change them)"),
        code("""
top_cell = flagged.sort_values("lift", ascending=False).iloc[0]
rising = emerging[(emerging["kind"] == "cause") & emerging["emerging"]]
rising_stores = by_store_trend[by_store_trend["emerging"]]
print(f"most over-represented: {top_cell['cause_zh']} in {top_cell['store']} "
      f"(×{top_cell['lift']:.1f}, adjusted p {top_cell['p_adjusted']:.1e})")
print("causes rising significantly:", ", ".join(f"{r.label} ×{r.ratio:.1f}" for r in rising.itertuples()))
print("where:", ", ".join(sorted(set(rising_stores["store"]))))
print("dominant motive per cause:", mix["dominant_motive_zh"].value_counts().to_dict())
assert (top_cell["cause"], top_cell["store"]) == ("facilities_environment", "成都锦江店")
assert top_cell["p_adjusted"] < 0.001 and top_cell["lift"] > 2
assert list(rising["item"]) == ["delivery"] and "杭州西湖店" in set(rising_stores["store"])
no_motive = (df["motive"] == "none").mean()
print(f"complaints showing no motive at all: {no_motive:.0%}")
assert mix["dominant_motive"].value_counts().idxmax() == "venting" and no_motive > 0.3
assert (mix.set_index("cause").loc["safety_health", "risk_high_share"] == 1.0)"""),
        md("""
## Conclusion
- **Where:** facilities complaints (设施环境) are strongly over-represented in 成都锦江店 (more than twice the
  expected count, Holm-adjusted p below 0.001; printed above): rooms, sound-proofing and old facilities. This is
  the planted concentration, and the test finds it while ignoring large-but-ordinary cells such as
  product quality in the biggest stores. The facilities/engineering team of that store should get it.
- **When:** delivery (物流配送) is the only cause whose share rose significantly in the last six weeks
  (its ratio is printed above), concentrated in 杭州西湖店, with its delivery-time words rising with
  it: a delivery-time problem, not a food-quality one.
- **Why:** the distinctive words and sub-topics say what to fix: waiting for hours (小时, 两个, 一个半),
  food arriving cold (凉), drinks missing or wrong (饮料, 送错); for facilities the words point at rooms
  and their equipment (房间, 设施, 晚上), and the typical complaints add noise, dirt and no heating.
- Among the complaints that show a motive, venting leads in most causes (the counts are printed
  above), but a large share show none at all (also printed): they state a problem and want it fixed.
  Safety/health complaints are all high risk: they must be escalated at once even though they are
  few. Notebook 04 turns this into ranked actions, with handling advice chosen from each cause's mix.
"""),
    ]


def nb_train_evaluate() -> list:
    return [
        md("""
# 03 · Train and evaluate a model on the labelled complaints

**Question:** how well does complaintmine's classifier recover the hand-labelled primary cause on
complaints it has not seen, and where does it go wrong?

The labelled set (`data/labeled/`) holds real complaints labelled by hand against the taxonomy, with a
fixed train / test split (`holdout` column). We train on training rows only and evaluate on test rows
only. **To keep this notebook fast** the model here is trained on at most 400 training rows per
domain (the count is printed below); the README's accuracy table gives the numbers for the full
training split and for leave-one-domain-out splits (`benchmarks/evaluate_domains.py`).
The bundled default model was trained on *all* labelled reviews, test rows included, so it is
evaluated here only on the ten seed case narratives, which no model has seen. No metadata here is
synthetic.
"""),
        code(SETUP + """
from complaintmine.datasets import load_labeled
from complaintmine.evaluation import evaluate_model"""),
        code("""
labeled = load_labeled()
print(sorted(labeled["holdout"].unique()))
print(sorted(set(labeled["cause"]) - set(cm.taxonomy.CAUSES)))""", check=True),
        code("""labeled["holdout"].value_counts()"""),
        md("## Train on training rows only"),
        code("""
train = labeled[labeled["holdout"] == "train"].groupby("domain").head(400)
test = labeled[labeled["holdout"] == "test"]
model = cm.train_model(train["text"], train["causes"], train["motives"])
print(len(train), "training rows;", len(test), "test rows")"""),
        md("## Evaluate on the held-out test rows"),
        code("""
report = evaluate_model(model, test, n_boot=200)
pd.Series({"cause macro-F1": report["cause"]["macro_f1"],
           "cause macro-F1 95% CI": "{:.2f}-{:.2f}".format(*report["cause"]["macro_f1_ci"]),
           "cause accuracy": report["cause"]["accuracy"],
           "motive macro-F1": report["motive"]["macro_f1"],
           "lexicon-only cause macro-F1": report["baselines"]["lexicon"]["cause_macro_f1"],
           "majority baseline cause macro-F1": report["baselines"]["majority"]["cause_macro_f1"]})"""),
        code("""
rep = report["cause"]
pd.DataFrame(rep["per_class"]).T.round(3)"""),
        md("## Confusion matrix (rows: true cause, columns: predicted)"),
        code("""
names = cm.taxonomy.CAUSES
confusion = pd.DataFrame(rep["confusion"], index=[names.get(c, c) for c in rep["labels"]],
                         columns=[names.get(c, c) for c in rep["labels"]])
ax = plots.heatmap(confusion, center=None, fmt="d", title="混淆矩阵（测试集）",
                   xlabel="预测", ylabel="真实")"""),
        md("## Misclassified examples\nTexts are masked (`cm.normalize`) before display."),
        code("""
pred = cm.analyze(test.rename(columns={"cause": "true_cause"}), text_col="text", model=model)
wrong = pred[pred["true_cause"] != pred["cause"]].head(8)
print((pred["true_cause"] != pred["cause"]).sum(), "of", len(pred), "test complaints misclassified")
wrong[["true_cause", "cause", "cause_score", "evidence"]].assign(text=wrong["text"].map(cm.normalize))"""),
        md("## The bundled model on complaints nobody trained on: the seed case narratives"),
        code("""
seeds = labeled[labeled["holdout"] == "seed"]
seed_report = evaluate_model(cm.load_model(), seeds, n_boot=200)
print("seed cases: cause macro-F1 {:.2f}, motive macro-F1 {:.2f} (n=10)".format(
    seed_report["cause"]["macro_f1"], seed_report["motive"]["macro_f1"]))
seed_pred = cm.analyze(seeds.rename(columns={"cause": "true_cause", "motive": "true_motive"}), model=cm.load_model())
seed_pred[["id", "true_cause", "cause", "true_motive", "motive", "evidence"]]"""),
        md("## The findings, computed (this cell fails if the data or the model change them)"),
        code("""
f1 = report["cause"]["macro_f1"]
lo, hi = report["cause"]["macro_f1_ci"]
lexicon_f1 = report["baselines"]["lexicon"]["cause_macro_f1"]
per_class = pd.DataFrame(rep["per_class"]).T
weakest = per_class["f1"].astype(float).nsmallest(3).index.tolist()
print(f"trained on {len(train)} rows: cause macro-F1 {f1:.2f} [{lo:.2f}, {hi:.2f}], lexicon-only {lexicon_f1:.2f}")
print("lowest F1:", ", ".join(names.get(c, c) for c in weakest))
off = confusion.where(~np.eye(len(confusion), dtype=bool)).stack().sort_values(ascending=False)
print("most frequent confusions (true -> predicted):",
      "; ".join(f"{t} -> {p} {int(n)}" for (t, p), n in off.head(3).items()))
print(f"share of all errors in the 10 largest off-diagonal cells: {off.head(10).sum() / off.sum():.0%}")
assert lo > lexicon_f1 > report["baselines"]["majority"]["cause_macro_f1"]
assert off.head(10).sum() / off.sum() < 0.5  # errors are spread over many pairs of causes"""),
        md("""
## Conclusion
- Trained on a few thousand rows, the model beats the lexicon-only and majority baselines: the lower
  end of its macro-F1 interval is above the lexicon's score (printed above). Quote macro-F1 with its
  bootstrap interval, not accuracy (the classes are unbalanced).
- The per-class table shows where labels help most; the three causes with the lowest F1 are printed
  above.
- The errors are spread thinly over the confusion matrix: the ten largest off-diagonal cells hold
  less than half of them (the share and the three largest pairs are printed and checked above), so
  no single pair of neighbouring causes explains the misses, and fixing one boundary rule will not
  fix the model. The evidence column of the misclassified examples shows which words misled it;
  more labels for the weakest causes (printed above) are the better lever.
- On the seed narratives from other industries, compare `true_cause` and `cause` in the last table:
  the misses are instructive. Before relying on the model for a new industry, label a few hundred of
  its complaints and evaluate as above.
"""),
    ]


def nb_recommendations() -> list:
    return [
        md("""
# 04 · From findings to ranked improvement actions

**Question:** what should the business fix first, who owns it, and how should front-line staff handle
the customers meanwhile?
"""),
        md(SYNTHETIC_NOTE),
        code(SETUP + """
from pathlib import Path

from complaintmine.recommend import load_playbook, playbook, recommend
from complaintmine.report import write_report"""),
        code("""
raw = cm.read_complaints(data_dir() / "demo" / "complaints_demo.csv")
df = cm.analyze(raw, text_col="text")
rec = recommend(df, dimensions=["store", "channel"], date_col="date", top=10)
print(rec.attrs["rule"])""", check=True),
        md("""
## Ranked actions
The score is documented and recomputable: `0.5 × volume + 0.3 × growth + 0.2 × severity`, with the
three components shown as columns.
"""),
        code("""
rec[["rank", "cause_zh", "count", "share", "where", "trend_ratio", "emerging", "dominant_motive_zh",
     "technique", "department", "volume", "growth", "severity", "score"]]"""),
        code("""
ax = plots.keyword_bars(rec[["cause_zh", "score"]].rename(columns={"cause_zh": "term"}), value="score",
                       title="改进优先级分数")"""),
        md("## The top action in full"),
        code("""
top = rec.iloc[0]
for key in ["cause_zh", "where", "emerging_where", "playbook", "fix", "department"]:
    print(f"{key}: {top[key]}")
for text in top["examples"]:
    print("  -", text)"""),
        md("## The handling playbook by motive"),
        code("""print(sorted(load_playbook()["motives"]))""", check=True),
        code("""
for motive in ["venting", "respect", "compensation"]:
    print(motive, "->", playbook(motive))
print()
print(playbook("compensation", can_meet=False))"""),
        md("""
## How fast are complaints handled?
The export also carries the handling record (received, first-response and closed times, status,
customer). `complaintmine.kpi` finds those columns by name and computes response and resolution
times, the resolution rate, repeat complaints and breaches of the service-level targets (24 hours
to a first response, 72 hours to close, by default).
"""),
        code("""
from complaintmine import kpi

print(kpi.detect_kpi_columns(df))""", check=True),
        code("""
by_store = kpi.handling_kpis(df, by="store")
by_store[["count", "response_hours_median", "resolution_hours_median", "resolution_rate",
          "response_sla_breach_rate", "resolution_sla_breach_rate", "repeat_rate"]].round(3)"""),
        code("""
ax = plots.keyword_bars(by_store["response_sla_breach_rate"].rename_axis("term").reset_index(),
                        value="response_sla_breach_rate", title="首次响应超过 24 小时的投诉比例")"""),
        code("""
slow = by_store["response_sla_breach_rate"].idxmax()
rest = by_store.drop(index=slow)["response_sla_breach_rate"]
print(f"{slow}: {by_store.loc[slow, 'response_sla_breach_rate']:.0%} answered after 24 h "
      f"(other stores at most {rest.max():.0%}), median first response "
      f"{by_store.loc[slow, 'response_hours_median']:.0f} h")
assert slow == "广州天河店" and by_store.loc[slow, "response_sla_breach_rate"] > 10 * rest.max()"""),
        md("## A report a manager can open without Python"),
        code("""
out = Path("out")
out.mkdir(exist_ok=True)
path = write_report(df, out / "report.html", dimensions=["store", "channel"], date_col="date")
print(path.name, path.stat().st_size > 100_000)""", check=True),
        md("## The findings, computed (this cell fails if the data or the model change them)"),
        code("""
first, second = rec.iloc[0], rec.iloc[1]
print(f"first: {first['cause_zh']}, ×{first['trend_ratio']:.1f} its baseline share, in {first['where']}")
print(f"second: {second['cause_zh']}, {second['count']} complaints, {second['high_risk_share']:.0%} high risk")
print(f"handling the first: {first['technique']}")
print(first["playbook"].split("。")[0])
assert first["cause"] == "delivery" and first["emerging"] and "杭州西湖店" in first["where"]
assert second["cause"] == "safety_health" and second["share"] < 0.05
assert first["technique"] == "快速受理、首问负责；移情法" and rec["playbook"].is_unique"""),
        md("""
## Conclusion
- **First: delivery at 杭州西湖店.** It is a large cause that also grew significantly (its ratio to
  the baseline share is printed above), concentrated in that store and in the app channels. The logistics
  department should check delivery times and capacity there now. Most of these complaints state a
  problem without a motive (the mix is printed above), so front-line staff should first fix it fast
  and own it (快速受理、首问负责), and use empathy (移情法) for the customers who vent.
- **Second: safety and health.** Few complaints, but all flagged as safety risks, so they rank above
  bigger causes: escalate each one at once (quality & safety, legal) as the playbook says.
- **Then the big steady causes**: product quality (quality management) and facilities, the latter
  concentrated in 成都锦江店 (engineering / store operations).
- **Handling: one store answers slowly.** Whatever the cause, the store printed above misses the
  24-hour response target far more often than the others (rates computed and checked above): a
  staffing or process matter for its service desk, separate from the causes.
- The HTML report in `notebooks/out/report.html` carries the same ranking, charts, handling KPIs and
  masked example complaints for readers without Python.
"""),
    ]


def nb_seed_cases() -> list:
    return [
        md("""
# 05 · The real case narratives from the handling literature

**Question:** on the real complaint cases quoted in the project's source documents (the refrigerator
sold as the wrong model, the ring-tone subscription nobody agreed to, the shampoo allergy ...), does
complaintmine name the cause and motive a complaint handler would, and with which evidence?

These are verbatim case texts (some in traditional Chinese; `analyze` converts them). No metadata here
is synthetic.
"""),
        code(SETUP + "\nfrom complaintmine.datasets import load_seed_cases"),
        code("""
cases = load_seed_cases()
print(len(cases), list(cases.columns))""", check=True),
        code("""
out = cm.analyze(cases, text_col="text")
out[["case_id", "title", "cause_zh", "causes", "motive", "risk_level", "risk_flags", "evidence"]]"""),
        md("## Motive scores per case"),
        code("""
scores = out.set_index("title")[["motive_respect", "motive_compensation", "motive_venting"]]
scores.columns = ["求尊重", "求补偿", "求发泄"]
ax = plots.heatmap(scores, center=None, fmt=".2f", cmap="Oranges", title="各案例的投诉动机得分")"""),
        md("## What the documents say was done\nTexts are masked and shortened for display."),
        code("""
out[["title", "cause_zh", "motive"]].assign(
    handling=out["handling"].map(cm.normalize).str.slice(0, 120))"""),
        md("## Against the hand labels (this cell fails if the findings change)"),
        code("""
from complaintmine.datasets import load_labeled

hand = load_labeled().set_index("id").loc[out["case_id"], ["cause", "motive"]]
check = out.set_index("case_id")[["title", "cause", "motive", "risk_flags"]].merge(
    hand, left_index=True, right_index=True, suffixes=("", "_hand"))
right = check["cause"] == check["cause_hand"]
print(f"{right.sum()} of {len(check)} primary causes match the hand label; misses:")
print(check.loc[~right, ["title", "cause_hand", "cause"]].to_string())
flags = check.set_index("title")["risk_flags"]
assert right.sum() >= 7
assert "media" in flags["南山店xx冰箱投訴處理"] and "safety" in flags["花王洗發水過敏投訴"]
assert "regulator" in flags["酒樓中秋節定座(ktv包間)問題投訴"]"""),
        md("""
## Conclusion
- Most cases come out as a handler would read them: the count of primary causes that match the hand
  labels, and the misses, are printed above.
- The escalation flags land where a handler would put them: the refrigerator sold as the wrong model
  carries the media threat (曝光) that makes it a "major complaint" to escalate, the double-booked KTV
  room the consumer-association threat, and the shampoo allergy a safety risk.
- The misses are instructive: the evidence column shows which words misled the model, so these ten
  cases are a useful sanity check after every retraining.
"""),
    ]


NOTEBOOKS = {
    "01_quickstart.ipynb": nb_quickstart,
    "02_root_causes.ipynb": nb_root_causes,
    "03_train_and_evaluate.ipynb": nb_train_evaluate,
    "04_recommendations.ipynb": nb_recommendations,
    "05_seed_cases.ipynb": nb_seed_cases,
}


def write(names: list[str]) -> list[Path]:
    NB_DIR.mkdir(exist_ok=True)
    paths = []
    for name in names:
        nb = new_notebook(cells=NOTEBOOKS[name]())
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        path = NB_DIR / name
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def execute(path: Path) -> None:
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                    "--inplace", "--ExecutePreprocessor.timeout=600", str(path)], check=True, cwd=NB_DIR)
    outputs = []
    for cell in nbformat.read(path, as_version=4).cells:
        for out in cell.get("outputs", []):
            outputs.append(str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", ""))
                           + str(out.get("data", {}).get("text/html", "")))
    leaked = PHONE.findall("\n".join(outputs))
    if leaked:
        raise SystemExit(f"{path.name}: unmasked phone numbers in the outputs: {leaked[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execute", action="store_true", help="run the notebooks and store their outputs")
    parser.add_argument("names", nargs="*", help=f"notebooks to build (default all: {', '.join(NOTEBOOKS)})")
    args = parser.parse_args()
    names = args.names or list(NOTEBOOKS)
    for path in write(names):
        if args.execute:
            execute(path)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
