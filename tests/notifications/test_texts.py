"""SMS wording: site, date and time in plain English, GSM-friendly."""
from datetime import date
from decimal import Decimal

from bankapp.notifications import texts
from tests.factories import london


def test_clock_change_night_says_so_and_counts_13_hours():
    body = texts.shift_alert(grade="ST3", site="Broomfield Hospital", start=london("2026-10-24T20:00"),
                             end=london("2026-10-25T08:00"), url="https://bank.example/shifts/123",
                             estimate=Decimal("1040.00"))
    assert body == ("Staff Bank: ST3 shift at Broomfield Hospital, Sat 24 Oct 20:00-Sun 25 Oct 08:00 "
                    "(13h, clocks go back), £1,040 est. Claim: https://bank.example/shifts/123 Reply STOP to opt out")


def test_spring_night_is_11_hours_and_pence_are_shown():
    when = texts.when(london("2026-03-28T20:00"), london("2026-03-29T08:00"))
    assert when == "Sat 28 Mar 20:00-Sun 29 Mar 08:00 (11h, clocks go forward)"
    assert texts.pounds(Decimal("512.50")) == "£512.50"


def test_half_hours_and_no_estimate():
    body = texts.shift_alert(grade="FY1", site="Basildon", start=london("2026-12-04T08:00"),
                             end=london("2026-12-04T16:30"), url="u")
    assert "Fri 4 Dec 08:00-16:30 (8h30)." in body


def test_texts_stay_in_the_gsm_alphabet():
    gsm = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
              "¿abcdefghijklmnopqrstuvwxyzäöñüà")
    bodies = [texts.booking_confirmed(site="Southend", start=london("2026-12-04T08:00"),
                                      end=london("2026-12-04T20:00"), url="https://x/shifts/1"),
              texts.doc_expiry(document="DBS check", expires_on=date(2026, 12, 30), days_left=28, url="https://x/"),
              texts.test_message(), texts.inbound_reply("stop", known=True),
              texts.bookings_repriced(changes=[("Southend", london("2026-12-04T08:00"), london("2026-12-04T20:00"),
                                                Decimal("720.00"), Decimal("792.50"))], url="https://x/shifts/1")]
    for body in bodies:
        assert set(body) <= gsm, set(body) - gsm


def _change(day, old, new):
    return ("Basildon", london(f"2026-12-{day:02d}T08:00"), london(f"2026-12-{day:02d}T20:00"), old, new)


def test_a_repriced_text_names_three_shifts_then_says_how_many_more():
    changes = [_change(day, Decimal("720.00"), Decimal("792.00")) for day in range(1, 6)]
    body = texts.bookings_repriced(changes=changes, url="https://x/my-shifts")
    assert body == ("Staff Bank: a new rate card changes your pay for 5 booked shifts (estimates): "
                    "Tue 1 Dec 08:00 £720 to £792; Wed 2 Dec 08:00 £720 to £792; Thu 3 Dec 08:00 £720 to £792; "
                    "and 2 more. Details: https://x/my-shifts")


def test_a_shift_no_card_priced_before_says_so():
    body = texts.bookings_repriced(changes=[_change(1, None, Decimal("720.00"))], url="u")
    assert "was not priced, now £720 est." in body


def test_a_24_hour_shift_names_both_days():
    assert texts.when(london("2026-12-05T08:00"), london("2026-12-06T08:00")) == "Sat 5 Dec 08:00-Sun 6 Dec 08:00 (24h)"


def test_a_shift_note_is_quoted_cut_to_length_and_its_removal_said():
    start, end = london("2026-12-04T08:00"), london("2026-12-04T20:00")
    body = texts.shift_note(site="Southend", start=start, end=end, note="Report to ward 5.", url="https://x/shifts/1")
    assert body == ('Staff Bank: a note on your shift at Southend, Fri 4 Dec 08:00-20:00: "Report to ward 5." '
                    "Details: https://x/shifts/1")
    long = texts.shift_note(site="S", start=start, end=end, note="x" * 1000, url="u")
    assert '"' + "x" * (texts.NOTE_IN_TEXT - 3) + '..."' in long
    removed = texts.shift_note(site="Southend", start=start, end=end, note=None, url="u")
    assert "the note on your shift at Southend, Fri 4 Dec 08:00-20:00 was removed" in removed
