"""The staff queue says what it said before it was made fast (ADR 0033).

Its rows are one fragment filled per row, its filter fields and the footer's contact are kept in
the process, and its count comes with its page. What a member of staff reads must not change: the
reference and its link, the venue (escaped), the brigade, the path, the status, the statutory date
with its 暂定, overdue and due-soon marks, the green-channel and pre-check badges, the phone card
labels (st-stack, ADR 0029), and no applicant's personal numbers. The rows are compared with the
row markup the page had before, rendered here by Django's templates from the same applications.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from lishui_fire.core.pagination import CappedCountPaginator
from permits import rules, selectors
from permits.models import PermitApplication
from permits.tests.factories import make_application, make_booking, make_slot

pytestmark = pytest.mark.django_db

# The queue's row as permits/staff/queue.html wrote it before ADR 0033: a {% url %}, the model's
# labels and the _due.html include per row.
BEFORE = Template(
    """{% load i18n %}{% for row in rows %}{% with a=row.application %}
    <tr{% if row.due_state == 'overdue' %} class="st-row-overdue"{% endif %}>
      <th scope="row"><a href="{% url 'permits:staff_application' a.pk %}">{{ a.reference }}</a></th>
      <td data-label="{% translate "场所" %}">{{ a.venue_name }}<br><small>{{ a.brigade.display_name }}</small></td>
      <td data-label="{% translate "办理方式" %}">{{ a.get_path_display }}</td>
      <td data-label="{% translate "状态" %}" class="st-key">{{ a.get_status_display }}</td>
      <td data-label="{% translate "最近期限" %}" class="st-key">{% include "permits/staff/_due.html" with due=a.next_due provisional=a.due_provisional state=row.due_state %}</td>
      <td data-label="{% translate "标记" %}">{% if a.green_channel %}<span class="badge st-green">{% translate "绿色通道" %}</span> {% endif %}{% if a.precheck_id %}<span class="badge">{% translate "已预约体检" %}</span>{% endif %}</td>
    </tr>
  {% endwith %}{% endfor %}"""
)


def _open(citizen, *, days_due, green=False, precheck=None, provisional=False, **kw):
    application = make_application(citizen, status="submitted", with_materials=False, **kw)
    today = timezone.localdate()
    PermitApplication.objects.filter(pk=application.pk).update(
        next_due=None if days_due is None else today + dt.timedelta(days=days_due),
        due_provisional=provisional,
        green_channel=green,
        green_channel_reason="重点项目" if green else "",
        precheck=precheck,
    )
    return application


@pytest.fixture
def varied(citizen, inspector):
    booking = make_booking(citizen, make_slot(inspector))
    return [
        _open(citizen, days_due=-3),  # overdue
        _open(citizen, days_due=1, path="commitment"),  # due soon
        _open(citizen, days_due=30, provisional=True),  # 暂定
        _open(citizen, days_due=9, green=True, precheck=booking),
        _open(citizen, days_due=None, venue_name="<script>alert(\"x\")</script> & 'q'"),
        _open(citizen, days_due=4),  # accepted below
    ]


def _tbody(html: str) -> str:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return _squeeze(body)


def _squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\s*([<>])\s*", r"\1", html)).strip()


def _before(pks: list[int]) -> str:
    today = timezone.localdate()
    by_pk = PermitApplication.objects.select_related("brigade").in_bulk(pks)
    rows = [
        {"application": by_pk[pk], "due_state": rules.due_state(by_pk[pk].next_due, today)}
        for pk in pks
    ]
    return _squeeze(BEFORE.render(Context({"rows": rows})))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rows_read_as_they_did(varied, client_for, inspector, citizen, language):
    PermitApplication.objects.filter(pk=varied[-1].pk).update(status="accepted")
    client = client_for(inspector)
    with translation.override(language):
        response = client.get(reverse("permits:queue"), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        pks = [r["application"].pk for r in response.context["rows"]]
        assert sorted(pks) == sorted(a.pk for a in varied)
        assert _tbody(response.content.decode()) == _before(pks)


def test_what_staff_read_in_a_row(varied, client_for, inspector, citizen):
    PermitApplication.objects.filter(pk=varied[-1].pk).update(status="accepted")
    overdue = varied[0]
    html = client_for(inspector).get(reverse("permits:queue")).content.decode()
    row = html.split(overdue.reference)[0].rsplit("<tr", 1)[1]
    assert row.startswith(' class="st-row-overdue">')
    detail = reverse("permits:staff_application", args=[overdue.pk])
    assert f'<a href="{detail}">{overdue.reference}</a>' in html
    due = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    assert (
        f'<time datetime="{due}">{due}</time></span> <span class="badge overdue">已逾期</span>'
        in html
    )
    assert '<span class="badge st-due-soon">即将到期</span>' in html
    assert 'class="badge provisional"' in html  # the 暂定 mark of a provisional date
    assert (
        '<span class="badge st-green">绿色通道</span> <span class="badge">已预约体检</span>' in html
    )
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;" in html
    assert "<script>alert" not in html
    assert '<td data-label="最近期限" class="st-key">—</td>' in html  # no date yet
    assert html.count('data-label="场所"') == len(varied)  # every row is a phone card
    assert '<table class="st-table st-stack">' in html
    # No applicant's personal numbers on a list (the detail page masks and audits them).
    for number in (overdue.contact_phone, overdue.unit_uscc, citizen.phone):
        if number:
            assert number not in html


def test_the_filter_keeps_its_choice_and_says_when_a_value_is_wrong(varied, client_for, inspector):
    client = client_for(inspector)
    wrong = client.get(reverse("permits:queue"), {"status": "nonsense"}).content.decode()
    assert 'class="error-summary"' in wrong
    assert 'aria-invalid="true"' in wrong
    again = client.get(reverse("permits:queue"), {"status": "nonsense"}).content.decode()
    assert 'class="error-summary"' in again  # a form with errors is never served from memory
    chosen = client.get(reverse("permits:queue"), {"status": "accepted"}).content.decode()
    assert 'class="error-summary"' not in chosen
    assert '<option value="accepted" selected>' in chosen
    plain = client.get(reverse("permits:queue")).content.decode()
    assert '<option value="accepted" selected>' not in plain
    with translation.override("en"):
        english = client.get(reverse("permits:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-label="Venue"' in english
    assert "全部待办" not in english.split("st-filter", 1)[1].split("</form>", 1)[0]


@pytest.mark.parametrize("limit", [1000, 4])
@pytest.mark.parametrize("number", ["1", "2", "3", "99", "0", "-1", "x", "2.0", None, str(2**63)])
def test_the_count_with_the_page_pages_as_the_count_before_it(
    citizen, inspector, settings, limit, number
):
    settings.LIST_EXACT_COUNT_LIMIT = limit
    for days in range(12):
        _open(citizen, days_due=days)
    rows = selectors.staff_queue_page(user=inspector)

    def read(paginator):
        page = paginator.get_page(number)
        return (
            [a.pk for a in page.object_list],
            page.number,
            paginator.count,
            paginator.count_exact,
            page.has_next(),
            page.has_previous(),
        )

    together = read(CappedCountPaginator(rows, 5, count_with_page=True))
    assert together == read(CappedCountPaginator(rows, 5))


def test_a_page_past_the_rows_of_a_capped_count_is_its_last_page(
    citizen, client_for, inspector, settings
):
    settings.LIST_EXACT_COUNT_LIMIT = 3
    made = [_open(citizen, days_due=days) for days in range(30)]
    response = client_for(inspector).get(reverse("permits:queue"), {"page": 9999})
    assert response.status_code == 200  # was an EmptyPage: a 500
    assert response.context["page_obj"].number == 1  # 3 counted rows: one page of 25
    assert len(response.context["rows"]) == 25
    assert {r["application"].pk for r in response.context["rows"]} <= {a.pk for a in made}


def test_an_empty_queue_says_so(client_for, inspector):
    response = client_for(inspector).get(reverse("permits:queue"))
    assert "没有待办的申请。" in response.content.decode()
    assert response.context["page_obj"].paginator.count == 0


def test_the_wsgi_worker_freezes_what_it_loaded():
    """The loaded apps are moved out of the collector's generations (ADR 0033): a full
    collection of a request's garbage no longer scans them."""
    import gc
    import importlib

    import lishui_fire.wsgi

    importlib.reload(lishui_fire.wsgi)
    assert gc.get_freeze_count() > 10_000
    gc.unfreeze()
