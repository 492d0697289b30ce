"""Composing a month's facts document — pure, no Django import.

The inputs come from three producers (see the README's 「考评」 section): the case figures (``kpi``), the registers
(``ledgers``: quotas, 系统运行, 抽查, 倒查, 人员, 培训, 宣传) and the reviewers' judgements (this app), plus the confirmed
falsifications (``integrity``). ``compose`` merges them per unit and item; an item no producer gave stays missing, so
the scorer refuses the document and names it (nothing is guessed).
"""

from collections.abc import Iterable, Mapping

from .scorer import FORMAT


def compose(period: str, district: Mapping, scheme: Mapping, units: Iterable[tuple[str, str]],
            case_inputs: Mapping, register_inputs: Mapping, judgements: Mapping[str, Mapping],
            zeroings: Iterable[Mapping]) -> dict:
    case_units = case_inputs.get("units") or {}
    reg_units = register_inputs.get("units") or {}
    falsified: dict[str, dict] = {}
    for z in zeroings:
        falsified.setdefault(z["unit"], {})[z["item"]] = {k: z.get(k, "") for k in ("by", "at", "reason", "source")}
    out_units = []
    for code, name in units:
        inputs: dict[str, dict] = {}
        for source in (reg_units.get(code) or {}, case_units.get(code) or {}, judgements.get(code) or {}):
            for key, values in source.items():
                if key == "name" or not isinstance(values, Mapping):
                    continue
                inputs.setdefault(key, {}).update(values)
        out_units.append({"code": code, "name": (reg_units.get(code) or {}).get("name") or name,
                          "inputs": inputs, "falsified": falsified.get(code, {})})
    totals = {**(register_inputs.get("totals") or {}), **(case_inputs.get("totals") or {})}
    return {"format": FORMAT, "period": period, "district": dict(district), "scheme": dict(scheme),
            "totals": totals, "units": out_units}
