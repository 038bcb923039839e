"""In-process domain events, delivered synchronously inside the transaction.

A feature that changes state emits an event; other features subscribe in their
``bankapp/<feature>/subscribers.py`` (imported by create_app). Subscribers run
in the emitter's transaction, so what they write (e.g. outbox rows) commits or
rolls back with the change itself. They must not commit or call the network.

Events (keyword arguments):
- ``shift.opened``      shift, actor     a shift became claimable (posted, approved, re-opened)
- ``shift.booked``      booking, actor   a bank doctor or agency locum was booked
- ``shift.cancelled``   shift, actor     the trust cancelled a shift (booking, if any, in shift.bookings)
- ``booking.cancelled`` booking, actor   a booking was cancelled and the shift re-opened
- ``shift.released``    shift, tier, actor
- ``shift.changed``     shift, before, changed, actor   a coordinator edited it (``changed``: field names,
                        ``before``: their old values)
- ``timesheet.submitted`` / ``timesheet.approved`` / ``timesheet.queried`` / ``timesheet.rejected``
                        timesheet, actor
- ``rate_card.published`` card, actor  a new card version (shifts re-prices the booked shifts it prices)
- ``bookings.repriced`` doctor, card, repriced, actor  one doctor's booked shifts whose estimate the card
                        changed (``shifts.repricing.Repriced``: booking, old_total, new_total)
"""
import logging
from collections import defaultdict

log = logging.getLogger(__name__)
_subscribers = defaultdict(list)


def subscribe(event_name):
    def decorator(fn):
        if fn not in _subscribers[event_name]:
            _subscribers[event_name].append(fn)
        return fn

    return decorator


def emit(event_name, **payload):
    for fn in list(_subscribers.get(event_name, ())):
        fn(**payload)


def subscribers(event_name):
    return list(_subscribers.get(event_name, ()))
