"""The staff pages: queue order, filters and paging; the overdue list; the dashboard; the
inspector's day; the audited phone reveal; door-to-door service; the admin's read-only status.
Every list costs the same number of queries for 3 rows as for 15."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from lishui_fire.accounts.models import OrgUnit
from permits.models import HomeServiceRequest, PermitApplication, SiteVisit
from permits.services import applications as services
from permits.services import channels
from permits.tests.factories import decide, make_application, make_booking, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def open_application(citizen, *, days_due=5, green=False, precheck=None, path="inspection", **kw):
    """An open application with its statutory date set directly (test set-up)."""
    application = make_application(citizen, status="submitted", path=path, **kw)
    PermitApplication.objects.filter(pk=application.pk).update(
        next_due=timezone.localdate() + dt.timedelta(days=days_due),
        accept_due=timezone.localdate() + dt.timedelta(days=days_due),
        green_channel=green,
        green_channel_reason="重点项目" if green else "",
        precheck=precheck,
    )
    application.refresh_from_db()
    return application


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


# --- Queue ---------------------------------------------------------------------------------------------
def test_queue_puts_green_channel_first_then_the_nearest_date(client_for, citizen, inspector):
    late_green = open_application(citizen, days_due=9, green=True)
    soon = open_application(citizen, days_due=1)
    later = open_application(citizen, days_due=4)
    overdue = open_application(citizen, days_due=-2)
    response = client_for(inspector).get(reverse("permits:queue"))
    rows = [r["application"].pk for r in response.context["rows"]]
    assert rows == [late_green.pk, overdue.pk, soon.pk, later.pk]
    html = response.content.decode()
    assert "绿色通道" in html
    assert "已逾期" in html
    assert "即将到期" in html


def test_queue_marks_a_precheck_and_filters_by_status_and_path(client_for, citizen, inspector):
    booking = make_booking(citizen, make_slot(inspector))
    with_precheck = open_application(citizen, precheck=booking)
    commitment = open_application(citizen, path="commitment")
    client = client_for(inspector)
    response = client.get(reverse("permits:queue"))
    assert "已预约体检" in response.content.decode()
    flags = {r["application"].pk: r["application"].has_precheck for r in response.context["rows"]}
    assert flags == {with_precheck.pk: True, commitment.pk: False}

    response = client.get(reverse("permits:queue"), {"path": "commitment"})
    assert [r["application"].pk for r in response.context["rows"]] == [commitment.pk]
    response = client.get(reverse("permits:queue"), {"status": "accepted"})
    assert response.context["rows"] == []
    # A bad filter value drops that filter with a message; never a 500.
    response = client.get(reverse("permits:queue"), {"status": "nonsense"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2


def test_queue_pages_by_25(client_for, citizen, inspector):
    for i in range(27):
        open_application(citizen, days_due=i)
    client = client_for(inspector)
    first = client.get(reverse("permits:queue"))
    assert len(first.context["rows"]) == 25
    second = client.get(reverse("permits:queue"), {"page": 2})
    assert len(second.context["rows"]) == 2
    assert client.get(reverse("permits:queue"), {"page": "x"}).status_code == 200


DAY = dt.timedelta(days=2)


def make_rows(citizen, inspector, n, offset):
    """n open applications (some green, some overdue, some with a pre-check), n pre-checks and n
    accepted applications due on the day two days from now, and n scheduled home visits."""
    day = timezone.localdate() + DAY
    for i in range(offset, offset + n):
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0))) + dt.timedelta(
            minutes=10 * i
        )
        booking = make_booking(citizen, make_slot(inspector, starts_in=starts - timezone.now()))
        open_application(
            citizen, days_due=i % 7 - 3, green=i % 3 == 0, precheck=booking if i % 2 else None
        )
        accepted = make_application(citizen, status="accepted", path="inspection")
        PermitApplication.objects.filter(pk=accepted.pk).update(next_due=day, handled_by=inspector)
        home = HomeServiceRequest.objects.create(
            brigade=inspector.org_unit,
            source="phone",
            contact_name=f"联系人{i}",
            contact_phone=f"138578{i:05d}",
            address="丽水市莲都区",
            reason="elderly",
            status="scheduled",
            appointment_at=starts,
            assigned_to=inspector,
        )
        assert home.pk


@pytest.mark.parametrize(
    ("name", "user"),
    [
        ("permits:queue", "inspector"),
        ("permits:overdue", "inspector"),
        ("permits:dashboard", "supervisor"),
        ("permits:dashboard", "chief"),
        ("permits:today", "inspector"),
        ("permits:staff_home_services", "inspector"),
    ],
)
def test_list_pages_cost_the_same_queries_for_3_and_15_rows(
    client_for, personas, citizen, inspector, name, user
):
    client = client_for(personas[user])
    url = reverse(name)
    if name == "permits:today":
        url += "?date=" + (timezone.localdate() + DAY).isoformat()
    client.get(url)  # the kernel calendar and the session are cached after a first request
    make_rows(citizen, inspector, 3, 0)
    client.get(url)  # warms the per-process caches (content types of the audited views)
    few, response = count_queries(client, url)
    make_rows(citizen, inspector, 12, 3)
    many, response = count_queries(client, url)
    assert few == many
    if name == "permits:queue":
        assert response.context["page_obj"].paginator.count == 15 + 15  # accepted ones too
    if name == "permits:today":
        assert len(response.context["booking_rows"]) == 15
        assert len(response.context["visit_rows"]) == 15
        assert len(response.context["home_visits"]) == 15


# --- Overdue list ---------------------------------------------------------------------------------
def test_overdue_list_sorted_by_how_overdue(client_for, citizen, inspector, other_inspector):
    a = open_application(citizen, days_due=-1)
    b = open_application(citizen, days_due=-7)
    open_application(citizen, days_due=3)
    open_application(citizen, days_due=-4, brigade="LQ")
    response = client_for(inspector).get(reverse("permits:overdue"))
    rows = response.context["rows"]
    assert [r["application"].pk for r in rows] == [b.pk, a.pk]
    assert [r["days"] for r in rows] == [7, 1]
    html = response.content.decode()
    assert "逾期 7 天" in html
    assert 'class="badge overdue"' in html
    other = client_for(other_inspector).get(reverse("permits:overdue"))
    assert len(other.context["rows"]) == 1


# --- Dashboard --------------------------------------------------------------------------------------
def test_dashboard_counts_and_rates(client_for, citizen, inspector, supervisor, chief, settings):
    settings.PRECHECK_PUNCTUALITY_GRACE_MINUTES = 15
    open_application(citizen, days_due=-3)
    open_application(citizen, days_due=2, green=True)
    open_application(citizen, brigade="LQ", days_due=-1)
    # First inspections: one with a pre-check (passed), two without (one passed).
    booking = make_booking(citizen, make_slot(inspector, starts_in=dt.timedelta(days=-2)))
    for precheck, passed in ((booking, True), (None, True), (None, False)):
        app = make_application(citizen, status="inspected", path="inspection")
        PermitApplication.objects.filter(pk=app.pk).update(
            first_inspection_passed=passed, precheck=precheck
        )
    # Punctuality: one on time (10 minutes late), one late (40 minutes).
    for minutes in (10, 40):
        slot = make_slot(inspector, starts_in=dt.timedelta(days=-1, hours=minutes))
        make_booking(
            citizen,
            slot,
            status="notice_issued",
            arrived_at=slot.starts_at + dt.timedelta(minutes=minutes),
        )
    response = client_for(supervisor).get(reverse("permits:dashboard"))
    ctx = response.context
    assert ctx["overdue_count"] == 1  # LD only
    assert ctx["open_count"] == 5
    assert [r["application"].venue_name for r in ctx["green_rows"]]
    assert len(ctx["green_rows"]) == 1
    ld = next(p for p in ctx["punctuality"] if p["brigade"].code == "LD")
    assert (ld["attended"], ld["on_time"], ld["rate"]) == (2, 1, "50%")
    assert len(ctx["punctuality"]) == 1
    passes = {r["total"]: r for r in ctx["pass_rows"]}
    assert passes[1]["rate"] == "100%"
    assert passes[2]["rate"] == "50%"
    assert ctx["brigades"] is None  # the per-brigade table is for the detachment

    chief_ctx = client_for(chief).get(reverse("permits:dashboard")).context
    assert chief_ctx["overdue_count"] == 2
    by_code = {r["brigade"].code: r for r in chief_ctx["brigades"]["rows"]}
    assert by_code["LQ"]["overdue"] == 1
    assert by_code["LD"]["green"] == 1
    assert len(chief_ctx["punctuality"]) == OrgUnit.objects.filter(kind="brigade").count()


def test_overview_links_the_dashboard_for_supervisors(client_for, supervisor, inspector):
    response = client_for(supervisor).get(reverse("core:overview"))
    assert reverse("permits:dashboard") in response.content.decode()
    response = client_for(inspector).get(reverse("core:overview"))
    assert reverse("permits:dashboard") not in response.content.decode()


# --- Inspector's day ----------------------------------------------------------------------------
def test_day_view_shows_prechecks_due_visits_and_home_visits(client_for, citizen, inspector):
    now = timezone.localtime()
    tomorrow = now.date() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(9, 30)))
    slot = make_slot(inspector, starts_in=start - timezone.now())
    make_booking(citizen, slot, venue_name="星光KTV")
    accepted = services.accept_application(
        application=services.submit_application(
            application=make_application(citizen, path="inspection"), actor=citizen
        ),
        actor=inspector,
    )
    PermitApplication.objects.filter(pk=accepted.pk).update(next_due=tomorrow)
    home = channels.request_home_service(
        actor=inspector,
        brigade=inspector.org_unit,
        contact_name="赵六",
        contact_phone="13857800003",
        address="丽水市莲都区紫金路 3 号",
        reason="mobility",
    )
    channels.schedule_home_service(
        request=home,
        actor=inspector,
        appointment_at=timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(15, 0))),
        assigned_to=inspector,
    )
    client = client_for(inspector)
    response = client.get(reverse("permits:today"), {"date": tomorrow.isoformat()})
    html = response.content.decode()
    assert "<h1>今日工作</h1>" in html
    assert "星光KTV" in html
    assert "09:30" in html
    assert accepted.venue_name in html
    assert "赵六" in html
    # The inspector calls from here: the full number as a tel: link (audited, below).
    assert '<a class="st-tel" href="tel:13857800003">13857800003</a>' in html
    assert response.context["day"] == tomorrow
    # Today has none of it on the day itself, and shows it among the coming visits.
    today = client.get(reverse("permits:today"))
    assert today.context["day"] == now.date()
    assert today.context["booking_rows"] == []
    coming = [(row["kind"], row["obj"].pk) for row in today.context["coming_rows"]]
    # The inspection due tomorrow leads the day (a due date has no hour).
    assert coming == [
        ("application", accepted.pk),
        ("booking", slot.bookings.get().pk),
        ("home", home.pk),
    ]


def test_day_view_numbers_are_tel_links_and_every_showing_is_audited(
    client_for, citizen, inspector
):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(9, 30)))
    booking = make_booking(
        citizen, make_slot(inspector, starts_in=start - timezone.now()), contact_phone="13957800021"
    )
    client = client_for(inspector)
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()

    response = client.get(reverse("permits:today"), {"date": tomorrow.isoformat()})

    html = response.content.decode()
    assert 'href="tel:13957800021"' in html
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("pk")[before:]
    assert [(e.object_pk, e.actor_id, e.additional_data["field"]) for e in entries] == [
        (str(booking.pk), inspector.pk, "contact_phone")
    ]
    assert entries[0].remote_addr == "127.0.0.1"


def test_day_view_shows_masked_numbers_without_tel_links_to_who_may_not_reveal(
    client_for, citizen, inspector, other_inspector, make_user
):
    """A detachment-wide reader who does not handle the booking's brigade sees it masked."""
    from permits import policies

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(9, 30)))
    booking = make_booking(
        citizen, make_slot(inspector, starts_in=start - timezone.now()), contact_phone="13957800022"
    )
    viewers = [
        u
        for u in (inspector, make_user("brigade_supervisor", "LD", username="sup-ld2"))
        if not policies.can_reveal_contact_phone(u, booking)
    ]
    for viewer in viewers:  # none today: every viewer of this page handles the brigade
        html = client_for(viewer).get(reverse("permits:today"), {"date": tomorrow.isoformat()})
        assert "13957800022" not in html.content.decode()
    assert policies.can_reveal_contact_phone(inspector, booking)


def test_day_view_addresses_open_a_map(client_for, citizen, inspector):
    from django.utils.html import escape

    from lishui_fire.accounts.contacts import map_url

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(9, 30)))
    make_booking(
        citizen,
        make_slot(inspector, starts_in=start - timezone.now()),
        venue_address="丽水市莲都区紫金路 8 号",
    )
    html = client_for(inspector).get(reverse("permits:today"), {"date": tomorrow.isoformat()})
    assert f'href="{escape(map_url("丽水市莲都区紫金路 8 号"))}"' in html.content.decode()


def test_an_empty_day_leads_to_the_next_day_with_a_visit(client_for, citizen, inspector):
    """Nothing today and nothing in the coming working days: the page names the first day that
    has a visit and links it, instead of a dead end."""
    far = timezone.localdate() + dt.timedelta(days=30)
    start = timezone.make_aware(dt.datetime.combine(far, dt.time(10, 0)))
    make_booking(citizen, make_slot(inspector, starts_in=start - timezone.now()))
    client = client_for(inspector)

    response = client.get(reverse("permits:today"))

    assert response.context["empty"]
    assert response.context["coming_rows"] == []
    assert response.context["next_day_with_visits"] == far
    assert f'href="?date={far.isoformat()}"' in response.content.decode()
    # A day with nothing after it at all says so and offers no link.
    after = client.get(reverse("permits:today"), {"date": far.isoformat()})
    assert after.context["next_day_with_visits"] is None
    assert len(after.context["booking_rows"]) == 1


def test_the_coming_visits_are_the_next_working_days_only(client_for, citizen, inspector):
    from lishui_fire.core.calendar import add_working_days
    from permits.views.staff import COMING_WORKING_DAYS

    today = timezone.localdate()
    last = add_working_days(today, COMING_WORKING_DAYS).date
    inside, outside = [
        make_booking(
            citizen,
            make_slot(
                inspector,
                starts_in=timezone.make_aware(dt.datetime.combine(day, dt.time(16, 0)))
                - timezone.now(),
            ),
            venue_name=name,
        )
        for day, name in (
            (last, "最后一个工作日的场所"),
            (last + dt.timedelta(days=1), "之后的场所"),
        )
    ]
    response = client_for(inspector).get(reverse("permits:today"))
    assert [row["obj"].pk for row in response.context["coming_rows"]] == [inside.pk]
    assert "之后的场所" not in response.content.decode()
    assert outside.pk


# The day view: the session and its user; the day's pre-checks, inspections due and home visits;
# the coming pre-checks, home visits and inspections due; one INSERT auditing every full number
# shown. (The footer's unit comes from memory.)
COMING_QUERIES = 9


def test_a_due_verification_has_its_number_to_call_and_is_among_the_coming_visits(
    client_for, citizen, inspector
):
    """The inspector drives to a verification as to a pre-check: the contact is a tel: link
    (its showing audited like the bookings'), and the coming days list it before it is due."""
    from lishui_fire.core.calendar import add_working_days

    today = timezone.localdate()
    due = add_working_days(today, 1).date
    granted = make_application(citizen, status="approved", path="inspection")
    PermitApplication.objects.filter(pk=granted.pk).update(
        next_due=due, contact_phone="13957800051"
    )
    client = client_for(inspector)
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()

    response = client.get(reverse("permits:today"))

    html = response.content.decode()
    [row] = response.context["visit_rows"]
    assert row["application"].pk == granted.pk
    assert row["tel"] == "tel:13957800051"
    assert html.count('<a class="st-tel" href="tel:13957800051">13957800051</a>') == 2
    assert [(r["kind"], r["obj"].pk) for r in response.context["coming_rows"]] == [
        ("application", granted.pk)
    ]
    assert reverse("permits:staff_application", args=[granted.pk]) in html
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("pk")[before:]
    assert [(e.object_pk, e.actor_id, e.additional_data["field"]) for e in entries] == [
        (str(granted.pk), inspector.pk, "contact_phone")  # once, though shown twice
    ]


def test_the_coming_visits_cost_the_same_queries_for_3_and_15_rows(client_for, citizen, inspector):
    client = client_for(inspector)
    url = reverse("permits:today")  # today: the rows two days ahead are coming visits
    make_rows(citizen, inspector, 3, 0)
    client.get(url)  # warms the per-process caches (content types of the audited views)
    few, response = count_queries(client, url)
    # Each row: a pre-check, an inspection due and a home visit, two days ahead.
    assert len(response.context["coming_rows"]) == 9
    assert few == COMING_QUERIES
    make_rows(citizen, inspector, 12, 3)
    many, response = count_queries(client, url)
    assert len(response.context["coming_rows"]) == 20  # capped: a page, not a report
    assert response.context["coming_full"]
    assert few == many


@pytest.mark.parametrize("bad", ["2026-13-45", "yesterday", "2026/10/01", "9" * 40])
def test_day_view_with_a_bad_date_shows_today_and_says_so(client_for, inspector, bad):
    response = client_for(inspector).get(reverse("permits:today"), {"date": bad})
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    assert "YYYY-MM-DD" in response.content.decode()


# --- Detail page and the audited phone reveal ----------------------------------------------------
def test_detail_shows_materials_timeline_precheck_findings_and_actions(
    client_for, citizen, inspector
):
    from permits.models import Finding

    slot = make_slot(inspector, starts_in=dt.timedelta(days=-3))
    booking = make_booking(
        citizen, slot, status="notice_issued", notice_number="丽莲消告字〔2026〕第0001号"
    )
    Finding.objects.create(
        booking=booking,
        item="疏散指示标志不亮",
        location="二层走道",
        regulation="GB 51309-2018",
        remedy="更换灯具",
        created_by=inspector,
    )
    application = services.submit_application(
        application=make_application(citizen, path="inspection"), actor=citizen
    )
    PermitApplication.objects.filter(pk=application.pk).update(precheck=booking)
    services.accept_application(application=application, actor=inspector)
    response = client_for(inspector).get(
        reverse("permits:staff_application", args=[application.pk])
    )
    html = response.content.decode()
    assert "疏散指示标志不亮" in html
    assert "二层走道" in html
    assert "GB 51309-2018" in html
    assert "待现场检查时逐项核实" in html
    assert "已受理，待检查" in html  # the timeline
    assert "记录现场检查" in html  # the action the status allows …
    assert "准予许可" not in html.split("办理进程")[0].split('<h2 id="h-actions">')[-1]
    assert len(response.context["materials"]) == 4

    SiteVisit.objects.create(
        application=application,
        kind="inspection",
        inspector=inspector,
        visited_at=timezone.now(),
        passed=True,
    )
    html = (
        client_for(inspector)
        .get(reverse("permits:staff_application", args=[application.pk]))
        .content.decode()
    )
    assert "体检发现的问题已整改" in html


def test_revealing_the_phone_is_audited(client_for, citizen, inspector):
    application = services.submit_application(
        application=make_application(citizen, path="inspection"), actor=citizen
    )
    response = client_for(inspector).post(
        reverse("permits:staff_reveal_phone", args=[application.pk])
    )
    assert "13857812345" in response.content.decode()
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor == inspector
    assert entry.object_pk == str(application.pk)
    assert entry.additional_data["field"] == "contact_phone"
    # Viewing the page alone writes nothing.
    client_for(inspector).get(reverse("permits:staff_application", args=[application.pk]))
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 1


# --- Door-to-door service -------------------------------------------------------------------------
def test_phone_request_schedule_and_complete_with_a_linked_application(
    client_for, citizen, inspector, supervisor
):
    client = client_for(supervisor)
    response = client.post(
        reverse("permits:staff_home_services"),
        {
            "contact_name": "孙七",
            "contact_phone": "13857800004",
            "address": "丽水市莲都区中山街 9 号",
            "reason": "disability",
            "needs": "代为提交消防安全检查申请",
        },
    )
    request = HomeServiceRequest.objects.get()
    assert response.status_code == 302
    assert (request.source, request.logged_by, request.brigade.code) == ("phone", supervisor, "LD")

    when = timezone.localtime() + dt.timedelta(days=2)
    url = reverse("permits:staff_home_service_action", args=[request.pk, "schedule"])
    client.post(
        url,
        {
            "schedule-appointment_at": when.strftime("%Y-%m-%dT%H:%M"),
            "schedule-assigned_to": inspector.pk,
        },
    )
    request.refresh_from_db()
    assert request.status == "scheduled"
    assert request.assigned_to == inspector

    application = services.submit_application(
        application=make_application(citizen, path="commitment"), actor=citizen
    )
    url = reverse("permits:staff_home_service_action", args=[request.pk, "complete"])
    response = client.post(
        url,
        {"complete-outcome": "已上门协助提交申请", "complete-reference": application.reference},
        follow=True,
    )
    request.refresh_from_db()
    assert request.status == "done"
    assert request.application == application
    assert "上门服务已办结" in response.content.decode()


def test_home_service_bad_input_is_a_form_error(client_for, inspector, other_inspector):
    client = client_for(inspector)
    response = client.post(
        reverse("permits:staff_home_services"),
        {"contact_name": "孙七", "contact_phone": "12345", "address": "x", "reason": "disability"},
    )
    assert response.status_code == 400
    assert not HomeServiceRequest.objects.exists()
    request = channels.request_home_service(
        actor=inspector,
        brigade=inspector.org_unit,
        contact_name="孙七",
        contact_phone="13857800004",
        address="丽水市莲都区中山街 9 号",
        reason="elderly",
    )
    url = reverse("permits:staff_home_service_action", args=[request.pk, "schedule"])
    past = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(
            url, {"schedule-appointment_at": past, "schedule-assigned_to": inspector.pk}
        ).status_code
        == 400
    )
    # A year typed wrong (2062) is refused, with the reason, and nothing is scheduled.
    far = (timezone.localtime() + dt.timedelta(days=91)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url, {"schedule-appointment_at": far, "schedule-assigned_to": inspector.pk}
    )
    assert response.status_code == 400
    assert "90 天" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "requested"
    # Someone of another brigade cannot be assigned.
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url, {"schedule-appointment_at": future, "schedule-assigned_to": other_inspector.pk}
    )
    assert response.status_code == 400
    complete = reverse("permits:staff_home_service_action", args=[request.pk, "complete"])
    response = client.post(complete, {"complete-outcome": "办结"}, follow=True)
    assert "不能变更为" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "requested"


# --- Admin ------------------------------------------------------------------------------------------
def test_admin_status_is_read_only_and_documents_block_delete(
    client_for, administrator, citizen, inspector
):
    application = services.submit_application(
        application=make_application(citizen, path="commitment"), actor=citizen
    )
    client = client_for(administrator)
    change = reverse("admin:permits_permitapplication_change", args=[application.pk])
    response = client.get(change)
    assert response.status_code == 200
    assert 'name="status"' not in response.content.decode()
    delete = reverse("admin:permits_permitapplication_delete", args=[application.pk])
    assert client.get(delete).status_code == 200  # no documents yet
    decide(application, inspector)
    assert client.get(delete).status_code == 403
    assert client.get(reverse("admin:permits_permitapplication_changelist")).status_code == 200
    response = client.get(
        reverse("admin:permits_permitapplication_changelist"), {"q": application.reference}
    )
    assert application.reference in response.content.decode()


def test_every_staff_page_has_one_h1_and_no_inline_style_or_script(
    client_for, citizen, inspector, supervisor
):
    booking = make_booking(citizen, make_slot(inspector))
    application = open_application(citizen, days_due=-1, green=True, precheck=booking)
    home = channels.request_home_service(
        actor=inspector,
        brigade=inspector.org_unit,
        contact_name="孙七",
        contact_phone="13857800004",
        address="丽水市莲都区中山街 9 号",
        reason="elderly",
    )
    client = client_for(supervisor)
    urls = [
        reverse("permits:today"),
        reverse("permits:queue"),
        reverse("permits:overdue"),
        reverse("permits:dashboard"),
        reverse("permits:staff_application", args=[application.pk]),
        reverse("permits:staff_home_services"),
        reverse("permits:staff_home_service", args=[home.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert html.count("<h1") == 1, url
        assert 'style="' not in html, url
        assert "<script" not in html, url
        assert "css/permits.css" in html, url


@pytest.fixture
def _back_to_chinese(settings):
    """A request in English leaves English active in the test's thread (LocaleMiddleware does
    not undo it): the next test's service messages would be English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.usefixtures("_back_to_chinese")
def test_in_english_the_buttons_say_what_they_do_and_the_status_what_happened(
    client_for, citizen, inspector, supervisor
):
    """准予许可 is both a status and a button; English needs two words for it."""
    application = open_application(citizen, path="commitment")
    services.propose_decision(application=application, actor=inspector, outcome="approve")
    client = client_for(supervisor)
    html = client.get(
        reverse("permits:staff_application", args=[application.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Grant the permit" in html
    services.approve_application(application=application, actor=supervisor)
    html = client.get(
        reverse("permits:staff_application", args=[application.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Permit granted" in html
