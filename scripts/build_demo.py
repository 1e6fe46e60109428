"""Build data/demo/complaints_demo.csv: real complaint texts with synthetic, documented metadata.

Every ``text`` is a real negative review, verbatim, from the bundled corpora
(``complaintmine.datasets.load_reviews(negative_only=True)``); ``source_id`` names the corpus row
it came from. Everything else (complaint id, date, store, channel) is synthetic and drawn with a
fixed seed, so running this script twice gives the same file byte for byte. ``domain`` and
``category`` are the corpus' own values for the text.

Two effects are planted by re-weighting which real texts land where and when (no text is
written or edited). Texts are selected by the keyword rules below, applied to the raw text,
not by the complaintmine model (which may be retrained):

1. Facilities concentration (all year): a review matching ``FACILITY_RULE`` is assigned to
   ``FACILITY_STORE`` with probability ``FACILITY_P`` (other reviews: the store's base weight).
2. Emerging delivery problem: ``N_EMERGING`` extra food-delivery reviews matching
   ``DELIVERY_RULE`` are dated uniformly in the last ``EMERGING_WEEKS`` weeks and assigned to
   ``EMERGING_STORE``; the rest of the year has no such surge.

Run from the checkout: ``python scripts/build_demo.py`` (see data/demo/README.md).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd

from complaintmine.datasets import load_reviews

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "demo" / "complaints_demo.csv"

SEED = 20251102
N_BASE = 5800
START = pd.Timestamp("2024-11-04")  # a Monday
WEEKS = 52
MAX_CHARS = 400  # longer reviews are left out (never cut), to keep the file commit-sized

#: share of the base complaints per corpus domain
DOMAIN_WEIGHTS = {"online_shopping": 0.50, "food_delivery": 0.30, "hotel": 0.20}
#: stores (synthetic) and their base share of complaints
STORES = {
    "北京朝阳店": 0.16, "上海徐汇店": 0.16, "广州天河店": 0.12, "深圳南山店": 0.12,
    "杭州西湖店": 0.11, "成都锦江店": 0.11, "武汉江汉店": 0.11, "南京鼓楼店": 0.11,
}  # fmt: skip
#: channel through which the complaint arrived (synthetic), by domain
CHANNELS = {
    "food_delivery": {"APP": 0.55, "小程序": 0.30, "电话": 0.15},
    "hotel": {"电话": 0.35, "门店": 0.35, "APP": 0.20, "小程序": 0.10},
    "online_shopping": {"APP": 0.50, "小程序": 0.20, "电话": 0.20, "门店": 0.10},
}

FACILITY_RULE = re.compile(r"房间|隔音|设施|卫生间|空调|热水|异味|霉味|床单|装修|环境差|噪音")
FACILITY_STORE = "成都锦江店"
FACILITY_P = 0.45

DELIVERY_RULE = re.compile(
    r"送餐|配送|送到|送达|骑手|外卖小哥|送得|送的太|送来|等了.{0,4}(?:小时|分钟)|太慢|好慢|超时"
)
EMERGING_STORE = "杭州西湖店"
EMERGING_WEEKS = 6
N_EMERGING = 200
EMERGING_CHANNELS = {"APP": 0.6, "小程序": 0.3, "电话": 0.1}

#: the handling record (synthetic; see ``_handling``)
HANDLING_SEED = 20251207
RESPONSE_MEDIAN_H = 3.0
SLOW_STORE = "广州天河店"
SLOW_RESPONSE_MEDIAN_H = 22.0
RESOLUTION_MEDIAN_H = 20.0
REPEAT_SHARE = 0.12
REPEAT_CUSTOMERS = 250

#: real reviews whose authors published a mobile number in the text: always included, so that
#: the demo exercises complaintmine's PII masking
PHONE_RULE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _choice(rng: np.random.Generator, weights: dict[str, float], size: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def build() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    pool = load_reviews(negative_only=True)
    pool = pool[(pool["text"].str.strip().str.len() >= 4) & (pool["text"].str.len() <= MAX_CHARS)]
    pool = pool.drop_duplicates("text").reset_index(drop=True)

    # -- base complaints: domain quota, then a uniform sample within each domain ----------------
    phone = pool[pool["text"].str.contains(PHONE_RULE)]
    quotas = {d: round(N_BASE * w) for d, w in DOMAIN_WEIGHTS.items()}
    parts = [phone]
    for domain, quota in quotas.items():
        cand = pool[(pool["domain"] == domain) & ~pool.index.isin(phone.index)]
        k = quota - int((phone["domain"] == domain).sum())
        parts.append(cand.iloc[np.sort(rng.choice(len(cand), size=k, replace=False))])
    base = pd.concat(parts).sort_index()
    n = len(base)
    days = rng.integers(0, WEEKS * 7, size=n)
    store = _choice(rng, STORES, n)
    facility = base["text"].str.contains(FACILITY_RULE).to_numpy()
    to_facility_store = facility & (rng.random(n) < FACILITY_P)
    store[to_facility_store] = FACILITY_STORE
    channel = np.empty(n, dtype=object)
    for domain, weights in CHANNELS.items():
        mask = (base["domain"] == domain).to_numpy()
        channel[mask] = _choice(rng, weights, int(mask.sum()))
    base = base.assign(day=days, store=store, channel=channel)

    # -- planted emerging issue: extra real delivery complaints in the last weeks, one store ----
    cand = pool[(pool["domain"] == "food_delivery") & pool["text"].str.contains(DELIVERY_RULE)
                & ~pool.index.isin(base.index)]
    extra = cand.iloc[np.sort(rng.choice(len(cand), size=N_EMERGING, replace=False))]
    first_day = (WEEKS - EMERGING_WEEKS) * 7
    extra = extra.assign(day=rng.integers(first_day, WEEKS * 7, size=len(extra)), store=EMERGING_STORE,
                         channel=_choice(rng, EMERGING_CHANNELS, len(extra)))

    demo = pd.concat([base, extra]).sort_values(["day", "id"], kind="stable").reset_index(drop=True)
    dates = START + pd.to_timedelta(demo["day"], unit="D")
    seq = demo.groupby("day").cumcount() + 1
    out = pd.DataFrame({
        "complaint_id": "C" + dates.dt.strftime("%Y%m%d") + "-" + seq.map("{:03d}".format),
        "date": dates.dt.strftime("%Y-%m-%d"),
        "store": demo["store"],
        "channel": demo["channel"],
        "domain": demo["domain"],
        "category": demo["category"],
        "source_id": demo["id"],
        "text": demo["text"],
    })
    return pd.concat([out, _handling(dates, out["store"].to_numpy())], axis=1)


def _handling(dates: pd.Series, store: np.ndarray) -> pd.DataFrame:
    """The handling record (synthetic): received, first response and closed times, status, customer.

    Drawn with a generator of its own, so that the columns above stay as they were. Response
    times are log-normal with a median of ``RESPONSE_MEDIAN_H`` hours, except at ``SLOW_STORE``
    (``SLOW_RESPONSE_MEDIAN_H``: the planted handling problem); closing takes a log-normal
    ``RESOLUTION_MEDIAN_H`` more. Complaints of the last two weeks are more often still open.
    ``REPEAT_SHARE`` of the complaints come from a pool of ``REPEAT_CUSTOMERS`` customers.
    """
    rng = np.random.default_rng(HANDLING_SEED)
    n = len(dates)
    received = dates + pd.to_timedelta(rng.uniform(8, 22, size=n), unit="h").round("min")
    median = np.where(store == SLOW_STORE, SLOW_RESPONSE_MEDIAN_H, RESPONSE_MEDIAN_H)
    response = received + pd.to_timedelta(median * rng.lognormal(0, 0.9, size=n), unit="h").round("min")
    resolution = response + pd.to_timedelta(RESOLUTION_MEDIAN_H * rng.lognormal(0, 0.8, size=n), unit="h").round("min")
    recent = (dates.max() - dates).dt.days < 14
    still_open = rng.random(n) < np.where(recent, 0.45, 0.04)
    repeat = rng.random(n) < REPEAT_SHARE
    customer = np.where(repeat, rng.integers(0, REPEAT_CUSTOMERS, size=n), REPEAT_CUSTOMERS + np.arange(n))
    fmt = "%Y-%m-%d %H:%M"
    return pd.DataFrame({
        "received_at": received.dt.strftime(fmt),
        "first_response_at": response.dt.strftime(fmt),
        "closed_at": resolution.dt.strftime(fmt).where(~still_open, ""),
        "status": np.where(still_open, "处理中", "已结案"),
        "customer_id": [f"U{c:06d}" for c in customer],
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(OUT), help=f"CSV to write (default {OUT})")
    args = parser.parse_args()
    demo = build()
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    demo.to_csv(out, index=False, encoding="utf-8", lineterminator="\n")
    print(f"wrote {len(demo)} complaints ({demo['date'].min()} .. {demo['date'].max()}) to {out}")


if __name__ == "__main__":
    main()
