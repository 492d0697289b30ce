"""信访 due dates and the mediation/petition rules, worked by hand from 信访工作条例 (15 days to say whether it is
accepted, 60 days to settle from acceptance, one extension of at most 30 days, 复查 within 30 days of the reply and
answered within 30 days) — calendar days, so a due date is the start date plus the days."""

import datetime as dt

import pytest

from gridgov.catalog.logic.codes import is_local_code, local_code_refusal
from gridgov.governance.logic import mediation as ml
from gridgov.governance.logic import petitions as pl

D = dt.date


# received 2026-11-02: +15 days → 2026-11-17 (November has 30 days: 2 + 15 = 17).
# accepted the same day: +60 → November has 28 days left after the 2nd (to 11-30), December 31 (to 12-31, 59 days),
# one more → 2027-01-01. With the 30-day extension: 2027-01-01 + 30 → 2027-01-31.
@pytest.mark.parametrize(("received", "due"), [
    (D(2026, 11, 2), D(2026, 11, 17)),
    (D(2026, 12, 20), D(2027, 1, 4)),     # 20 + 15 = 35 → 35 − 31 = January 4
    (D(2028, 2, 20), D(2028, 3, 6)),      # 2028 is a leap year: February 29 days, 20 + 15 = 35 − 29 = March 6
    (D(2027, 2, 20), D(2027, 3, 7)),      # 2027: February 28 days, 35 − 28 = March 7
    (D(2026, 10, 1), D(2026, 10, 16)),    # a holiday week counts: natural days
])
def test_acceptance_is_due_15_natural_days_after_receipt(received, due):
    assert pl.accept_due(received) == due


@pytest.mark.parametrize(("accepted", "extension", "due"), [
    (D(2026, 11, 2), 0, D(2027, 1, 1)),
    (D(2026, 11, 2), 30, D(2027, 1, 31)),
    (D(2026, 11, 2), 10, D(2027, 1, 11)),
    (D(2026, 11, 10), 0, D(2027, 1, 9)),   # 20 days to 11-30, 31 to 12-31 (51), 9 more → January 9
    (D(2027, 1, 15), 0, D(2027, 3, 16)),   # 16 to 01-31, 28 to 02-28 (44), 16 more → March 16
])
def test_settling_is_due_60_natural_days_after_acceptance_plus_the_extension(accepted, extension, due):
    assert pl.reply_due(accepted, extension) == due


def test_rules_from_the_catalog_change_the_days():
    rules = pl.Rules(accept_days=10, settle_days=30)
    assert pl.accept_due(D(2026, 11, 2), rules) == D(2026, 11, 12)
    assert pl.reply_due(D(2026, 11, 2), 0, rules) == D(2026, 12, 2)


def test_review_request_and_review_are_due_30_days_on():
    assert pl.review_request_due(D(2027, 1, 5)) == D(2027, 2, 4)
    assert pl.review_due(D(2027, 2, 1)) == D(2027, 3, 3)   # February 2027 has 28 days: 1 + 30 − 28 = March 3


@pytest.mark.parametrize(("status", "so_far", "days", "code"), [
    ("accepted", 0, 30, None),
    ("accepted", 0, 1, None),
    ("accepted", 0, 31, "extension_too_long"),
    ("accepted", 0, 0, "extension_too_long"),
    ("accepted", 1, 10, "extension_used"),       # a second extension
    ("registered", 0, 10, "not_accepted"),
    ("replied", 0, 10, "not_accepted"),
])
def test_one_extension_of_at_most_30_days(status, so_far, days, code):
    refusal = pl.extension_refusal(status, so_far, days)
    assert (refusal[0] if refusal else None) == code


@pytest.mark.parametrize(("status", "code"), [
    ("registered", "not_accepted"),     # a reply before the acceptance decision
    ("rejected", "not_accepted"),
    ("transferred", "not_accepted"),
    ("accepted", None),
    ("replied", "already_replied"),
])
def test_a_reply_needs_the_acceptance(status, code):
    refusal = pl.reply_refusal(status, D(2026, 11, 5), D(2026, 11, 20))
    assert (refusal[0] if refusal else None) == code


def test_decision_and_review_refusals():
    assert pl.decision_refusal("registered", "accepted", D(2026, 11, 2), D(2026, 11, 5)) is None
    assert pl.decision_refusal("registered", "maybe", D(2026, 11, 2), D(2026, 11, 5))[0] == "invalid_decision"
    assert pl.decision_refusal("accepted", "rejected", D(2026, 11, 2), D(2026, 11, 5))[0] == "already_decided"
    assert pl.decision_refusal("registered", "accepted", D(2026, 11, 2), D(2026, 11, 1))[0] == "invalid_date"
    assert pl.review_request_refusal("replied", D(2027, 1, 5), D(2027, 2, 4)) is None        # day 30: in time
    assert pl.review_request_refusal("replied", D(2027, 1, 5), D(2027, 2, 5))[0] == "review_too_late"
    assert pl.review_request_refusal("accepted", None, D(2027, 2, 1))[0] == "not_replied"
    assert pl.review_refusal("review", D(2027, 2, 1), D(2027, 2, 20)) is None
    assert pl.review_refusal("replied", None, D(2027, 2, 20))[0] == "no_review_request"


@pytest.mark.parametrize(("status", "outcome", "parties", "sessions", "code"), [
    ("mediating", "agreed", 2, 1, None),
    ("mediating", "agreed", 0, 1, "parties_required"),    # an agreement without parties
    ("mediating", "agreed", 1, 1, "parties_required"),
    ("accepted", "agreed", 2, 0, "session_required"),
    ("mediating", "failed", 0, 1, None),                  # 调解不成 needs no agreement of parties
    ("agreed", "failed", 2, 1, "mediation_closed"),
    ("mediating", "signed", 2, 1, "invalid_outcome"),
])
def test_an_agreement_needs_the_parties_and_a_session(status, outcome, parties, sessions, code):
    refusal = ml.outcome_refusal(status, outcome, parties, sessions)
    assert (refusal[0] if refusal else None) == code


def test_mediation_states():
    assert [ml.after("accepted", "session"), ml.after("mediating", "agreed"), ml.after("mediating", "failed"),
            ml.after("agreed", "visit")] == ["mediating", "agreed", "failed", "visited"]
    assert ml.visit_refusal("mediating")[0] == "no_outcome"
    assert ml.visit_refusal("visited")[0] == "already_visited"
    assert ml.visit_refusal("failed") is None
    assert ml.session_refusal("agreed")[0] == "mediation_closed"


@pytest.mark.parametrize(("code", "refusal"), [
    ("50005", None), ("56001", None), ("99999", None),
    ("06010", "national_code"), ("01001", "national_code"), ("49001", "national_code"),
    ("00001", "code_out_of_range"), ("50000", "code_out_of_range"),
    ("5001", "invalid_code"), ("5000a", "invalid_code"), ("", "invalid_code"), ("500011", "invalid_code"),
])
def test_local_codes_are_majors_50_to_99(code, refusal):
    got = local_code_refusal(code)
    assert (got[0] if got else None) == refusal


def test_which_codes_are_local():
    assert [is_local_code(c) for c in ("50001", "55002", "99999", "06010", "49999", "5001")] == [
        True, True, True, False, False, False]
