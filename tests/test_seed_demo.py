"""The demo world of ``manage.py seed_demo``: the accounts of API.md and a believable registry."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from lishui_fire.accounts.models import Role, User
from lishui_fire.core.management.commands.seed_demo import DEMO_PASSWORD
from lishui_fire.core.validators import is_valid_mainland_mobile, is_valid_uscc
from lishui_fire.enterprises.models import CreditRatingChange, Enterprise

DEMO_ACCOUNTS = {
    # username: (role, org unit code)
    "citizen1": (Role.APPLICANT, None),
    "citizen2": (Role.APPLICANT, None),
    "inspector1": (Role.INSPECTOR, "LD"),
    "inspector2": (Role.INSPECTOR, "LD"),
    "inspector3": (Role.INSPECTOR, "LQ"),
    "supervisor1": (Role.BRIGADE_SUPERVISOR, "LD"),
    "chief1": (Role.DETACHMENT_SUPERVISOR, "LS"),
    "admin": (Role.ADMINISTRATOR, None),
}


@pytest.fixture
def seeded(demo_world, db):
    """The demo world, seeded once for this module (conftest's ``demo_world``)."""


def _row_counts() -> dict[str, int]:
    """Rows in every table of the portal's own apps (accounts, core, the registry, permits …)."""
    from django.apps import apps
    from django.conf import settings

    ours = str(settings.BASE_DIR)
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_config.path.startswith(ours) and "site-packages" not in model.__module__
    }


def test_seeding_twice_creates_nothing_new(seeded):
    """The one idempotency test of ``seed_demo`` (every app's ``demo.seed`` included)."""
    first = _row_counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _row_counts() == first
    for label in (
        "accounts.User",
        "enterprises.Enterprise",
        "enterprises.CreditRatingChange",
        "permits.PermitApplication",
        "permits.PermitDocument",
        "permits.Material",
        "permits.Delivery",
        "permits.PrecheckSlot",
        "permits.PrecheckBooking",
        "permits.Finding",
        "permits.HomeServiceRequest",
        "permits.DecisionProposal",
        "core.StatusChange",
    ):
        assert first[label] > 0, label
    assert first["enterprises.Enterprise"] >= 190


def test_every_demo_account_signs_in_with_the_demo_password(seeded):
    for username in DEMO_ACCOUNTS:
        client = Client()
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, f"{username} could not sign in"
        assert client.session.get("_auth_user_id") == str(User.objects.get(username=username).pk)


def test_demo_accounts_have_the_roles_and_brigades_of_the_api_contract(seeded):
    for username, (role, unit) in DEMO_ACCOUNTS.items():
        user = User.objects.get(username=username)
        assert user.role == role, username
        assert (user.org_unit.code if user.org_unit else None) == unit, username
        assert user.real_name
        assert user.real_name != username
        if user.phone:
            assert is_valid_mainland_mobile(user.phone)
    admin = User.objects.get(username="admin")
    assert admin.is_staff
    assert admin.is_superuser
    assert not User.objects.get(username="chief1").is_superuser


def test_demo_registry_covers_all_nine_brigades_with_valid_codes(seeded):
    enterprises = list(Enterprise.objects.select_related("brigade"))
    assert 190 <= len(enterprises) <= 210
    per_brigade = Counter(e.brigade.code for e in enterprises)
    assert set(per_brigade) == {"LD", "LQ", "QT", "JY", "SC", "SY", "YH", "QY", "JN"}
    assert all(is_valid_uscc(e.uscc) for e in enterprises)
    # Positions 3–8 of the code are the county's division code.
    assert all(e.uscc[2:8] == e.brigade.division_code for e in enterprises)
    assert all(e.name.startswith(("丽水市莲都区", e.brigade.division_name)) for e in enterprises)
    assert len({e.name for e in enterprises}) == len(enterprises)
    assert {e.credit_rating for e in enterprises} == {"A", "B", "C", "D"}
    assert len({e.venue_type for e in enterprises}) >= 8


def test_each_demo_enterprise_has_its_initial_rating_on_record(seeded):
    for enterprise in Enterprise.objects.prefetch_related("rating_changes"):
        changes = list(enterprise.rating_changes.all())
        assert len(changes) == 1
        assert changes[0].reason == "初始评定"
        assert changes[0].to_rating == enterprise.credit_rating


def test_a_rerun_keeps_a_rating_changed_since_with_its_history(seeded):
    enterprise = Enterprise.objects.order_by("uscc").first()
    enterprise.credit_rating = "D"
    enterprise.save()
    CreditRatingChange.objects.create(
        enterprise=enterprise, from_rating="B", to_rating="D", reason="重大火灾隐患拒不整改"
    )
    call_command("seed_demo", stdout=io.StringIO())
    enterprise.refresh_from_db()
    assert enterprise.credit_rating == "D"
    assert enterprise.rating_changes.count() == 2


def test_supervisor1_finds_a_proposal_waiting_and_the_window_on_the_dashboard(seeded):
    """The lived-in world of ``make run``: the overview says a proposal waits, the pending page
    lists it with the inspector's name, and the dashboard's channel table counts the window."""
    from permits.models import DecisionProposal

    client = Client()
    assert (
        client.post(
            reverse("accounts:login"), {"username": "supervisor1", "password": DEMO_PASSWORD}
        ).status_code
        == 302
    )
    overview = client.get(reverse("core:overview")).content.decode()
    assert '待您审批的拟办意见 <span class="count">1</span>' in overview
    pending = DecisionProposal.objects.get(status="pending")
    html = client.get(reverse("permits:staff_proposals")).content.decode()
    assert pending.application.reference in html
    assert pending.application.venue_name in html
    assert pending.proposed_by.real_name in html
    dashboard = client.get(reverse("permits:dashboard")).content.decode()
    channels = dashboard.split('id="tbl-pd-channel"')[1].split("</table>")[0]
    assert '<th scope="row">窗口申请</th><td>3</td>' in channels
