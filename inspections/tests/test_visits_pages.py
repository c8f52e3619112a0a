"""The inspectors' pages: who sees which inspections, overdue dates flagged, the phone form
(one h1, every field labelled), bad input answered with a message and no change, and the list's
query count constant."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Inspection, InspectionStatus
from inspections.tests.visits_helpers import (
    add_finding,
    all_pass,
    confirm_both,
    fresh,
    make_inspection,
    make_officer,
    record,
)

S = InspectionStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(org_units):
    return make_officer("LD", username="page-partner", real_name="王检查")


@pytest.fixture
def mine(inspector, partner):
    return make_inspection([inspector, partner])


@pytest.fixture
def colleagues(org_units):
    """An LD inspection the inspector persona is not on."""
    return make_inspection([make_officer("LD"), make_officer("LD")])


def _overdue(team):
    """Ordered to correct 8 working days ago with the notice never served: overdue."""
    inspection = make_inspection(team)
    add_finding(inspection, team[0])
    visited = timezone.now() - dt.timedelta(days=14)
    record(
        inspection,
        team[0],
        "ordered_to_correct",
        visited_at=visited,
        rectify_by=timezone.localdate() + dt.timedelta(days=20),
    )
    return confirm_both(inspection, *team)


def test_an_inspector_sees_only_their_own_and_a_supervisor_the_brigades(
    client_for, inspector, supervisor, chief, legal_officer, mine, colleagues
):
    url = reverse("inspections:visit_list")
    own = client_for(inspector).get(url).content.decode()
    assert mine.reference in own
    assert colleagues.reference not in own
    for reader in (supervisor, chief, legal_officer):
        page = client_for(reader).get(url).content.decode()
        assert mine.reference in page
        assert colleagues.reference in page
    detail = reverse("inspections:visit_detail", args=[colleagues.pk])
    assert client_for(inspector).get(detail).status_code == 404


def test_other_brigades_applicants_and_the_discipline_officer_are_kept_out(
    client_for, mine, other_inspector, citizen, discipline_officer
):
    detail = reverse("inspections:visit_detail", args=[mine.pk])
    assert client_for(other_inspector).get(detail).status_code == 404
    for outsider in (citizen, discipline_officer):
        assert client_for(outsider).get(reverse("inspections:visit_list")).status_code == 403
        assert client_for(outsider).get(detail).status_code == 403


def test_overdue_clocks_are_flagged_for_the_inspector_and_the_supervisor(
    client_for, inspector, partner, supervisor
):
    late = _overdue([inspector, partner])
    assert fresh(late).next_due < timezone.localdate()
    for user in (inspector, supervisor):
        page = client_for(user).get(reverse("inspections:visit_list")).content.decode()
        card = page[page.index(late.enterprise.name) - 400 : page.index(late.enterprise.name)]
        assert "iv-card-overdue" in card
        assert "已逾期" in page


def test_the_list_costs_the_same_queries_for_two_or_ten_inspections(
    client_for, inspector, partner, django_assert_num_queries
):
    client = client_for(inspector)
    url = reverse("inspections:visit_list")
    for _n in range(2):
        make_inspection([inspector, partner])
    client.get(url)  # warm the session and the caches
    # No session write; the user's unit comes with the user, the footer's contact from memory
    # (ADR 0033).
    with django_assert_num_queries(5) as few:
        client.get(url)
    for _n in range(8):
        make_inspection([inspector, partner])
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_phone_form_has_one_h1_and_a_label_for_every_field(client_for, inspector, mine):
    page = client_for(inspector).get(reverse("inspections:visit_log", args=[mine.pk]))
    html = page.content.decode()
    assert html.count("<h1") == 1
    assert 'name="viewport"' in html
    ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html))
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    assert ids
    assert ids <= labelled, sorted(ids - labelled)
    assert 'accept="image/jpeg,image/png"' in html


def test_logging_the_visit_on_the_page(client_for, inspector, partner, mine):
    client = client_for(inspector)
    url = reverse("inspections:visit_log", args=[mine.pk])
    data = {
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "result": "no_problem",
        **all_pass(mine),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert fresh(mine).status == S.RECORDED
    detail = client.get(reverse("inspections:visit_detail", args=[mine.pk])).content.decode()
    assert "我已核对，确认检查记录" in detail
    client.post(reverse("inspections:visit_confirm", args=[mine.pk]))
    client_for(partner).post(reverse("inspections:visit_confirm", args=[mine.pk]))
    assert fresh(mine).status == S.CLOSED


def test_a_record_with_mistakes_is_answered_on_the_form_and_changes_nothing(
    client_for, inspector, mine
):
    url = reverse("inspections:visit_log", args=[mine.pk])
    response = client_for(inspector).post(
        url,
        {
            "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "result": "ordered_to_correct",
            **all_pass(mine),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "该检查结果须至少记录一个发现的问题" in html
    assert "责令限期改正时请填写整改期限" in html
    assert fresh(mine).status == S.ASSIGNED
    garbage = client_for(inspector).post(url, {"visited_at": "not a date", "result": "??"})
    assert garbage.status_code == 400
    assert fresh(mine).status == S.ASSIGNED


def test_a_photo_that_is_not_an_image_is_refused_with_a_message(client_for, inspector, mine):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from inspections.tests.visits_helpers import violation

    response = client_for(inspector).post(
        reverse("inspections:visit_finding_add", args=[mine.pk]),
        {
            "violation": violation().pk,
            "description": "疏散指示标志损坏",
            "location": "一层",
            "photo": SimpleUploadedFile("x.png", b"MZ not an image", content_type="image/png"),
        },
    )
    assert response.status_code == 400
    assert "只能上传 JPEG 或 PNG 图片" in response.content.decode()
    assert not mine.findings.exists()


def test_a_supervisor_plans_the_date_but_cannot_log_or_confirm(client_for, supervisor, mine):
    client = client_for(supervisor)
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    client.post(reverse("inspections:visit_schedule", args=[mine.pk]), {"planned_date": day})
    assert fresh(mine).status == S.SCHEDULED
    assert client.get(reverse("inspections:visit_log", args=[mine.pk])).status_code == 403
    assert client.post(reverse("inspections:visit_confirm", args=[mine.pk])).status_code == 403


def test_an_illegal_move_on_the_page_shows_the_reason(client_for, inspector, partner, mine):
    record(mine, inspector, "no_problem")
    confirm_both(mine, inspector, partner)
    response = client_for(inspector).post(
        reverse("inspections:visit_return", args=[mine.pk]), {"reason": "晚了"}, follow=True
    )
    assert "只有已提交、待确认的检查记录才能退回修改" in response.content.decode()
    assert Inspection.objects.get(pk=mine.pk).status == S.CLOSED


def test_the_list_leads_each_officer_to_the_roster_pages_they_may_open(
    client_for, inspector, supervisor, legal_officer
):
    """The recusal register is reached from the officer's own workbench: an inspector declares a
    conflict there, a supervisor also opens the register and the roster of certificates."""
    url = reverse("inspections:visit_list")
    declare = reverse("inspections:my_conflicts")
    register = reverse("inspections:conflict_register")
    certificates = reverse("inspections:certificates")
    own = client_for(inspector).get(url).content.decode()
    assert f'href="{declare}"' in own
    assert f'href="{register}"' not in own
    boss = client_for(supervisor).get(url).content.decode()
    assert f'href="{register}"' in boss
    assert f'href="{certificates}"' in boss
    legal = client_for(legal_officer).get(url).content.decode()
    assert f'href="{register}"' not in legal
    for link in (declare, register, certificates):
        if f'href="{link}"' in boss:
            assert client_for(supervisor).get(link).status_code == 200
