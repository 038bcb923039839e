"""The breach list API in pages: keyset cursor, limit, totals over the whole period, CSV whole."""
import csv
import io
from datetime import date

import pytest

from bankapp.extensions import db
from bankapp.reports import rules, services
from bankapp.reports.schemas import BreachItemSchema, breach_item_json

from . import fixtures as fx

BREACHES = "/api/v1/reports/breaches"
PERIOD = f"from={fx.FROM}&to={fx.TO}"


@pytest.fixture
def month(world):
    return fx.build(world)


def _whole_month(world):
    return services.breach_report(actor=world.executive, date_from=date.fromisoformat(fx.FROM),
                                  date_to=date.fromisoformat(fx.TO))


def _all_pages(client, limit):
    """(items of every page in turn, the pages' bodies)."""
    items, bodies, cursor = [], [], None
    while True:
        body = client.get(f"{BREACHES}?{PERIOD}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")).json
        assert len(body["items"]) <= limit
        items += body["items"]
        bodies.append(body)
        cursor = body["next"]
        if cursor is None:
            return items, bodies


@pytest.mark.parametrize("limit", [1, 2, 4, 5, 6])
def test_pages_of_any_size_add_up_to_the_whole_list_in_order(world, month, api, limit):
    client = api(world.executive)
    whole = client.get(f"{BREACHES}?{PERIOD}").json
    assert whole["next"] is None and len(whole["items"]) == 6
    items, bodies = _all_pages(client, limit)
    assert items == whole["items"]
    assert len(bodies) == -(-6 // limit)
    for body in bodies:
        assert body["totals"] == fx.EXPECTED_BREACH_TOTALS and body["total"] == 6
        assert body["totals_by_site"] == whole["totals_by_site"]


def test_a_full_last_page_still_says_there_is_nothing_more(world, month, api):
    body = api(world.executive).get(f"{BREACHES}?{PERIOD}&limit=6").json
    assert len(body["items"]) == 6 and body["next"] is None


def test_rows_with_the_same_time_are_not_lost_between_pages(world, month, api):
    from bankapp.audit.models import Breach

    first = db.session.execute(db.select(Breach).order_by(Breach.id)).scalars().first()
    for _ in range(3):
        db.session.add(Breach(type=first.type, at=first.at, site_id=first.site_id, shift_id=first.shift_id,
                              amount_over=first.amount_over, approved_by_id=first.approved_by_id,
                              reason="Same minute"))
    db.session.commit()
    client = api(world.executive)
    whole = client.get(f"{BREACHES}?{PERIOD}").json["items"]
    assert len(whole) == 9
    for limit in (1, 2, 3):
        items, _ = _all_pages(client, limit)
        assert [i["id"] for i in items] == [i["id"] for i in whole]


def test_default_page_is_500_rows_and_at_most_5000_may_be_asked(world, api):
    client = api(world.executive)
    assert rules.BREACH_PAGE_DEFAULT == 500
    assert client.get(f"{BREACHES}?limit=5000").status_code == 200
    for bad in ("limit=5001", "limit=0"):
        resp = client.get(f"{BREACHES}?{bad}")
        assert resp.status_code == 422 and "limit" in resp.json["errors"]


@pytest.mark.parametrize("cursor", ["nonsense", "bm9ib2R5", "MjAyNi0wMy0xN3xicmVhY2h8MQ"])
def test_a_cursor_the_list_did_not_give_out_gets_422(world, api, cursor):
    resp = api(world.executive).get(f"{BREACHES}?cursor={cursor}")
    assert resp.status_code == 422 and "cursor" in resp.json["errors"]


def test_cursor_round_trips():
    from datetime import UTC, datetime

    at = datetime(2026, 3, 17, 10, 0, 0, 123456, tzinfo=UTC)
    assert rules.decode_breach_cursor(rules.encode_breach_cursor(at, "rate_violation", 42)) == \
        (at, "rate_violation", 42)


def test_csv_is_the_whole_period_whatever_the_limit(world, month, api):
    client = api(world.executive)
    text = client.get(f"{BREACHES}?{PERIOD}&format=csv&limit=1").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6
    assert text.startswith("at,type,status,site_id") and text.endswith("\r\n")


def test_csv_in_chunks_is_the_same_text_as_in_one_piece(world, month):
    from bankapp.reports import csv_io

    report = _whole_month(world)
    whole = csv_io.breaches_csv(report)
    assert "".join(csv_io.breaches_csv_chunks(report, rows_per_chunk=4)) == whole
    assert "".join(csv_io.breaches_csv_chunks(report, rows_per_chunk=1)) == whole


def test_hand_shaped_items_equal_the_schema_dump(world, month):
    report = _whole_month(world)
    schema = BreachItemSchema()
    assert len(report["items"]) == 6
    for item in report["items"]:
        assert breach_item_json(item) == schema.dump(item)
