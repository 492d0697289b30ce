"""The results of a month as rows (the results page and its Excel export): one row per department — its
satisfaction figures and the streets' ratings — and one for the centre's dispatch rated by the departments."""

from gridgov import spreadsheets

from . import services
from .logic.figures import DIMENSIONS


def _num(x):
    return "" if x is None else x


def rows(user, period: str, data: dict | None = None) -> tuple[list[str], list[list]]:
    """The head and rows of ``period``'s results as ``user`` may read them (``data``: figures already read)."""
    data = data or services.figures_for(user, period)
    dept_dims = services.dimensions("department")
    centre_dims = services.dimensions("centre")
    head = (["类别", "单位", "结案数", "回访数", "回访率", "无法联系", "满意率"]
            + [f"{label}均分" for _, label in DIMENSIONS] + ["评价单位数", "综合均分", "各维度均分", "意见"])
    out = []

    def add(kind, name, s, r, dims):
        means = "；".join(f"{d.name} {_num(r['means'].get(d.key))}" for d in dims) if r else ""
        out.append([kind, name, s["closed"] if s else "", s["surveyed"] if s else "",
                    _num(s["follow_up_rate"]) if s else "", s["unreachable"] if s else "",
                    _num(s["satisfied_share"]) if s else ""]
                   + [_num(s["means"][k]) if s else "" for k, _ in DIMENSIONS]
                   + [r["raters"] if r else 0, _num(r["overall"]) if r else "", means,
                      " / ".join(r["remarks"]) if r else ""])

    for d in data["departments"].values():
        add("部门", d["name"], d["satisfaction"], d["ratings"], dept_dims)
    for s in data["streets"].values():
        add("街道", s["name"], s["satisfaction"], None, [])
    if data["centre"]["ratings"]:
        add("区指挥中心", "派遣", None, data["centre"]["ratings"], centre_dims)
    return head, out


def export(user, period: str) -> tuple[bytes, str]:
    head, body = rows(user, period)
    return spreadsheets.write("xlsx", head, body, title=f"{period}满意度与双向评价")
