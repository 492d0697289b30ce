"""The 值班日报 and 日产日清 as labelled rows — one place for what the page, the printable view, the API and the
Excel export show (the figures themselves are counted by ``logic.daily``)."""

from gridgov.dashboard.kpi import percent
from gridgov.spreadsheets import write

from .logic.daily import SHANGHAI
from .logic.roster import DUTY_ROLE_LABELS


def source_label(code: str) -> str:
    from gridgov.cases.models import Source

    try:
        return Source(code).label
    except ValueError:
        return code


def class_label(major: str, names: dict) -> str:
    return f"{major} {names.get(major, '')}".strip() if major else "未选事项"


def people(shift) -> str:
    """「带班领导 张三；值班长 李四；值班员 王五、赵六」."""
    by_role: dict[str, list[str]] = {}
    for m in shift.members.all():
        by_role.setdefault(m.duty_role, []).append(m.user.display_name or m.user.username)
    return "；".join(f"{DUTY_ROLE_LABELS[r]} {'、'.join(by_role[r])}" for r in DUTY_ROLE_LABELS if r in by_role)


def _t(at) -> str:
    return at.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if at else ""


def report_sections(rep: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section title, [(item, value)]) of a 值班日报."""
    f = rep["figures"]
    out = [("概况", [
        ("当日来件", str(f.incoming)), ("当日日清（处置或结案）", str(f.cleared)), ("日清率", percent(f.rate)),
        ("当日处置", str(f.handled)), ("当日结案", str(f.closed)), ("紧急来件", str(len(f.urgent))),
        ("预案启动", str(len(rep["activations"]))),
        (f"超期在办（截至 {_t(rep['overdue_at'])}）", str(rep["overdue"])),
    ])]
    out.append(("来件来源", [(source_label(k), str(v)) for k, v in f.by_source.items()] or [("无", "0")]))
    out.append(("来件类别", [(class_label(k, rep["class_names"]), str(v)) for k, v in f.by_class.items()]
                or [("无", "0")]))
    out.append(("紧急案件", [(n, "") for n in f.urgent] or [("无", "")]))
    out.append(("预案启动", [(f"{a.plan.name} · 案件 {a.case.number}",
                             f"{a.get_status_display()}（{a.steps.filter(done_at__isnull=False).count()}/"
                             f"{a.steps.count()} 步）") for a in rep["activations"]] or [("无", "")]))
    out.append(("值班人员", [(f"{_t(s.starts_at)}—{_t(s.ends_at)}", people(s)) for s in rep["shifts"]]
                or [("未排班", "")]))
    out.append(("交班记录", [(f"{_t(h.written_at)} {h.written_by or ''}", h.text) for h in rep["handovers"]]
                or [("无", "")]))
    return out


def report_file(rep: dict) -> tuple[bytes, str, str]:
    """The 值班日报 as an .xlsx file: (content, content type, file name)."""
    rows = [(title, item, value) for title, items in report_sections(rep) for item, value in items]
    content, ctype = write("xlsx", ["栏目", "项目", "数值/内容"], rows, title="值班日报")
    return content, ctype, f"duty-report-{rep['centre'].code}-{rep['day']:%Y%m%d}.xlsx"
