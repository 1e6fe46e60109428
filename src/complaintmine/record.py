"""The complaint record card (顾客投诉记录卡) read from the free text of each complaint.

The source manuals' record card notes what the customer asks for, what is at stake, what
the complaint is about, how long they have waited, how often they have complained and where
they say they will take it. ``record_card`` fills those fields from the text alone, each with
the phrase it came from, so an analyst can check any value:

==================== ========================================================================
column               what it holds
==================== ========================================================================
``demand``           what the customer asks for, ``;``-joined codes of ``DEMANDS`` or ``none``
``amount``           the money at stake in yuan: the sum they claim when they name one, else
                     the largest sum they mention (NaN when none is stated)
``object``           the product, service or staff member the complaint is about ("" if none)
``waited_hours``     the longest wait they report (三天了还没退款 -> 72), NaN when none
``repeat``           how many times they say they already complained; 多次 / 反复 (no number)
                     counts as 2, the least it can mean; 0 when they say nothing of it
``escalation_threat`` channels they threaten or used, ``;``-joined codes of ``THREATS``
``record_evidence``  the phrases behind each field (``诉求: 要求退款 | 金额: 299元 | ...``)
==================== ========================================================================

Every field is a pattern over the normalized text (full-width folded, traditional characters
simplified, personal data masked), written against the labelling contract in
``docs/TAXONOMY.md`` and measured on hand-labelled narratives by
``benchmarks/evaluate_record.py`` (figures in ``docs/evaluation.md``).

Examples
--------
>>> card = record_card(["买的手机三天就坏了，客服已经打了3次电话都不管，要求退货退款299元，不然就打12315"])
>>> card.loc[0, ["demand", "amount", "repeat", "escalation_threat"]].to_dict()
{'demand': 'refund;return', 'amount': 299.0, 'repeat': 3, 'escalation_threat': 'consumer'}
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .normalization import normalize_many
from .taxonomy import DEMANDS

__all__ = ["record_card", "read_record", "records_frame", "Record", "RECORD_COLUMNS", "DEMANDS", "THREATS",
           "find_amounts", "find_waits"]

#: the columns ``record_card`` returns, in order
RECORD_COLUMNS = ("demand", "amount", "object", "waited_hours", "repeat", "escalation_threat", "record_evidence")

#: escalation channels (record card): the media, consumer bodies (12315, 消协), another regulator,
#: a lawyer, a court or arbitration, the police
THREATS = ("media", "consumer", "regulator", "lawyer", "court", "police")

# ---------------------------------------------------------------------------------------------
# numbers

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN = r"[零〇一二两三四五六七八九十百千万]+"


def _cn_value(text: str) -> float | None:
    """A Chinese numeral (两百, 三千五百, 十五, 一万二, 两千五) as a number; None when it is not one."""
    total, section, digit, last_unit, zero = 0, 0, None, 0, False
    for ch in text:
        if ch in "零〇" and digit is None:  # 一万零五百: a placeholder zero
            zero = True
            continue
        if ch in _CN_DIGITS:
            if digit is not None:  # 一二 is not a numeral
                return None
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                total = (total + section + (digit or 0)) * 10000
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit, last_unit, zero = None, unit, False
        else:
            return None
    if digit is not None and last_unit >= 100 and not zero:  # 两千五 is 2500 (一千零五 is 1005)
        digit *= last_unit // 10
    return float(total + section + (digit or 0))


def _number(text: str) -> float | None:
    text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return _cn_value(text)


# ---------------------------------------------------------------------------------------------
# amounts

# 299元, 1.5万元, 3千块, 两百元, 2000多元, 5毛; ¥88.8; 3万 / 两万七 (not 3万公里 / 3万人); a bare
# number next to a money word (违约金5000, 3000多的违约金, 总金额1567)
_MONEY_BEFORE = (r"(?:金额|费用|违约金|手续费|会员费|服务费|本金|利息|罚息|年费|保费|押金|首付|定金|欠款|车款|货款"
                 r"|房款|赔付|扣了?我?的?钱|扣除了?|扣款|收取了?|收了|共计|总计|合计|总额|总共|一共|贷款|借款|借了|退还?我?的?)")
_MONEY_AFTER = (r"(?:违约金|手续费|会员费|服务费|本金|利息|罚息|年费|保费|押金|首付|定金|欠款|车款|货款|房款|额度|工资|"
                r"的本金|的违约金|的利息|的费用)")
_NOT_MONEY_AFTER = (r"(?![\d.]|\s*(?:年|月|日|号|期|次|个|天|%|点|分|G|M|K|k|米|元|块|多?万|千|百|人|户|套|栋|楼|条"
                    r"|件|台|辆|公里|岁|小时|秒|倍|斤|瓶|遍|盒|包|箱|袋|双|份|只|张|w|W))")
_AMOUNT = re.compile(
    rf"(?:[¥￥]\s*(?P<yen>{_NUM}))"
    rf"|(?<![\d.第])(?P<num>{_NUM}|{_CN})\s*(?P<mult>万|千|k|K|w|W)?\s*(?:多|余|来)?\s*"
    r"(?P<unit>元|块钱|块|圆|人民币|rmb|RMB|毛钱|毛|角)"
    rf"|(?<![\d.第千万十百])(?P<wan>{_NUM}|[一二两三四五六七八九十百千]*[一二两三四五六七八九][一二两三四五六七八九十百千]*)\s*万(?P<wan_tail>[零一二两三四五六七八九十百千]*)(?:多|余)?"
    r"(?![\d公里米人次个条件台辆字平方亩户名头只元块年步倍份像火粉册部本张])"
    rf"|{_MONEY_BEFORE}[^,.!?;\d]{{0,3}}?(?<![\d.])(?P<before>{_NUM}){_NOT_MONEY_AFTER}"
    rf"|(?<![\d.第])(?P<after>{_NUM})\s*(?:多|左右)?(?={_MONEY_AFTER})"
)
_MULT = {"万": 10000, "w": 10000, "W": 10000, "千": 1000, "k": 1000, "K": 1000}


def _amount_spans(text: str) -> list[tuple[float, str, int]]:
    """Every stated sum of money in ``text``: ``(yuan, phrase, position)``, in text order."""
    out = []
    for m in _AMOUNT.finditer(text):
        if m.group("yen"):
            value = _number(m.group("yen"))
        elif m.group("wan"):
            value, tail = _number(m.group("wan")), m.group("wan_tail")
            if value is not None:
                value *= 10000
                if len(tail) == 1 and tail in _CN_DIGITS:  # 两万七: 27000
                    value += _CN_DIGITS[tail] * 1000
                elif tail:  # 一万八千: 18000
                    rest = _cn_value(tail)
                    value = None if rest is None else value + rest
        elif m.group("before") or m.group("after"):
            value = _number(m.group("before") or m.group("after"))
            if value is not None and not 1 <= value < 1e8:
                continue
        else:
            num, unit = m.group("num"), m.group("unit")
            value = _number(num)
            if value is None:
                continue
            if unit == "块" and len(num) == 1 and num in _CN_DIGITS:
                continue  # 一块 (a piece), 两块 of something: not money without 钱 or a larger unit
            if m.group("mult"):
                value *= _MULT[m.group("mult")]
            if unit in ("毛", "毛钱", "角"):
                value /= 10
        if value is None or not math.isfinite(value) or value <= 0:
            continue
        out.append((round(value, 2), m.group(0).strip(), m.start()))
    return out


def find_amounts(text: str) -> list[float]:
    """The distinct sums of money stated in a normalized text, in yuan, in the order they appear.

    Examples
    --------
    >>> find_amounts("借了1.5万,每月还750元,利率24%,已还两百元")
    [15000.0, 750.0, 200.0]
    """
    return list(dict.fromkeys(v for v, _, _ in _amount_spans(text)))


# ---------------------------------------------------------------------------------------------
# demands

# a demand is a lead (要求, 希望, 请 ...) followed in the same clause by a remedy, or a remedy
# said as an act already asked for (申请退款被拒)
_LEAD = (r"(?:强烈要求|坚决要求|要求|希望|恳请|恳求|请求|请你们|请贵|请相关|请有关|请尽快|请立即|"
         r"请马上|请帮|请给|请|必须|应该|应当|我要|我想|想要|只想|给我|要你们|让你们|诉求|申请|需要|麻烦|尽快|立即|马上|望)")
_CLAUSE = r"[^,.!?;:，。！？；\n|]{0,14}?"
_REMEDY = {
    "refund": r"退款|退钱|退费|退还|返还|退回|退我|全额退|把钱退|退保费|退利息|退息|退会费|退押金|要回|追回|返现",
    "return": r"退货|退车|退机|退掉|退了",
    "exchange": r"换货|换新|更换|换一[台个部辆件双]|换车|换机|调换|重新换",
    "repair": r"维修|修好|修理|检修|修复|解决故障|上门处理|保修|召回|整修",
    "compensation": r"赔偿|补偿|赔付|理赔|赔我|赔钱|赔礼道歉以外|损失费|误工费|精神损失",
    "apology": r"道歉|赔礼",
    "explanation": r"说法|解释|答复|回复|交代|说明|给个答案|查明|查清|回应|调查清楚|给个结果",
    "accountability": r"处理(?:相关|涉事|责任|该|这个|此)?(?:人员|员工|工作人员|责任人|业务员|快递员|骑手|司机|客服|人)"
                      r"|处罚|严惩|查处|追责|问责|处分|撤换|开除|严查|彻查|惩处|追究",
    "cancel": r"取消|注销|退订|解约|销户|撤销|解除(?:合同|协议|绑定)|关闭(?:自动)?(?:续费|扣费|服务|业务)"
              r"|停止扣费|退出会员",
}
# remedies that are demands on their own, without a lead
_ALONE = {
    "refund": r"申请退款|退一赔|退款退货|退货退款|退还|退费|退钱|不给退|退[^,.!?;]{0,3}费",
    "return": r"申请退货|退款退货|退货退款",
    "exchange": r"换货",
    "compensation": r"退一赔[三十]|假一赔[三十]|假一罚[三十]|三倍赔偿|十倍赔偿|赔偿",
    "apology": r"道歉",
    "explanation": r"解释|交代|给个说法|给个答复|给一个说法|求解释",
    "accountability": r"严惩|追究.{0,6}责任|严查|查处|问责|撤换|惩处",
}
# any other explicit request: a lead and an act that is none of the remedies above
_OTHER = re.compile(
    r"(?:强烈要求|坚决要求|要求|请求|请(?:你们|贵|相关|有关|政府|领导|平台|银行|公司|尽快|立即|马上)|诉求|望)"
    r"[^,.!?;:，。！？；\n|]{0,16}?"
    r"(?:解决|处理|整治|整改|安装|修建|修路|硬化|拆除|协商|分期|延期|减免|免除|停止|删除|消除|更新|恢复|发货|补发|重新|"
    r"调查|核实|介入|管管|管理|监管|落实|关注|帮助|帮忙|给予|兑现|安排|办理|开通|提速|放款|结清|还款|下架|改善|重视|规范)"
    r"|(?:希望|恳请|恳求)[^,.!?;:，。！？；\n|]{2,16}"
    r"|停止(?:催收|骚扰|扣费|扣款|违规)|减免|协商还款|协商分期|给我.{0,4}时间"
)
# one branch per lead (lead + clause + remedy | ...): the same matches in the same order as
# "(?:leads)clause(?:remedy)", but every branch starts with a literal, so re skips to the
# positions holding one of their first characters (as motives._demand_pattern does)
_LEADS = _LEAD[3:-1].split("|")
_DEMAND = {code: re.compile("|".join([f"{lead}{_CLAUSE}(?:{_REMEDY[code]})" for lead in _LEADS]
                                     + ([_ALONE[code]] if code in _ALONE else [])))
           for code in _REMEDY}
# a lead that is a question or a wish about the past, not a request
_NOT_LEAD = re.compile(r"请问|请勿|希望不大|没希望|不希望|不要求|没要求|无要求|要求不高")


# "要求解决" of a fault is a repair demand (发动机抖动故障灯亮要求解决); of anything else, `other`
_FIX = re.compile(r"(?:要求|希望|请|求|尽快|望|急待|急需|能不能|能否)[^,.!?;]{0,8}?(?:解决|处理|修)")
_FAULT = re.compile(r"故障|坏了|损坏|异响|漏水|漏油|抖动|失灵|死机|黑屏|闪退|bug|BUG|掉线|断网|不能用|无法使用|没信号|"
                    r"无信号|熄火|顿挫|生锈|开裂|起泡|报警灯|故障灯")


# what a demand phrase may show: its lead and its remedy, never the words between them (a name,
# an account, a plate: 请张伟经理给我退款 -> 请…退款)
_HEAD = re.compile(_LEAD.replace("(?:", "^(?:", 1) + r"|^(?:请求|恳请|恳求|希望|望|求|能不能|能否|急待|急需)")
_OTHER_ACTS = (r"解决|处理|修|责任|整治|整改|安装|修建|协商|分期|延期|减免|停止|删除|恢复|发货|补发|调查|核实|介入|帮助"
               r"|帮忙|办理|开通|放款|结清|还款|下架|改善|重视")
_TAIL = re.compile("(?:" + "|".join([*_REMEDY.values(), _OTHER_ACTS]) + ")$")
#: the longest demand phrase shown whole
_SHORT = 6
# a remedy said as not wanted (不需要道歉, 我不要求赔偿) or as already done (已经给我退了款)
_NEGATED = re.compile(r"(?:不|不用|不需要|不要|无需|没有|未|已经|已)[^,.!?;]{0,2}$")


def _phrase(text: str) -> str:
    if len(text) <= _SHORT:
        return text
    head, tail = _HEAD.search(text), _TAIL.search(text)
    h = head.group(0) if head else ""
    t = tail.group(0) if tail and (not head or tail.start() >= head.end()) else ""
    return f"{h}…{t}" if h or t else text[:2] + "…"


def _demands(text: str) -> tuple[list[str], list[str]]:
    """Demand codes found in ``text`` (in ``DEMANDS`` order) and the phrase of each."""
    # a negated lead keeps its negation for _NEGATED (我不要求赔偿); the others become blanks
    clean = _NOT_LEAD.sub(lambda m: ("不" if m.group(0)[0] in "不没无" else " ") + " " * (len(m.group(0)) - 1), text)
    codes, phrases = [], []
    for code in DEMANDS[:-1]:
        m = next((m for m in _DEMAND[code].finditer(clean)
                  if not _NEGATED.search(clean[max(0, m.start() - 4):m.start()])), None)
        if code == "repair" and not m and _FAULT.search(clean):
            m = _FIX.search(clean)
        if m:
            codes.append(code)
            phrases.append(m.group(0))
    m = _OTHER.search(clean)
    if m and not any(p in m.group(0) or m.group(0) in p for p in phrases):
        codes.append("other")
        phrases.append(m.group(0))
    return codes, [_phrase(p) for p in phrases]


# ---------------------------------------------------------------------------------------------
# waits

_DURATION = re.compile(
    rf"(?P<n>{_NUM}|十几|[一二两三四五六七八九十]+|半)\s*(?P<more>多)?\s*(?P<ge>个)?\s*(?P<more2>多)?\s*(?P<half>半)?\s*"
    r"(?P<unit>分钟|小时|钟头|个工作日|工作日|天|周|星期|礼拜|月|年)(?P<half2>半)?"
)
_HOURS = {"分钟": 1 / 60, "小时": 1, "钟头": 1, "个工作日": 24, "工作日": 24, "天": 24, "周": 168, "星期": 168,
          "礼拜": 168, "月": 720, "年": 8760}
# waiting: "等了/已经/拖了 ... 三天" before, or "三天了还没 / 至今 / 过去了" after
_WAIT_BEFORE = re.compile(r"(?:等了|等待|等候|已经|已|拖了|拖|过去|超过|足足|整整|长达|将近|快|都|近|过了|又过了"
                          r"|苦等|空等|排队|持续有?)[^,.!?;]{0,3}$")
_WAIT_AFTER = re.compile(r"^(?:多|左右|之久|了|以上|过去了?|后)?[^,.!?;]{0,4}?(?:还|仍|都|也|依然|依旧|迟迟|一直)?"
                         r"(?:没|未|不见|无人|没有|杳无|毫无)|^(?:多|了)?[^,.!?;]{0,3}(?:至今|过去了|才|还在等|仍在等)"
                         r"|^多?了(?=[,.!?;]|$)")
# a wait counted in years is one only when what follows says it is still unresolved
_STILL = re.compile(r"^[^,.!?;]{0,6}(?:还|仍|都|也|依然|依旧|迟迟|一直)?(?:没|未|不见|没有)"
                    r"|^[^,.!?;]{0,4}(?:至今|过去了)")
# a duration that is not a wait: loan terms, use, warranty, a date's year or month
_NOT_WAIT_BEFORE = re.compile(r"(?:分期|期限|用了|使用|开了|买了|保修|质保|还款|贷款|借款|年化|每|分|第|近|前|后"
                              r"|最近|过去的?|开车|驾驶|工作了|住了|在职)[^,.!?;]{0,2}$")


def _wait_spans(text: str) -> list[tuple[float, str]]:
    out = []
    for m in _DURATION.finditer(text):
        unit, n = m.group("unit"), m.group("n")
        if unit == "月" and not (m.group("ge") or n == "半"):
            continue  # 3月 is a month of a date; 3个月 / 半月 are durations
        if unit == "年" and n.isdigit() and (len(n) >= 3 or int(n) > 30):
            continue  # 2021年, 18年: dates
        if m.string[m.end():m.end() + 3] == "无理由":
            continue  # 七天无理由退货: a policy, not a wait
        value = 0.5 if n == "半" else 10.0 if n == "十几" else _number(n)
        if value is None:
            continue
        if m.group("half") or m.group("half2"):
            value += 0.5
        before, after = text[max(0, m.start() - 8):m.start()], text[m.end():m.end() + 12]
        if _NOT_WAIT_BEFORE.search(before):
            continue
        if not (_WAIT_BEFORE.search(before) or _WAIT_AFTER.search(after)):
            continue
        if unit == "年" and not _STILL.search(after):
            continue
        out.append((round(value * _HOURS[unit], 2), m.group(0).strip()))
    return out


def find_waits(text: str) -> list[float]:
    """Durations a normalized text reports having waited, in hours, in the order they appear.

    Examples
    --------
    >>> find_waits("等了两个小时,三天了还没退款,分期12个月")
    [2.0, 72.0]
    """
    return list(dict.fromkeys(v for v, _ in _wait_spans(text)))


# ---------------------------------------------------------------------------------------------
# repeated complaints

_ACT = (r"(?:投诉|打电话|打了|打过|致电|来电|电话|反映|反应|反馈|联系|沟通|协商|找|催(?!收)|申请|报修|咨询|留言"
        r"|举报|上报|上访|报案)")
# one earlier contact said without a count: 联系客服, 向商家反馈后, 投诉过, 再反映
_WHOM = (r"(?:客服|银行|商家|卖家|店家|平台|公司|售后|4S店|厂家|经销商|10010|10086|10000|12345|95\d{3}|营业厅|物业|经理"
         r"|工作人员|相关部门|社区|街道|热线|店长|快递|对方)")
_COUNT = rf"(?:{_NUM}|[一二两三四五六七八九十]+)"
_REPEAT = re.compile(
    rf"{_ACT}[^,.!?;]{{0,6}}?(?P<a>{_COUNT})\s*(?:多|几)?\s*(?:次|回|遍|通|个电话)"
    rf"|(?P<b>{_COUNT})\s*(?:多|几)?\s*(?:次|回|遍|通)[^,.!?;]{{0,4}}?{_ACT}"
    rf"|第\s*(?P<nth>{_COUNT})\s*次\s*(?:投诉|反映|反应|举报|留言|打电话|致电|找|联系|反馈|申请)"
    rf"|(?P<again>再次|又一次|再一次|再)\s*(?:投诉|反映|反应|举报|留言|致电|反馈)"
    rf"|{_ACT}[^,.!?;]{{0,6}}?(?P<many2>多次|好几次|无数次|N次|n次|数次|很多次|几次|十几次|几十次|屡次)"
    rf"|(?P<many>多次|屡次|反复|好几次|无数次|几次|三番五次|一再|多番|N次|n次|十几次|几十次|数次|很多次|N多次|一直|不停地?|天天)"
    rf"[^,.!?;]{{0,6}}?{_ACT}"
)
_PRIOR = re.compile(
    rf"(?:联系|咨询|致电|打电话给|打了?{_WHOM}?电话|拨打|反馈给?|反映给?|投诉|报修|找|问|沟通|协商|催促)(?:了|过)?"
    rf"[^,.!?;]{{0,4}}?{_WHOM}"
    r"|(?:向|给|跟|和)[^,.!?;]{0,8}?(?:投诉|反映|反馈|报修)(?:过|了|后)"
    r"|(?:投诉|反映|反馈|联系|沟通|协商)(?:过|无果|未果|后)"
)
#: what several complaints without a number count as: the least that 多次 can mean
SEVERAL = 2


# calls the writer received (催收 ringing them, their family), not complaints they made
_CALLED = re.compile(r"本人|给我|打我|我的|自己|家人|亲戚|朋友|联系人|同事|父母|家里")
_CALLER = re.compile(r"(?:催收|催收员|对方|他们|平台|银行|公司)[^,.!?;]{0,3}$")
# the complaint being written (我要投诉...), or a contact that did not happen (没有人联系过, 联系不上)
_NOT_PRIOR_BEFORE = re.compile(r"(?:要|想|现|特|此|没有?人?|无人|不|未|从不|从没)$")
_NOT_PRIOR_AFTER = re.compile(r"^(?:不上|不到|不了)")


def _repeat(text: str) -> tuple[int, str]:
    best, phrase = 0, ""
    for m in _REPEAT.finditer(text):
        if _CALLED.search(text[m.start():m.end() + 3]) or _CALLER.search(text[max(0, m.start() - 6):m.start()]):
            continue
        if m.group("many") or m.group("many2"):
            n = SEVERAL
        elif m.group("again"):
            n = 1
        elif m.group("nth"):
            v = _number(m.group("nth"))
            n = int(v) - 1 if v else 0
        else:
            v = _number(m.group("a") or m.group("b"))
            n = int(v) if v and v < 1000 else 0
        if n > best:
            best, phrase = n, m.group(0)
    if not best:
        for m in _PRIOR.finditer(text):
            before = text[max(0, m.start() - 6):m.start()]
            if (_CALLED.search(text[m.start():m.end() + 3]) or _NOT_PRIOR_BEFORE.search(before[-3:])
                    or _NOT_PRIOR_AFTER.search(text[m.end() - 2:m.end() + 2]) or "不上" in m.group(0)
                    or _CALLER.search(before)):
                continue
            best, phrase = 1, m.group(0)
            break
    return best, phrase


# ---------------------------------------------------------------------------------------------
# escalation threats

_REGULATORS = (r"银保监|银监|保监|证监|人民银行|(?<!行)人行(?!道|通道|横道|天桥)|央行|金融监管|工信部|通信管理局|通管局"
               r"|纪委|住建|交通局|质监|卫健委|教育局|监管部门|有关部门|相关部门|上级部门|政府部门")
_THREAT = {
    "media": r"媒体|曝光|电视台|记者|报社|央视|消费者报|315晚会|发到网上|网上公开|上热搜",
    "consumer": r"(?<!\d)12315(?!\d)|消协|消费者协会|消保委|市场监管|市场监督|工商局|工商部门|(?:找|向|到)工商(?!银行)",
    # an authority named is an escalation only when the writer went or will go to it: a message
    # to the city's board names the departments it asks to act
    "regulator": rf"(?<!\d)12345(?!\d)|市长热线|信访|上访"
                 rf"|(?:向|找|到|去|给|打|拨打|致电|投诉到|投诉至|举报到|反映到|上报|告到|求助)"
                 rf"[^,.!?;]{{0,6}}?(?:{_REGULATORS})|(?:{_REGULATORS})[^,.!?;]{{0,4}}?(?:投诉|举报|反映|求助|报案)",
    "lawyer": r"律师|法律途径|法律手段|法律程序|诉诸法律|走法律|法律维权|法律武器",
    "court": r"起诉|法院|诉讼|仲裁|上诉|告上法庭|法庭|打官司",
    # the police named only as the source of news (公安机关说) is not an escalation
    "police": r"报警|报了警|报案|(?<!\d)110(?!\d)"
              r"|(?:向|找|到|去|叫|拨打|求助|报告)[^,.!?;]{0,4}?(?:公安|派出所|警方|警察)|(?:公安|派出所|警方|警察)[^,.!?;]{0,4}?(?:立案|报案|介入|出警)",
}
_THREAT_RE = {code: re.compile(_THREAT[code]) for code in THREATS}


def _threats(text: str) -> tuple[list[str], list[str]]:
    codes, phrases = [], []
    for code in THREATS:
        m = _THREAT_RE[code].search(text)
        if m:
            codes.append(code)
            phrases.append(m.group(0))
    return codes, phrases


# ---------------------------------------------------------------------------------------------
# object

#: products, services and staff complaints are about (longest first, so 信用卡 beats 卡)
_OBJECTS = sorted(set("""
信用卡 储蓄卡 银行卡 借记卡 贷款 网贷 消费贷 车贷 房贷 借款 分期 白条 花呗 借呗 信用贷 额度 征信
保险 车险 理财 基金 利息
手续费 服务费 会员费 会员 年费 违约金 滞纳金 押金 保证金 催收 还款 扣费 账户 余额 优惠券 红包 积分
宽带 光猫 路由器 手机号 号码 流量 套餐 话费 信号 网络 网速 5G 4G 携号转网 副卡 靓号 固话 电视 机顶盒 营业厅
手机 电脑 笔记本 平板 耳机 手表 充电器 屏幕 电池 系统 软件 App app APP 客户端 账号
外卖 快递 包裹 订单 商品 衣服 鞋子 家具 家电 空调 冰箱 洗衣机 热水器 电视机 床垫 食品 奶粉 水果 药品
骑手 快递员 配送员 客服 店员 服务员 售货员 销售 业务员 工作人员 经理 店长 司机 保安 物业 医生 老师 导购 师傅 维修工
酒店 房间 前台 餐厅 饭菜 菜品 门店 商家 店铺 卖家 平台 商场 超市
变速箱 发动机 刹车 轮胎 车机 方向盘 天窗 车漆 座椅 空调系统 底盘 减震 大灯 电瓶 油耗 异响 车门 玻璃
雨刮 转向 4S店 经销商
新车 车辆 汽车 轿车 电动车
小区 物业费 道路 马路 路灯 噪音 垃圾 停车场 公交 地铁 学校 幼儿园 医院 自来水 供水 停水 停电 燃气 暖气 拆迁 补贴 社保
房子 房屋 交房 开发商 装修 楼盘 工地 违建
""".split()), key=len, reverse=True)
_OBJECT = re.compile("|".join(map(re.escape, _OBJECTS)))
# words that name the complaint's addressee more often than its object: used only when nothing
# more specific is named
_GENERIC = frozenset("客服 平台 公司 商家 工作人员 经理 会员 账户 号码 网络 系统 软件 小区 汽车 车辆 手机".split())
_MENTION = re.compile(r"@[^\s@,.!?;:|]{1,30}")


def _object(text: str) -> str:
    # a title in 【】 names the object more reliably than the story; @handles name the addressee
    title = re.match(r"【([^】]{1,80})】", text)
    fallback = ""
    for part in ([title.group(1)] if title else []) + [_MENTION.sub(" ", text)]:
        for m in _OBJECT.finditer(part):
            if m.group(0) not in _GENERIC:
                return m.group(0)
            fallback = fallback or m.group(0)
    return fallback


# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """The record card of one complaint (see ``read_record``)."""

    demand: list[str] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)
    claimed: float | None = None
    object: str = ""
    waits: list[float] = field(default_factory=list)
    repeat: int = 0
    threats: list[str] = field(default_factory=list)
    evidence: str = ""
    #: the phrase behind each of ``threats``, in the same order
    threat_phrases: list[str] = field(default_factory=list)

    @property
    def amount(self) -> float:
        """The money at stake: the claimed sum when one is named, else the largest sum (NaN: none)."""
        if self.claimed is not None:
            return self.claimed
        return max(self.amounts) if self.amounts else math.nan

    @property
    def waited_hours(self) -> float:
        """The longest wait reported, in hours (NaN: none)."""
        return max(self.waits) if self.waits else math.nan


# Cheap necessary conditions of each field, so that most texts (short reviews) skip its
# patterns: every branch of a field's patterns contains one of these. The reference (no
# skipping) is ``read_record(norm, skip=False)``; tests/test_record.py checks they agree.
_MAYBE = {
    "demand": re.compile("|".join([_LEAD, *_ALONE.values(), _OTHER.pattern, _FIX.pattern])),
    "amount": re.compile(r"[\d¥￥元块圆毛角万币]|rmb|RMB"),
    "wait": re.compile(r"[分时头日天周期拜月年]"),
    "repeat": re.compile(rf"{_ACT}|拨打|问"),
    "threat": re.compile("|".join([_THREAT[c] for c in THREATS if c != "regulator"]
                                  + [r"(?<!\d)12345(?!\d)|市长热线|信访|上访", _REGULATORS])),
}
_NOTHING: tuple[list[str], list[str]] = ([], [])


def read_record(norm: str, *, skip: bool = True) -> Record:
    """The record card of one normalized text (``normalize`` output); see ``record_card``.

    ``skip=False`` runs every pattern on every text (the reference the fast path is tested
    against); by default a field whose trigger characters are absent is skipped.

    Examples
    --------
    >>> r = read_record("已经等了半个月,要求赔偿500元")
    >>> r.demand, r.amounts, r.claimed, r.waits
    (['compensation'], [500.0], 500.0, [360.0])
    """
    def maybe(field: str) -> bool:
        return not skip or _MAYBE[field].search(norm) is not None

    demand, demand_phrases = _demands(norm) if maybe("demand") else _NOTHING
    spans = _amount_spans(norm) if maybe("amount") else []
    amounts = list(dict.fromkeys(v for v, _, _ in spans))
    claimed = None
    for value, _phrase, pos in spans:  # a sum inside a demand clause is the sum claimed
        if any(code in ("refund", "compensation", "return") for code in demand):
            head = norm[max(0, pos - 16):pos + 4]  # the match itself may start with its verb (退还299)
            if re.search(r"(?:退|赔|返还|补偿|要回|追回)[^,.!?;]{0,12}?\d*$", head) or re.search(
                    r"(?:退|赔|返还|补偿|要回|追回)[^,.!?;]{0,10}$", head[:-4]):
                claimed = value
                break
    waits = _wait_spans(norm) if maybe("wait") else []
    repeat, repeat_phrase = _repeat(norm) if maybe("repeat") else (0, "")
    threats, threat_phrases = _threats(norm) if maybe("threat") else _NOTHING
    obj = _object(norm)
    parts = []
    if demand:
        parts.append("诉求: " + ", ".join(dict.fromkeys(demand_phrases)))
    if spans:
        parts.append("金额: " + ", ".join(dict.fromkeys(p for _, p, _ in spans[:3])))
    if waits:
        parts.append("等待: " + ", ".join(dict.fromkeys(p for _, p in waits[:3])))
    if repeat:
        parts.append("重复投诉: " + repeat_phrase)
    if threats:
        parts.append("升级: " + ", ".join(dict.fromkeys(threat_phrases)))
    return Record(demand, amounts, claimed, obj, list(dict.fromkeys(v for v, _ in waits)), repeat, threats,
                  " | ".join(parts), threat_phrases)


def record_card(texts: Iterable[object], *, normalized: bool = False) -> pd.DataFrame:
    """The record card of each text as the ``RECORD_COLUMNS``, one row per text, in order.

    Parameters
    ----------
    texts : iterable of str
        Complaint texts. Missing values give an empty card.
    normalized : bool, default False
        The texts are ``normalize`` output already (the pipeline passes its own).

    Returns
    -------
    DataFrame
        ``demand`` (str), ``amount`` (float), ``object`` (str), ``waited_hours`` (float),
        ``repeat`` (int), ``escalation_threat`` (str), ``record_evidence`` (str).

    Examples
    --------
    >>> record_card(["等了两个小时外卖还没到,要求退款!", "很好吃"])[["demand", "waited_hours"]]
       demand  waited_hours
    0  refund           2.0
    1    none           NaN
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError("record_card expects an iterable of texts (a list or a Series), not one string; "
                        "use record_card([text]) or read_record(normalize(text))")
    values = ["" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t) for t in texts]
    return records_frame([read_record(norm) for norm in (values if normalized else normalize_many(values))])


def records_frame(rows: Sequence[Record]) -> pd.DataFrame:
    """``Record`` objects (``read_record``) as the ``RECORD_COLUMNS`` frame, one row each."""
    return pd.DataFrame({
        "demand": [";".join(r.demand) or "none" for r in rows],
        "amount": np.array([r.amount for r in rows], dtype=float),
        "object": [r.object for r in rows],
        "waited_hours": np.array([r.waited_hours for r in rows], dtype=float),
        "repeat": np.array([r.repeat for r in rows], dtype=np.int64),
        "escalation_threat": [";".join(r.threats) for r in rows],
        "record_evidence": [r.evidence for r in rows],
    }, columns=list(RECORD_COLUMNS))
