"""Claim checks at their exact limits: just inside passes, just outside fails.

Unless a test says otherwise, times are London wall-clock times in November
2026 (no clock change; Mon 2 Nov is a Monday).
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from bankapp.shifts.rules import (
    REASON_CODES,
    REQUIRED_DOCUMENTS,
    WTR_CODES,
    DoctorFacts,
    Interval,
    Reason,
    ShiftFacts,
    Voice,
    WorkingTimeLimits,
    check_claim,
    check_eligibility,
    check_overlap,
    check_working_time,
    overridable,
)

from .intervals import at, codes, daily, shift

ALL_DOCUMENTS = {kind: date(2030, 1, 1) for kind in REQUIRED_DOCUMENTS}
DOCTOR = DoctorFacts(grade_rank=3, site_ids=None, documents=ALL_DOCUMENTS)


def shift_facts(start: str, end: str, grade_rank: int = 3, site_id: int = 1) -> ShiftFacts:
    return ShiftFacts(at(start), at(end), grade_rank=grade_rank, site_id=site_id)


# --- Values ------------------------------------------------------------------------


def test_reason_as_dict():
    assert Reason("overlap", "x").as_dict() == {"code": "overlap", "message": "x"}


def test_interval_is_stored_in_utc_and_measures_real_time():
    night = shift("2026-10-24 20:00", "2026-10-25 08:00")
    assert night.start.tzinfo is UTC
    assert night.duration == timedelta(hours=13)
    assert night.hours == 13.0


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2026, 11, 2, 8), datetime(2026, 11, 2, 20)),  # naive
        (at("2026-11-02 08:00"), at("2026-11-02 08:00")),  # empty
        (at("2026-11-02 20:00"), at("2026-11-02 08:00")),  # backwards
    ],
)
def test_interval_refuses_naive_or_backwards_times(start, end):
    with pytest.raises(ValueError):
        Interval(start, end)


def test_codes_are_the_contract_codes():
    assert set(WTR_CODES) == {c for c in REASON_CODES if c.startswith("wtr_")}
    assert len(WTR_CODES) == 8 and "wtr_average_48h" in WTR_CODES
    assert REQUIRED_DOCUMENTS == (
        "gmc_licence", "dbs", "right_to_work", "mandatory_training", "occupational_health")


# --- Eligibility -------------------------------------------------------------------


@pytest.mark.parametrize(("doctor_rank", "refused"), [(2, True), (3, False), (4, False)])
def test_grade_rank_below_the_shift_is_refused(doctor_rank, refused):
    doctor = DoctorFacts(doctor_rank, None, ALL_DOCUMENTS)
    reasons = check_eligibility(doctor, shift_facts("2026-11-02 08:00", "2026-11-02 16:00"))
    assert codes(reasons) == (["grade_mismatch"] if refused else [])


def test_doctor_without_a_grade_is_refused():
    doctor = DoctorFacts(None, None, ALL_DOCUMENTS)
    reasons = check_eligibility(doctor, shift_facts("2026-11-02 08:00", "2026-11-02 16:00"))
    assert codes(reasons) == ["grade_mismatch"]


@pytest.mark.parametrize(
    ("site_ids", "refused"),
    [(None, False), (frozenset({1, 2}), False), (frozenset({2}), True), (frozenset(), True)],
)
def test_site_must_be_enabled_unless_all_sites(site_ids, refused):
    doctor = DoctorFacts(3, site_ids, ALL_DOCUMENTS)
    reasons = check_eligibility(doctor, shift_facts("2026-11-02 08:00", "2026-11-02 16:00"))
    assert codes(reasons) == (["site_not_enabled"] if refused else [])


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("gmc_licence", "GMC licence to practise"),
        ("dbs", "DBS check"),
        ("right_to_work", "right to work"),
        ("mandatory_training", "mandatory training"),
        ("occupational_health", "occupational health"),
    ],
)
def test_each_missing_document_is_named_in_plain_english(kind, words):
    documents = {k: v for k, v in ALL_DOCUMENTS.items() if k != kind}
    doctor = DoctorFacts(3, None, documents)
    reasons = check_eligibility(doctor, shift_facts("2026-11-02 08:00", "2026-11-02 16:00"))
    assert codes(reasons) == ["compliance_missing"]
    assert words in reasons[0].message


def test_all_missing_documents_make_one_reason():
    doctor = DoctorFacts(3, None, {"dbs": date(2030, 1, 1), "gmc_licence": date(2030, 1, 1)})
    reasons = check_eligibility(doctor, shift_facts("2026-11-02 08:00", "2026-11-02 16:00"))
    assert codes(reasons) == ["compliance_missing"]
    assert reasons[0].message == (
        "We do not hold your right to work check, mandatory training and occupational "
        "health clearance. Please upload them before booking shifts.")


@pytest.mark.parametrize(
    ("expires_on", "refused"),
    [(date(2026, 11, 3), False), (date(2026, 11, 2), True), (None, False)],
)
def test_document_must_be_valid_through_the_date_the_night_ends(expires_on, refused):
    doctor = DoctorFacts(3, None, {**ALL_DOCUMENTS, "dbs": expires_on})
    night = shift_facts("2026-11-02 20:00", "2026-11-03 08:00")
    assert codes(check_eligibility(doctor, night)) == (
        ["compliance_expired"] if refused else [])


def test_expiry_uses_the_london_date_not_the_utc_date():
    # Ends 00:30 BST on 1 June, which is still 31 May in UTC.
    doctor = DoctorFacts(3, None, {**ALL_DOCUMENTS, "dbs": date(2026, 5, 31)})
    late = shift_facts("2026-05-31 16:30", "2026-06-01 00:30")
    reasons = check_eligibility(doctor, late)
    assert codes(reasons) == ["compliance_expired"]
    assert reasons[0].message == (
        "Your DBS check (valid until Sun 31 May 2026) runs out before this shift ends "
        "on Mon 1 Jun 2026. Please renew before booking.")


def test_documents_that_are_not_required_are_ignored():
    doctor = DoctorFacts(3, None, {**ALL_DOCUMENTS, "visa_letter": date(2000, 1, 1)})
    assert check_eligibility(doctor, shift_facts("2026-11-02 08:00", "2026-11-02 16:00")) == []


def test_missing_and_expired_are_both_reported():
    documents = {k: v for k, v in ALL_DOCUMENTS.items() if k != "dbs"}
    documents["mandatory_training"] = date(2026, 1, 1)
    reasons = check_eligibility(
        DoctorFacts(3, None, documents), shift_facts("2026-11-02 08:00", "2026-11-02 16:00"))
    assert codes(reasons) == ["compliance_missing", "compliance_expired"]


# --- Overlap -----------------------------------------------------------------------


DAY = shift("2026-11-02 08:00", "2026-11-02 20:00")


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        ("2026-11-02 20:00", "2026-11-02 23:00", False),  # starts as DAY ends
        ("2026-11-02 04:00", "2026-11-02 08:00", False),  # ends as DAY starts
        ("2026-11-02 19:59", "2026-11-02 23:00", True),
        ("2026-11-02 04:00", "2026-11-02 08:01", True),
        ("2026-11-02 10:00", "2026-11-02 12:00", True),  # inside
        ("2026-11-02 07:00", "2026-11-02 21:00", True),  # around
        ("2026-11-02 08:00", "2026-11-02 20:00", True),  # the same times
    ],
)
def test_touching_is_not_an_overlap(start, end, overlaps):
    reasons = check_overlap([DAY], shift(start, end))
    assert codes(reasons) == (["overlap"] if overlaps else [])


def test_overlap_names_every_overlapped_shift_in_london_time():
    existing = [shift("2026-11-03 08:00", "2026-11-03 12:00"), DAY]
    reasons = check_overlap(existing, shift("2026-11-02 18:00", "2026-11-03 09:00"))
    assert reasons == [Reason("overlap", (
        "This overlaps your booked shifts: Mon 2 Nov 08:00–20:00 and Tue 3 Nov 08:00–12:00."))]


def test_overlapped_shift_is_left_out_of_working_time():
    # Measured against DAY the rest would be negative: only overlap is reported.
    new = shift("2026-11-02 10:00", "2026-11-02 12:00")
    assert check_working_time([DAY], new) == []
    doctor_claim = check_claim(DOCTOR, shift_facts("2026-11-02 10:00", "2026-11-02 12:00"), [DAY])
    assert codes(doctor_claim) == ["overlap"]


# --- Everything together ------------------------------------------------------------


def test_every_reason_is_returned_in_the_contract_order():
    doctor = DoctorFacts(2, frozenset({1}), {k: v for k, v in ALL_DOCUMENTS.items()
                                            if k != "dbs"})
    existing = [shift("2026-11-02 06:00", "2026-11-02 09:00"),  # rest 8 h
                shift("2026-11-02 20:00", "2026-11-02 22:00")]  # overlapped
    claim = shift_facts("2026-11-02 17:00", "2026-11-03 06:01", grade_rank=3)
    reasons = check_claim(doctor, claim, existing)
    assert codes(reasons) == [
        "grade_mismatch", "compliance_missing", "overlap",
        "wtr_max_shift_13h", "wtr_min_rest_11h",
    ]
    assert not overridable(reasons)
    assert overridable(reasons[3:])


def test_clean_claim_has_no_reasons():
    assert check_claim(DOCTOR, shift_facts("2026-11-02 08:00", "2026-11-02 20:00"), []) == []


def test_claim_checks_working_time_with_the_given_limits():
    limits = WorkingTimeLimits(max_shift=timedelta(hours=12))
    claim = shift_facts("2026-11-02 08:00", "2026-11-02 20:01")
    assert codes(check_claim(DOCTOR, claim, [], limits)) == ["wtr_max_shift_13h"]
    assert check_claim(DOCTOR, claim, []) == []


# --- Overridable -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason_codes", "expected"),
    [
        (["wtr_min_rest_11h"], True),
        (sorted(WTR_CODES), True),
        (["wtr_min_rest_11h", "overlap"], False),
        (["grade_mismatch"], False),
        (["compliance_expired"], False),
        ([], False),
    ],
)
def test_only_working_time_reasons_are_overridable(reason_codes, expected):
    assert overridable([Reason(code, "") for code in reason_codes]) is expected


# --- Wording: the clashing shift named, and who reads it ---------------------------------

SHAH = Voice("Dr Amy Shah")


def test_overlap_names_the_site_of_the_booked_shift():
    booked = Interval(at("2026-11-02 08:00"), at("2026-11-02 20:00"), where="Alpha Hospital")
    reasons = check_overlap([booked], shift("2026-11-02 18:00", "2026-11-02 23:00"))
    assert reasons == [Reason("overlap", "This overlaps your booked shift: Alpha Hospital, Mon 2 Nov 08:00–20:00.")]


def test_the_site_takes_no_part_in_comparing_intervals():
    assert Interval(at("2026-11-02 08:00"), at("2026-11-02 20:00"), where="Alpha Hospital") == DAY


def test_short_rest_names_the_site_of_the_shift_before():
    before = Interval(at("2026-11-03 06:00"), at("2026-11-03 08:00"), where="Beta Hospital")
    reasons = check_working_time([before], shift("2026-11-03 17:00", "2026-11-03 22:00"))
    assert reasons[0].message == ("You would have only 9 hours' rest after your shift at Beta Hospital ending "
                                  "Tue 3 Nov 08:00; at least 11 hours are needed.")


def test_grade_and_site_are_named_when_the_facts_carry_them():
    doctor = DoctorFacts(2, frozenset({2}), ALL_DOCUMENTS, grade_code="FY2")
    claim = ShiftFacts(at("2026-11-02 08:00"), at("2026-11-02 16:00"), grade_rank=3, site_id=1, grade_code="ST3",
                       site_name="Alpha Hospital")
    assert [r.message for r in check_eligibility(doctor, claim)] == [
        "This shift needs grade ST3 or above; yours is FY2.",
        "You are not set up to work at Alpha Hospital. Please contact medical staffing."]


def test_a_coordinator_reads_about_the_doctor_by_name():
    doctor = DoctorFacts(2, frozenset({2}), {**{k: v for k, v in ALL_DOCUMENTS.items() if k != "right_to_work"},
                                             "dbs": date(2026, 11, 1)}, grade_code="FY2")
    claim = ShiftFacts(at("2026-11-02 08:00"), at("2026-11-02 16:00"), grade_rank=3, site_id=1, grade_code="ST3",
                       site_name="Alpha Hospital")
    booked = Interval(at("2026-11-02 06:00"), at("2026-11-02 09:00"), where="Beta Hospital")
    before = Interval(at("2026-11-01 14:00"), at("2026-11-01 22:00"), where="Beta Hospital")
    messages = {r.code: r.message for r in check_claim(doctor, claim, [booked, before], voice=SHAH)}
    assert messages == {
        "grade_mismatch": "This shift needs grade ST3 or above; Dr Amy Shah's is FY2.",
        "site_not_enabled": "Dr Amy Shah is not set up to work at Alpha Hospital. Please contact medical staffing.",
        "compliance_missing": "We do not hold Dr Amy Shah's right to work check. Medical staffing must record it "
                              "before Dr Amy Shah can be booked.",
        "compliance_expired": "Dr Amy Shah's DBS check (valid until Sun 1 Nov 2026) runs out before this shift ends "
                              "on Mon 2 Nov 2026.",
        "overlap": "This overlaps Dr Amy Shah's booked shift: Beta Hospital, Mon 2 Nov 06:00–09:00.",
        "wtr_min_rest_11h": "Dr Amy Shah would have only 10 hours' rest after their shift at Beta Hospital ending "
                            "Sun 1 Nov 22:00; at least 11 hours are needed.",
    }


def test_no_reason_speaks_to_the_doctor_in_the_coordinators_voice():
    """Every working-time reason at once, worded about Dr Amy Shah: no "you" or "your" anywhere."""
    nights = daily("2026-11-02", 4, "20:00", "08:00")  # 4 long nights, Mon-Thu
    fifth = shift("2026-11-06 19:00", "2026-11-07 09:00")  # a 14 h fifth night after 11 h rest
    seven = daily("2026-10-27", 6, "09:00", "17:00") + nights
    reasons = check_claim(DOCTOR, ShiftFacts(fifth.start, fifth.end, 3, 1), seven, voice=SHAH)
    assert {r.code for r in reasons} >= {"wtr_max_shift_13h", "wtr_max_72h_in_168h", "wtr_max_consecutive_nights",
                                         "wtr_max_consecutive_long_shifts", "wtr_max_consecutive_shifts"}
    for reason in reasons:
        words = reason.message.lower().replace(",", " ").replace(";", " ").split()
        assert "you" not in words and "your" not in words, reason.message
