"""假期去向 and the return check (seed 003 篇4: 「班长负责统计学生节假日去向……假期结束后，统计返校学生工作由于责任不清，
造成无人问津的局面」): each member's plan before the holiday, and after it whether they came back by the due date.

Pure: dates in, a state out. No Django import.
"""

import datetime as dt

PLANS = {"stay": "留校/留守", "home": "回家", "travel": "外出旅行", "other": "其他"}
# a member who stays needs no return; the others are checked against the holiday's return due date
STATES = {"staying": "未离开", "returned": "按时返回", "late": "逾期返回", "away": "未返回", "overdue": "逾期未返回",
          "unknown": "去向未登记"}


def plan_refusal(plan: str, place: str, leave_on: dt.date | None, back_on: dt.date | None,
                 starts_on: dt.date, ends_on: dt.date) -> tuple[str, str] | None:
    """Why a 去向 cannot be recorded, or None. ``back_on`` is the planned return day."""
    if plan not in PLANS:
        return "invalid_plan", f"去向应为：{'、'.join(f'{k}（{v}）' for k, v in PLANS.items())}"
    if plan == "stay":
        return None
    if not place.strip():
        return "place_required", "离开的请填写去向地点"
    if leave_on is None or back_on is None:
        return "dates_required", "离开的请填写离开日期和计划返回日期"
    if back_on < leave_on:
        return "return_before_departure", f"计划返回日期 {back_on} 早于离开日期 {leave_on}"
    if leave_on < starts_on - dt.timedelta(days=7) or leave_on > ends_on:
        return "leave_outside_holiday", f"离开日期应在假期（{starts_on} 至 {ends_on}）内或开始前一周内"
    return None


def return_refusal(plan: str, leave_on: dt.date | None, returned_on: dt.date, already: dt.date | None
                   ) -> tuple[str, str] | None:
    """Why a return cannot be recorded, or None."""
    if plan == "stay":
        return "not_away", "该成员假期未离开，无需登记返回"
    if already is not None:
        return "already_returned", f"已于 {already} 登记返回"
    if leave_on is not None and returned_on < leave_on:
        return "return_before_departure", f"返回日期 {returned_on} 早于离开日期 {leave_on}"
    return None


def state(plan: str | None, returned_on: dt.date | None, due: dt.date, today: dt.date) -> str:
    """The return check of one member: no plan → unknown; stay → staying; returned by the due day → returned,
    after it → late; not yet back → away until the due day has passed, then overdue."""
    if plan is None:
        return "unknown"
    if plan == "stay":
        return "staying"
    if returned_on is not None:
        return "returned" if returned_on <= due else "late"
    return "away" if today <= due else "overdue"
