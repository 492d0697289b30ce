"""The fixed parts of a government document (公文): periods of each kind, the 文号, the date in Chinese, section
numerals. Pure; no Django."""

import datetime as dt
from dataclasses import dataclass

DIGITS = "〇一二三四五六七八九"
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Span:
    label: str  # 2026-W48 / 2026-11 / 2026-12-02
    first: dt.date
    last: dt.date  # inclusive
    words: str  # 2026年第48周（11月23日至11月29日）


def week(d: dt.date) -> Span:
    y, w, _ = d.isocalendar()
    first = d - dt.timedelta(days=d.weekday())
    last = first + dt.timedelta(days=6)
    return Span(f"{y}-W{w:02d}", first, last,
                f"{y}年第{w}周（{first.month}月{first.day}日至{last.month}月{last.day}日）")


def month(y: int, m: int) -> Span:
    first = dt.date(y, m, 1)
    last = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
    return Span(f"{y}-{m:02d}", first, last, f"{y}年{m}月")


def day(d: dt.date) -> Span:
    return Span(d.isoformat(), d, d, f"{d.year}年{d.month}月{d.day}日")


WEEKLY_KINDS = {"weekly"}
DAILY_KINDS = {"duty"}


def parse(kind: str, text: str) -> Span:
    """The period of a brief of ``kind`` from 「2026-W48」 or any day of the week (周报), 「2026-11」 (月报, 通报,
    分析报告), 「2026-12-02」 (值班日报). ValueError with a Chinese message otherwise."""
    s = (text or "").strip()
    try:
        if kind in WEEKLY_KINDS:
            if "-W" in s.upper():
                y, w = s.upper().split("-W")
                return week(dt.date.fromisocalendar(int(y), int(w), 1))
            return week(dt.date.fromisoformat(s))
        if kind in DAILY_KINDS:
            return day(dt.date.fromisoformat(s))
        y, m = s.split("-")[:2]
        if len(y) != 4 or not 1 <= int(m) <= 12:
            raise ValueError
        return month(int(y), int(m))
    except ValueError:
        hint = {"weekly": "2026-W48 或该周任一日期 2026-11-23", "duty": "日期，如 2026-12-02"}.get(kind, "月份，如 2026-11")
        raise ValueError(f"无法识别的期间「{text}」：应为{hint}") from None


def previous(kind: str, today: dt.date) -> Span:
    """The last complete period before ``today`` (what a subscription sends on its day)."""
    if kind in WEEKLY_KINDS:
        return week(today - dt.timedelta(days=7))
    if kind in DAILY_KINDS:
        return day(today - dt.timedelta(days=1))
    first = today.replace(day=1) - dt.timedelta(days=1)
    return month(first.year, first.month)


def due(kind: str, today: dt.date) -> bool:
    """Whether ``today`` is a subscription's day: Mondays (周报), the 1st (月报, 通报, 分析报告), every day (值班日报)."""
    if kind in WEEKLY_KINDS:
        return today.weekday() == 0
    if kind in DAILY_KINDS:
        return True
    return today.day == 1


def chinese_date(d: dt.date) -> str:
    """2026-12-03 → 二〇二六年十二月三日 (the 成文日期 of a 公文)."""
    return f"{''.join(DIGITS[int(c)] for c in str(d.year))}年{_small(d.month)}月{_small(d.day)}日"


def _small(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    if n < 20:
        return "十" + NUMERALS[n - 11]
    return NUMERALS[n // 10 - 1] + "十" + (NUMERALS[n % 10 - 1] if n % 10 else "")


def section_numeral(i: int) -> str:
    """1 → 一、 … 12 → 十二、"""
    return _small(i) + "、"


def number(prefix: str, year: int, seq: int) -> str:
    """东城网格 + 2026 + 12 → 东城网格〔2026〕12号 (the 发文字号 with 六角括号)."""
    return f"{prefix}〔{year}〕{seq}号"
