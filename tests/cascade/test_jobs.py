"""Tier escalation with a controlled clock, through `flask bank run-jobs --now …`."""
import pytest

from bankapp.audit.models import AuditEvent
from bankapp.extensions import db
from bankapp.shifts.models import Shift
from tests.factories import london, make_booking

JOB = "cascade-tier2-release"


@pytest.fixture
def run_jobs(app):
    def run(now):
        result = app.test_cli_runner().invoke(args=["bank", "run-jobs", "--now", now, "--job", JOB])
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        return result.output

    return run


def test_unfilled_shift_goes_to_tier2_after_the_window_and_a_second_run_changes_nothing(world, api, released,
                                                                                        run_jobs):
    shift = released()  # released to tier 1 at 09:00
    assert "nothing due" in run_jobs("2026-11-02T20:59")
    assert db.session.get(Shift, shift.id).status == "released_tier1"
    assert api(world.agency_user2).get("/api/v1/agency/shifts").get_json()["items"] == []

    assert "released to tier 2 1" in run_jobs("2026-11-02T21:00")
    moved = db.session.get(Shift, shift.id)
    assert (moved.status, moved.released_tier2_at) == ("released_tier2", london("2026-11-02T21:00"))

    assert "nothing due" in run_jobs("2026-11-02T21:05")
    again = db.session.get(Shift, shift.id)
    assert (again.status, again.released_tier2_at) == ("released_tier2", london("2026-11-02T21:00"))
    releases = db.session.execute(db.select(AuditEvent).filter_by(action="shift.released", entity_id=str(shift.id))
                                  ).scalars().all()
    assert [e.after["status"] for e in releases] == ["released_tier1", "released_tier2"]

    assert [s["id"] for s in api(world.agency_user2).get("/api/v1/agency/shifts").get_json()["items"]] == [shift.id]
    assert [s["tier"] for s in api(world.agency_user1).get("/api/v1/agency/shifts").get_json()["items"]] == [2]


def test_shift_filled_by_the_bank_is_not_escalated(world, released, run_jobs):
    shift = released()
    make_booking(shift, world.doctor)
    db.session.commit()
    assert "nothing due" in run_jobs("2026-11-03T09:00")
    assert db.session.get(Shift, shift.id).status == "booked"


def test_escalation_service_returns_the_shifts_it_moved(world, released):
    from bankapp.cascade.services import escalate_to_tier2

    first, second = released(), released(start="2026-11-06T08:00", end="2026-11-06T20:00")
    assert escalate_to_tier2(london("2026-11-02T21:00")) == [first.id, second.id]
    assert escalate_to_tier2(london("2026-11-02T21:00")) == []
