"""Rate card pages and the post form's preview fragment (rate approval pages: tests/shifts/)."""
import io
from datetime import timedelta

from bankapp.extensions import db
from bankapp.rates.models import RateCard
from bankapp.timeutil import london_date, now_utc
from tests.factories import PASSWORD
from tests.shifts.test_rate_approval_api import _setup

from .cards import card_body, make_card


def _login(client, user):
    resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 302, resp.data


def _future(days=30):
    return (london_date(now_utc()) + timedelta(days=days)).isoformat()


def _grid_form(**extra):
    rates, caps = card_body()
    form = {f"rate-{r['grade']}-{r['band']}": r["hourly_rate"] for r in rates}
    form.update({f"cap-{c['grade']}": c["hourly_cap"] for c in caps})
    return {"effective_from": _future(), **form, **extra}


def test_admin_sees_the_current_card_as_a_grid(world, client):
    make_card(world.admin)
    db.session.commit()
    _login(client, world.admin)
    page = client.get("/rates").get_data(as_text=True)
    assert "Harmonised rate card" in page and "£100.00" in page and "ST3 – Specialty Registrar" in page
    assert 'href="/rates/new"' in page and 'href="/rates/history"' in page
    assert "Rate card" in client.get("/").get_data(as_text=True)


def test_only_admins_see_rate_card_pages(world, client):
    _login(client, world.coordinator_a)
    for url in ("/rates", "/rates/new", "/rates/history"):
        assert client.get(url).status_code == 403


def test_new_card_from_the_grid(world, client):
    make_card(world.admin)
    db.session.commit()
    _login(client, world.admin)
    form_page = client.get("/rates/new").get_data(as_text=True)
    assert 'id="rate-ST3-bank_holiday"' in form_page and 'value="100.00"' in form_page
    resp = client.post("/rates/new", data=_grid_form(note="2026 pay award"))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    card = db.session.execute(db.select(RateCard).order_by(RateCard.id.desc())).scalars().first()
    assert card.note == "2026 pay award" and len(card.rates) == 25
    assert "2026 pay award" in client.get(resp.location).get_data(as_text=True)
    history = client.get("/rates/history").get_data(as_text=True)
    assert "Future" in history and "In force" in history


def test_grid_errors_sit_next_to_the_cells(world, client):
    _login(client, world.admin)
    form = _grid_form()
    form["rate-ST3-bank_holiday"] = ""
    form["rate-FY1-weekday_day"] = "-3"
    form["cap-CONS"] = "0.00"
    resp = client.post("/rates/new", data=form)
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert 'href="#rate-ST3-bank_holiday"' in page and "Enter the bank holiday rate for ST3." in page
    assert 'href="#rate-FY1-weekday_day"' in page and "must be more than £0.00" in page
    assert 'href="#cap-CONS"' in page
    assert 'id="rate-ST3-bank_holiday-error"' in page
    assert db.session.execute(db.select(RateCard.id)).first() is None


def test_past_date_on_the_page_needs_a_reason(world, client):
    _login(client, world.admin)
    past = (london_date(now_utc()) - timedelta(days=3)).isoformat()
    resp = client.post("/rates/new", data=_grid_form(effective_from=past))
    assert resp.status_code == 422 and "in the past" in resp.get_data(as_text=True)
    ok = client.post("/rates/new", data=_grid_form(effective_from=past, backdated_reason="Late pay award"))
    assert ok.status_code == 302


def test_new_card_from_a_csv_upload_and_csv_download_round_trip(world, client):
    card = make_card(world.admin)
    db.session.commit()
    _login(client, world.admin)
    csv_text = client.get(f"/rates/{card.id}.csv").get_data(as_text=True)
    assert csv_text.startswith("grade,band,hourly_rate\nFY1,weekday_day,35.00\n") and "ST3,agency_cap,80.00" in csv_text
    resp = client.post("/rates/new", data={"effective_from": _future(), "rates_csv": (io.BytesIO(csv_text.encode()),
                                                                                     "card.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(RateCard.id))).scalar_one() == 2


def test_bad_csv_is_explained(world, client):
    _login(client, world.admin)
    bad_header = client.post("/rates/new", data={"effective_from": _future(),
                                                  "rates_csv": (io.BytesIO(b"grade;band;rate\n"), "card.csv")},
                             content_type="multipart/form-data")
    assert bad_header.status_code == 422 and "grade,band,hourly_rate" in bad_header.get_data(as_text=True)
    one_line = io.BytesIO(b"grade,band,hourly_rate\nST3,weekday_day,60.00\n")
    missing = client.post("/rates/new", data={"effective_from": _future(), "rates_csv": (one_line, "card.csv")},
                          content_type="multipart/form-data")
    page = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "Missing ST3 × bank_holiday" in page and 'href="#rates_csv"' in page


def test_preview_fragment_shows_card_lines_and_the_violation(world, client):
    _setup(world)
    _login(client, world.coordinator_a)
    args = {"department_id": world.dept_a.id, "grade_id": world.grades["ST3"].id, "start": "2026-10-24T20:00",
            "end": "2026-10-25T08:00", "hourly_rate": "130"}
    page = client.get("/rates/preview", query_string=args).get_data(as_text=True)
    assert "£1,130.00 for 13.00 hours" in page and "Weekend night: 11.00 h × £90.00 = £990.00" in page
    assert "Rate violation" in page and "49.56% over" in page and "an executive" in page
    within = client.get("/rates/preview", query_string={**args, "hourly_rate": "80"}).get_data(as_text=True)
    assert "within the card" in within
    gap = client.get("/rates/preview", query_string={**args, "start": "2026-03-29T01:30"}).get_data(as_text=True)
    assert "does not exist in London" in gap
    assert "Enter the start and end" in client.get("/rates/preview", query_string={
        "grade_id": world.grades["ST3"].id}).get_data(as_text=True)
    assert client.get("/rates/preview", query_string={**args, "department_id": world.dept_b.id}).status_code == 403
