"""矛盾纠纷调解: the states of a mediation record and what may happen in each — pure, no Django import.

受理 (accepted) → 调解中 (mediating, from the first session) → 达成协议 (agreed) or 调解不成 (failed) → 已回访 (visited).
An agreement needs the parties of the dispute (at least two) and a session held; a visit follows an outcome.
"""

STATUSES = {"accepted": "受理", "mediating": "调解中", "agreed": "达成协议", "failed": "调解不成", "visited": "已回访"}
OUTCOMES = {"agreed": "达成协议", "failed": "调解不成"}
MIN_PARTIES = 2

Refusal = tuple[str, str] | None


def party_refusal(status: str) -> Refusal:
    if status not in ("accepted", "mediating"):
        return "mediation_closed", f"调解已{STATUSES.get(status, status)}，不能再添加当事人"
    return None


def session_refusal(status: str) -> Refusal:
    if status not in ("accepted", "mediating"):
        return "mediation_closed", f"调解已{STATUSES.get(status, status)}，不能再登记调解"
    return None


def outcome_refusal(status: str, outcome: str, parties: int, sessions: int) -> Refusal:
    if outcome not in OUTCOMES:
        return "invalid_outcome", "调解结果应为 agreed（达成协议）或 failed（调解不成）"
    if status not in ("accepted", "mediating"):
        return "mediation_closed", f"调解已{STATUSES.get(status, status)}，不能再登记结果"
    if outcome == "agreed" and parties < MIN_PARTIES:
        return "parties_required", f"调解协议需要纠纷各方当事人（至少 {MIN_PARTIES} 方），请先登记当事人"
    if sessions < 1:
        return "session_required", "请先登记至少一次调解（时间、地点、调解员）"
    return None


def visit_refusal(status: str) -> Refusal:
    if status == "visited":
        return "already_visited", "该调解已回访"
    if status not in OUTCOMES:
        return "no_outcome", "调解尚无结果（达成协议或调解不成），不能回访"
    return None


def after(status: str, event: str) -> str:
    """The state after an allowed event (session, agreed, failed, visit)."""
    return {"session": "mediating", "agreed": "agreed", "failed": "failed", "visit": "visited"}.get(event, status)
