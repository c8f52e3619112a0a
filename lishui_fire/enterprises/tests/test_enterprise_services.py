"""Credit-rating changes, registration and the audited phone reveal of the enterprise registry."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from lishui_fire.core.validators import uscc_check_char
from lishui_fire.enterprises import services
from lishui_fire.enterprises.models import CreditRatingChange, Enterprise


def valid_uscc(n: int) -> str:
    first17 = f"91331102{n:09d}"
    return first17 + uscc_check_char(first17)


@pytest.fixture
def enterprise(org_units):
    return Enterprise.objects.create(
        uscc=valid_uscc(1),
        name="丽水市好客宾馆有限公司",
        address="莲都区人民街 1 号",
        brigade=org_units["LD"],
        venue_type="hotel",
        credit_rating="B",
        contact_name="王五",
        contact_phone="13812345678",
    )


def test_it_records_who_changed_the_rating_from_what_to_what_and_why(enterprise, supervisor):
    change = services.change_credit_rating(
        enterprise=enterprise, to_rating="D", reason="2026 年受到两次行政处罚", actor=supervisor
    )

    enterprise.refresh_from_db()
    assert enterprise.credit_rating == "D"
    stored = CreditRatingChange.objects.get(pk=change.pk)
    assert (stored.from_rating, stored.to_rating) == ("B", "D")
    assert stored.reason == "2026 年受到两次行政处罚"
    assert stored.changed_by == supervisor
    assert stored.changed_at is not None


def test_the_next_change_starts_from_the_previous_one(enterprise, supervisor, chief):
    services.change_credit_rating(enterprise=enterprise, to_rating="C", reason="失信", actor=chief)
    services.change_credit_rating(
        enterprise=enterprise, to_rating="A", reason="信用修复完成", actor=supervisor
    )

    history = list(enterprise.rating_changes.order_by("pk").values_list("from_rating", "to_rating"))
    assert history == [("B", "C"), ("C", "A")]


def test_the_rating_change_is_in_the_audit_log(enterprise, supervisor):
    services.change_credit_rating(
        enterprise=enterprise, to_rating="A", reason="守信", actor=supervisor
    )

    entry = LogEntry.objects.get_for_object(enterprise).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes["credit_rating"] == ["B", "A"]


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_an_empty_reason_is_refused_and_nothing_changes(enterprise, supervisor, reason):
    with pytest.raises(ValidationError) as caught:
        services.change_credit_rating(
            enterprise=enterprise, to_rating="C", reason=reason, actor=supervisor
        )

    assert "reason" in caught.value.message_dict
    enterprise.refresh_from_db()
    assert enterprise.credit_rating == "B"
    assert not CreditRatingChange.objects.exists()


@pytest.mark.parametrize("rating", ["E", "a", "", "AA"])
def test_an_unknown_rating_is_refused(enterprise, supervisor, rating):
    with pytest.raises(ValidationError) as caught:
        services.change_credit_rating(
            enterprise=enterprise, to_rating=rating, reason="测试", actor=supervisor
        )

    assert "to_rating" in caught.value.message_dict
    assert not CreditRatingChange.objects.exists()


def test_changing_to_the_same_rating_is_refused(enterprise, supervisor):
    with pytest.raises(ValidationError):
        services.change_credit_rating(
            enterprise=enterprise, to_rating="B", reason="无变化", actor=supervisor
        )
    assert not CreditRatingChange.objects.exists()


def test_a_registered_enterprise_starts_its_rating_history(org_units, administrator):
    enterprise = services.create_enterprise(
        uscc=valid_uscc(7).lower(),
        name="龙泉青瓷厂",
        address="龙泉市剑池街道",
        brigade=org_units["LQ"],
        venue_type="factory",
        credit_rating="A",
        actor=administrator,
    )

    assert enterprise.uscc == valid_uscc(7)
    change = enterprise.rating_changes.get()
    assert (change.from_rating, change.to_rating, change.changed_by) == ("", "A", administrator)


def test_registering_with_a_bad_credit_code_is_refused(org_units):
    with pytest.raises(ValidationError):
        services.create_enterprise(
            uscc="913311020000000000",
            name="x",
            address="y",
            brigade=org_units["LD"],
            venue_type="hotel",
        )
    assert not Enterprise.objects.exists()


def test_revealing_the_phone_is_logged_as_an_access_with_the_field(enterprise, inspector):
    phone = services.reveal_enterprise_contact_phone(enterprise=enterprise, actor=inspector)

    assert phone == "13812345678"
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor == inspector
    assert entry.object_pk == str(enterprise.pk)
    assert entry.additional_data["field"] == "contact_phone"
