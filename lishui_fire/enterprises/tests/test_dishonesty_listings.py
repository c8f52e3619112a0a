"""Dishonesty lists (失信 / 严重失信): entries with dates and a source, apart from the grade."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from lishui_fire.core.errors import DomainError
from lishui_fire.core.validators import uscc_check_char
from lishui_fire.enterprises import services
from lishui_fire.enterprises.models import DishonestyListing, Enterprise, ListingStatus

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


def valid_uscc(n: int) -> str:
    first17 = f"91331102{n:09d}"
    return first17 + uscc_check_char(first17)


def make_enterprise(org_units, n: int, unit: str = "LD") -> Enterprise:
    return Enterprise.objects.create(
        uscc=valid_uscc(n),
        name=f"{unit}测试单位{n}",
        address="丽水市某路 1 号",
        brigade=org_units[unit],
        venue_type="hotel",
        credit_rating="A",
    )


@pytest.fixture
def ld(org_units):
    return make_enterprise(org_units, 1, "LD")


@pytest.fixture
def lq(org_units):
    return make_enterprise(org_units, 2, "LQ")


def listing_args(**extra):
    args = {
        "list_kind": "serious",
        "listed_on": dt.date(2026, 3, 1),
        "publication_ends_on": dt.date(2029, 2, 28),
        "source_document": "丽消信〔2026〕3号",
        "source_authority": "丽水市消防救援支队",
        "reason": "拒不整改重大火灾隐患",
    }
    args.update(extra)
    return args


def test_it_lists_a_unit_with_dates_and_source_leaving_the_grade_alone(ld, supervisor):
    listing = services.list_enterprise_as_dishonest(
        enterprise=ld, actor=supervisor, **listing_args()
    )

    stored = DishonestyListing.objects.get(pk=listing.pk)
    assert (stored.list_kind, stored.status, stored.entered_by) == (
        "serious",
        ListingStatus.LISTED,
        supervisor,
    )
    assert (stored.listed_on, stored.publication_ends_on) == (
        dt.date(2026, 3, 1),
        dt.date(2029, 2, 28),
    )
    assert stored.source_document == "丽消信〔2026〕3号"
    ld.refresh_from_db()
    assert ld.credit_rating == "A"  # a list entry is not a grade
    entry = LogEntry.objects.get_for_object(stored).get()
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, supervisor)


def test_it_is_published_within_its_period_only(ld, supervisor):
    listing = services.list_enterprise_as_dishonest(
        enterprise=ld,
        actor=supervisor,
        **listing_args(
            list_kind="ordinary",
            listed_on=dt.date(2026, 1, 1),
            publication_ends_on=dt.date(2026, 6, 30),
        ),
    )

    assert listing.is_published_on(TODAY)
    assert not listing.is_published_on(dt.date(2026, 7, 1))
    assert not listing.is_published_on(dt.date(2025, 12, 31))
    assert list(DishonestyListing.objects.published_on(TODAY)) == [listing]
    assert not DishonestyListing.objects.published_on(dt.date(2026, 7, 1)).exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"list_kind": "blacklist"}, "list_kind"),
        ({"source_document": "  "}, "source_document"),
        ({"source_authority": ""}, "source_authority"),
        ({"reason": ""}, "reason"),
        ({"listed_on": dt.date(2026, 6, 16)}, "listed_on"),
        ({"publication_ends_on": dt.date(2026, 2, 28)}, "publication_ends_on"),
        ({"publication_ends_on": dt.date(2040, 1, 1)}, "publication_ends_on"),
    ],
)
def test_a_listing_without_its_facts_is_refused(ld, supervisor, extra, field):
    with pytest.raises(ValidationError) as caught:
        services.list_enterprise_as_dishonest(
            enterprise=ld, actor=supervisor, **listing_args(**extra)
        )

    assert field in caught.value.message_dict
    assert not DishonestyListing.objects.exists()


def test_a_repair_removes_the_entry_once_and_keeps_it_on_record(ld, supervisor, chief):
    listing = services.list_enterprise_as_dishonest(
        enterprise=ld, actor=supervisor, **listing_args()
    )

    services.remove_dishonesty_listing(
        listing=listing, removed_on=TODAY, note="丽消信修〔2026〕1号，整改完成", actor=chief
    )

    stored = DishonestyListing.objects.get(pk=listing.pk)
    assert (stored.status, stored.removed_on, stored.removed_by) == (
        ListingStatus.REMOVED,
        TODAY,
        chief,
    )
    assert not stored.is_published_on(TODAY)
    update = LogEntry.objects.get_for_object(stored).filter(action=LogEntry.Action.UPDATE).get()
    assert update.actor == chief
    assert update.changes["status"] == ["listed", "removed"]
    with pytest.raises(DomainError):
        services.remove_dishonesty_listing(
            listing=listing, removed_on=TODAY, note="再次移出", actor=chief
        )


@pytest.mark.parametrize(
    ("removed_on", "note", "field"),
    [
        (TODAY, "", "note"),
        (dt.date(2026, 2, 1), "整改完成", "removed_on"),
        (dt.date(2026, 6, 16), "整改完成", "removed_on"),
    ],
)
def test_a_removal_needs_a_note_and_a_plausible_date(ld, supervisor, removed_on, note, field):
    listing = services.list_enterprise_as_dishonest(
        enterprise=ld, actor=supervisor, **listing_args()
    )

    with pytest.raises(ValidationError) as caught:
        services.remove_dishonesty_listing(
            listing=listing, removed_on=removed_on, note=note, actor=supervisor
        )

    assert field in caught.value.message_dict
    assert DishonestyListing.objects.get().status == ListingStatus.LISTED


def test_the_database_refuses_inconsistent_rows(ld):
    with pytest.raises(IntegrityError), transaction.atomic():
        DishonestyListing.objects.create(
            enterprise=ld, **listing_args(publication_ends_on=dt.date(2026, 1, 1))
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DishonestyListing.objects.create(enterprise=ld, status="removed", **listing_args())


# --- Pages ---------------------------------------------------------------------------------------


def form_data(**extra):
    data = {
        f"listing-{key}": value.isoformat() if isinstance(value, dt.date) else value
        for key, value in listing_args().items()
    }
    data.update(extra)
    return data


def test_the_detail_page_shows_listings_with_their_dates(client_for, inspector, ld, supervisor):
    services.list_enterprise_as_dishonest(enterprise=ld, actor=supervisor, **listing_args())

    page = client_for(inspector).get(reverse("enterprises:detail", args=[ld.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "严重失信主体名单" in text
    assert "2026-03-01" in text
    assert "2029-02-28" in text
    assert "丽消信〔2026〕3号" in text
    assert "公示中" in text
    # Inspectors read; only supervisors and administrators list and remove.
    assert reverse("enterprises:add_listing", args=[ld.pk]) not in text
    assert "信用修复，移出名单" not in text


def test_a_supervisor_lists_and_removes_from_the_page(client_for, supervisor, ld):
    client = client_for(supervisor)

    added = client.post(reverse("enterprises:add_listing", args=[ld.pk]), form_data())
    listing = DishonestyListing.objects.get()
    page = client.get(reverse("enterprises:detail", args=[ld.pk]))
    removed = client.post(
        reverse("enterprises:remove_listing", args=[ld.pk, listing.pk]),
        {f"remove-{listing.pk}-removed_on": "2026-06-15", f"remove-{listing.pk}-note": "整改完成"},
    )

    assert added.status_code == 302
    assert listing.entered_by == supervisor
    assert "信用修复，移出名单" in page.content.decode()
    assert removed.status_code == 302
    listing.refresh_from_db()
    assert listing.status == ListingStatus.REMOVED


def test_a_bad_listing_form_is_shown_again_with_its_errors(client_for, supervisor, ld):
    response = client_for(supervisor).post(
        reverse("enterprises:add_listing", args=[ld.pk]),
        form_data(**{"listing-publication_ends_on": "2026-01-01"}),
    )

    assert response.status_code == 400
    assert "公示截止日期不能早于列入日期" in response.content.decode()
    assert not DishonestyListing.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("owner", 403),
        ("inspector", 403),
        ("supervisor", 404),
        ("chief", 302),
        ("administrator", 302),
        ("legal_officer", 403),
        ("discipline_officer", 403),
    ],
)
def test_who_may_list_another_brigades_unit(client_for, personas, lq, persona, expected):
    response = client_for(personas[persona]).post(
        reverse("enterprises:add_listing", args=[lq.pk]), form_data()
    )

    assert response.status_code == expected
    assert DishonestyListing.objects.exists() == (expected == 302)


def test_a_listing_of_another_unit_is_not_found_under_this_one(client_for, chief, ld, lq):
    other = services.list_enterprise_as_dishonest(enterprise=lq, actor=chief, **listing_args())

    response = client_for(chief).post(
        reverse("enterprises:remove_listing", args=[ld.pk, other.pk]),
        {f"remove-{other.pk}-removed_on": "2026-06-15", f"remove-{other.pk}-note": "x"},
    )

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == ListingStatus.LISTED


# --- API -------------------------------------------------------------------------------------------


def test_the_api_says_which_list_a_unit_is_published_on_today(api_for, chief, ld, lq, org_units):
    past = make_enterprise(org_units, 3, "LD")
    services.list_enterprise_as_dishonest(enterprise=ld, actor=chief, **listing_args())
    services.list_enterprise_as_dishonest(
        enterprise=ld,
        actor=chief,
        **listing_args(list_kind="ordinary", source_document="丽消信〔2026〕4号"),
    )
    services.list_enterprise_as_dishonest(
        enterprise=past,
        actor=chief,
        **listing_args(
            list_kind="ordinary",
            listed_on=dt.date(2025, 1, 1),
            publication_ends_on=dt.date(2025, 12, 31),
        ),
    )

    results = api_for(chief).get("/api/v1/enterprises/").json()["results"]

    status = {row["id"]: row["dishonesty_status"] for row in results}
    assert status == {ld.pk: "serious", lq.pk: "none", past.pk: "none"}
    assert all(row["credit_rating"] == "A" for row in results)  # the grade is not the list


def test_the_list_page_marks_units_published_on_a_list(client_for, chief, ld, lq):
    services.list_enterprise_as_dishonest(enterprise=ld, actor=chief, **listing_args())

    rows = client_for(chief).get(reverse("enterprises:list")).context["rows"]

    marks = {row["enterprise"].pk: row["dishonesty"] for row in rows}
    assert marks == {ld.pk: "严重失信主体名单", lq.pk: ""}
