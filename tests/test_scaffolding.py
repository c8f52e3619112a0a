"""The test scaffolding of the root conftest works: access tables, query-count pins, factories."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conftest import LOGIN, PERSONAS, EnterpriseFactory, access_cases, assert_status

pytestmark = pytest.mark.django_db


# Kernel pages for every persona: the overview is for staff, the password page for anyone signed in.
@pytest.mark.access(
    {
        "GET /overview/": (403, 403, 200, 200, 200, 200, 200, 200, 200, LOGIN),
        "GET /accounts/password/change/": (200, 200, 200, 200, 200, 200, 200, 200, 200, LOGIN),
        "GET /": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    }
)
def test_kernel_pages(call_as, endpoint, persona, expected):
    assert_status(call_as(persona, endpoint), expected)


@pytest.mark.access(
    owner=200, other_applicant=200, inspector=200, other_brigade_inspector=200,
    supervisor=200, chief=200, administrator=200, legal_officer=200, discipline_officer=200,
    anonymous=401,
)  # fmt: skip
def test_a_one_row_table_by_persona_name(call_as, persona, expected):
    assert_status(call_as(persona, "GET /api/v1/permits/"), expected)


def test_the_access_marker_makes_one_case_per_endpoint_and_persona(request):
    ids = [
        item.callspec.id
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_kernel_pages"
    ]
    assert len(ids) == 3 * len(PERSONAS)
    assert "GET /overview/-supervisor-200" in ids


def test_a_table_missing_a_persona_is_an_error():
    with pytest.raises(ValueError, match="9 statuses for 10 roles"):
        access_cases((200,) * (len(PERSONAS) - 1))
    with pytest.raises(ValueError, match=r"no status for \['anonymous'\]"):
        access_cases({"GET /": dict.fromkeys(PERSONAS[:-1], 200)})
    names, params, _ids = access_cases((1, 2), roles=("a", "b"))
    assert names == ("persona", "expected")
    assert params == [("a", 1), ("b", 2)]


class GrowingPage:
    """A fake client whose page costs one query per row (an N+1 bug)."""

    def __init__(self):
        self.rows = 1

    def get(self, url):
        from lishui_fire.accounts.models import User

        for _ in range(self.rows):
            User.objects.exists()
        return SimpleNamespace(status_code=200)


def test_a_query_pin_is_exact(assert_num_queries_constant):
    page = GrowingPage()
    assert_num_queries_constant(page, "/x/", lambda: None, expected=1)
    page.rows = 2
    with pytest.raises(AssertionError, match="2 queries, pinned at 1"):
        assert_num_queries_constant(page, "/x/", lambda: None, expected=1)


def test_a_query_pin_catches_a_page_that_grows_with_its_rows(assert_num_queries_constant):
    page = GrowingPage()

    def more_rows():
        page.rows = 5

    with pytest.raises(AssertionError, match="5 queries with more rows"):
        assert_num_queries_constant(page, "/x/", more_rows, expected=1)


def test_enterprise_factory_makes_valid_registered_enterprises(make_enterprise, org_units):
    from lishui_fire.core.validators import is_valid_uscc

    first, second = make_enterprise(), make_enterprise(brigade=org_units["LQ"])
    assert first.uscc != second.uscc
    assert is_valid_uscc(first.uscc)
    first.full_clean()
    assert second.brigade.code == "LQ"
    assert EnterpriseFactory._meta.model.objects.count() == 2
