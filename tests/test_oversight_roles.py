"""Guard: the two oversight roles open no page an app has not opened to them on purpose.

Every named page of the permits app and the registry is requested (parameters filled with dummy
values, as in the login guard) by the discipline officer and the legal officer; a page that
answers 200 must be on the allow-list below, which repeats the decisions in
``permits/policies.py`` and ``lishui_fire/enterprises/policies.py``. A new page is closed to them
until a policy says otherwise.
"""

import pytest

from tests.test_guards import _concrete_paths

pytestmark = pytest.mark.django_db

APPS = ("/permits/", "/enterprises/")
# Open to every signed-in user: the measure's page and the calendar of free pre-check slots; the
# public list of free slots is open to anyone at all (ADR 0027).
EVERYONE = {"permits:index", "permits:precheck_slots", "permits:public_slots"}
OPEN_TO = {
    "discipline_officer": EVERYONE,
    # Reads the applications of their unit, the decisions proposed on them (ADR 0034) and the
    # registry (and its credit scale, which the penalties it checks refer to); decides nothing.
    "legal_officer": EVERYONE
    | {
        "permits:queue",
        "permits:overdue",
        "permits:staff_proposals",
        "enterprises:list",
        "enterprises:credit_scale",
    },
}


@pytest.mark.parametrize("persona", sorted(OPEN_TO))
def test_the_oversight_roles_open_only_what_their_policies_allow(personas, client_for, persona):
    client = client_for(personas[persona])
    opened = set()
    for name, path in sorted(_concrete_paths().items()):
        if not path.startswith(APPS):
            continue
        response = client.get(path)
        assert response.status_code in (200, 302, 403, 404, 405), (name, response.status_code)
        if response.status_code == 200:
            opened.add(name)
    assert opened <= OPEN_TO[persona], sorted(opened - OPEN_TO[persona])
    assert opened >= EVERYONE
