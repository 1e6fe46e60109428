"""The label taxonomy (TAXONOMY.md v1): cause and motive codes with their Chinese names.

These are the *default* codes. A ``CauseClassifier`` trained on an analyst's own labels uses
whatever codes those labels hold; ``cause_name`` falls back to the code itself.
"""

from __future__ import annotations

__all__ = ["CAUSES", "MOTIVES", "MOTIVE_NAMES", "DEMANDS", "DEMAND_NAMES", "RISK_FLAGS", "cause_name",
           "TAXONOMY_VERSION"]

TAXONOMY_VERSION = "1"

#: cause code -> Chinese display name, in TAXONOMY.md order
CAUSES: dict[str, str] = {
    "product_quality": "商品质量",
    "delivery": "物流配送",
    "service_attitude": "服务态度",
    "price_billing": "价格计费",
    "after_sales": "售后服务",
    "misleading_sales": "虚假宣传",
    "facilities_environment": "设施环境",
    "process_policy": "流程制度",
    "network_system": "网络系统",
    "safety_health": "安全健康",
    "other": "其他",
}

#: motive codes (``none`` is the primary motive when no motive is shown)
MOTIVES: tuple[str, ...] = ("respect", "compensation", "venting")
MOTIVE_NAMES: dict[str, str] = {"respect": "求尊重", "compensation": "求补偿", "venting": "求发泄", "none": "无"}

#: demand codes of the record card (TAXONOMY.md, "Demand"), in their listed order
DEMANDS: tuple[str, ...] = ("refund", "return", "exchange", "repair", "compensation", "apology", "explanation",
                            "accountability", "cancel", "other")
DEMAND_NAMES: dict[str, str] = {
    "refund": "退款", "return": "退货", "exchange": "换货", "repair": "维修", "compensation": "赔偿", "apology": "道歉",
    "explanation": "解释", "accountability": "处理责任人", "cancel": "取消", "other": "其他诉求", "none": "无明确诉求",
}

#: escalation-risk flags
RISK_FLAGS: tuple[str, ...] = ("media", "legal", "regulator", "safety", "repeat")


def cause_name(code: str, names: dict[str, str] | None = None) -> str:
    """Return the Chinese display name of a cause code (the code itself when unknown)."""
    return (names or CAUSES).get(code, code)


def parse_codes(value: object) -> list[str]:
    """Turn a label cell into a list of codes, primary first.

    Accepts ``"delivery;product_quality"`` (also ``,`` ``|`` or whitespace separated), a list or
    tuple of codes, or an empty / NaN / ``none`` value (giving ``[]``).

    Examples
    --------
    >>> parse_codes("delivery; product_quality")
    ['delivery', 'product_quality']
    """
    import re

    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = [str(v).strip() for v in value]
    elif isinstance(value, float):
        return []
    else:
        items = [s.strip() for s in re.split(r"[;,|\s]+", str(value))]
    out: list[str] = []
    for item in items:
        if item and item.lower() not in ("none", "nan") and item not in out:
            out.append(item)
    return out
