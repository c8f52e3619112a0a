"""Every state change of the permits app. Views, API, admin and tasks call these; nothing else
writes to the permits tables.

* ``applications`` — the permit application and its documents, delivery and green channel;
* ``prechecks`` — pre-check slots, bookings, findings, the one-time notice and its amendments;
* ``channels`` — door-to-door service requests (measure 1).
"""
