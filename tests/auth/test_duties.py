"""Separation of duties: one rule, ``own_request``, for every decide action."""
from types import SimpleNamespace

import pytest

from bankapp.auth.duties import ensure_not_own, may_decide, own_request_reason
from bankapp.errors import Forbidden

ME, OTHER = SimpleNamespace(id=7), SimpleNamespace(id=8)


@pytest.mark.parametrize("kwargs, refused", [
    ({"requested_by_id": 7}, True), ({"concerns_user_id": 7}, True),
    ({"requested_by_id": 8, "concerns_user_id": 7}, True), ({"requested_by_id": 8}, False),
    ({"concerns_user_id": 8}, False), ({}, False)])
def test_own_request_is_refused_whoever_holds_the_role(kwargs, refused):
    assert (own_request_reason(ME, **kwargs) is not None) is refused
    assert may_decide(ME, **kwargs) is not refused
    if refused:
        with pytest.raises(Forbidden) as exc:
            ensure_not_own(ME, what="this timesheet", **kwargs)
        assert exc.value.status == 403 and [r["code"] for r in exc.value.reasons] == ["own_request"]
    else:
        ensure_not_own(ME, **kwargs)


def test_the_message_says_why():
    assert own_request_reason(ME, requested_by_id=7, what="this cascade request")["message"] == \
        "You made this cascade request: someone else must decide it."
    assert own_request_reason(ME, concerns_user_id=7, what="this timesheet")["message"] == \
        "This timesheet is about you: someone else must decide it."
    assert own_request_reason(ME, requested_by_id=7, concerns_user_id=7, what="this timesheet")["message"] == \
        "This timesheet is about you: someone else must decide it."
    assert own_request_reason(None, requested_by_id=7) is None and may_decide(OTHER, requested_by_id=7)
