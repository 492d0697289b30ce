"""门前三包 履约率 and an inspection's outcome (gridgov/inspection/logic/compliance.py), values by hand."""

from decimal import Decimal

import pytest

from gridgov.inspection.logic import compliance

OUTCOMES = [
    (["pass", "pass", "pass"], "passed"),
    (["pass", "na", "pass"], "passed"),
    (["pass", "fail", "na"], "failed"),
    (["fail"], "failed"),
    (["na", "na"], "empty"),
    ([], "empty"),
]


@pytest.mark.parametrize(("answers", "expected"), OUTCOMES)
def test_outcome(answers, expected):
    assert compliance.outcome(answers) == expected


def test_an_unknown_answer_is_refused():
    with pytest.raises(ValueError):
        compliance.outcome(["pass", "ok"])


RATES = [
    # outcomes → (passed, counted, rate %)
    (["passed", "passed", "failed"], (2, 3, Decimal("66.7"))),
    (["passed", "failed", "empty"], (1, 2, Decimal("50.0"))),  # all-不适用 inspections do not count
    (["passed"] * 7 + ["failed"], (7, 8, Decimal("87.5"))),
    (["passed"] * 2 + ["failed"] * 1 + ["passed"] * 5, (7, 8, Decimal("87.5"))),
    (["failed", "failed"], (0, 2, Decimal("0.0"))),
    (["empty"], (0, 0, None)),
    ([], (0, 0, None)),
    # 1/6 = 16.666… → 16.7; 1/8 = 12.5 exactly; 1/16 = 6.25 → 6.3 (half up, not to even)
    (["passed"] + ["failed"] * 5, (1, 6, Decimal("16.7"))),
    (["passed"] + ["failed"] * 15, (1, 16, Decimal("6.3"))),
]


@pytest.mark.parametrize(("outcomes", "expected"), RATES)
def test_fulfilment(outcomes, expected):
    r = compliance.fulfilment(outcomes)
    assert (r.passed, r.counted, r.rate) == expected


def test_fulfilment_by_street():
    rows = [("110101002", "passed"), ("110101001", "failed"), ("110101001", "passed"), ("110101002", "empty"),
            ("110101001", "passed"), ("110101003", "empty")]
    got = {k: (r.passed, r.counted, r.rate) for k, r in compliance.fulfilment_by(rows).items()}
    assert got == {"110101001": (2, 3, Decimal("66.7")), "110101002": (1, 1, Decimal("100.0")),
                   "110101003": (0, 0, None)}
    assert list(compliance.fulfilment_by(rows)) == ["110101001", "110101002", "110101003"]
