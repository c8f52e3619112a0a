"""Dishonesty lists (失信 / 严重失信): entering a unit on a list, and removing it on repair.

A listing is an authority's decision with a document number and a publication period, kept
apart from the credit grade (DOMAIN.md §3.2). Both doors are atomic and audited (auditlog
records the row's creation and each change, with the actor); a removal is compare-and-set on
the status, so two officers removing the same entry at once remove it once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.accounts.policies import authorize
from lishui_fire.core.errors import DomainError

from .. import policies
from ..models import (
    CreditEvent,
    CreditEventKind,
    DishonestyList,
    DishonestyListing,
    Enterprise,
    ListingStatus,
)

# The latest publication end a typing slip can produce without being caught (ten years).
MAX_PUBLICATION_YEARS = 10


def list_enterprise_as_dishonest(
    *,
    enterprise: Enterprise,
    list_kind: str,
    listed_on: dt.date,
    publication_ends_on: dt.date,
    source_document: str,
    source_authority: str,
    reason: str,
    actor: Any,
) -> DishonestyListing:
    """Enter ``enterprise`` on a dishonesty list, from the authority's decision."""
    authorize(policies.can_list_dishonesty(actor, enterprise))
    source_document = (source_document or "").strip()
    source_authority = (source_authority or "").strip()
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if list_kind not in DishonestyList.values:
        errors["list_kind"] = _("未知的名单类别。")
    if not source_document:
        errors["source_document"] = _("请填写决定文书文号。")
    if not source_authority:
        errors["source_authority"] = _("请填写作出决定的机关。")
    if not reason:
        errors["reason"] = _("请填写列入理由。")
    today = timezone.localdate()
    if listed_on > today:
        errors["listed_on"] = _("列入日期不能晚于今天。")
    if publication_ends_on < listed_on:
        errors["publication_ends_on"] = _("公示截止日期不能早于列入日期。")
    elif publication_ends_on > listed_on.replace(year=listed_on.year + MAX_PUBLICATION_YEARS):
        errors["publication_ends_on"] = _("公示期限过长，请核对日期。")
    if errors:
        raise ValidationError(errors)
    listing = DishonestyListing(
        enterprise=enterprise,
        list_kind=list_kind,
        listed_on=listed_on,
        publication_ends_on=publication_ends_on,
        source_document=source_document,
        source_authority=source_authority,
        reason=reason,
        entered_by=actor,
    )
    listing.full_clean()
    with transaction.atomic(), set_actor(actor):
        listing.save()
        # The listing is a fact of the unit's credit record too (the scoring rules count it).
        record_credit_event(
            enterprise=enterprise,
            kind=CreditEventKind.DISHONESTY_LISTED,
            occurred_on=listed_on,
            source=f"enterprises.DishonestyListing:{listing.pk}",
            note=f"{listing.get_list_kind_display()} {source_document}",
            actor=actor,
        )
    return listing


def remove_dishonesty_listing(
    *, listing: DishonestyListing, removed_on: dt.date, note: str, actor: Any
) -> DishonestyListing:
    """Remove an entry after a credit repair (信用修复); the entry stays on record as removed."""
    authorize(policies.can_list_dishonesty(actor, listing.enterprise))
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if not note:
        errors["note"] = _("请填写信用修复的依据（修复决定或整改完成情况）。")
    if removed_on < listing.listed_on:
        errors["removed_on"] = _("移出日期不能早于列入日期。")
    elif removed_on > timezone.localdate():
        errors["removed_on"] = _("移出日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), set_actor(actor):
        locked = DishonestyListing.objects.select_for_update().get(pk=listing.pk)
        if locked.status != ListingStatus.LISTED:
            raise DomainError(_("该记录已移出名单。"))
        locked.status = ListingStatus.REMOVED
        locked.removed_on = removed_on
        locked.removal_note = note
        locked.removed_by = actor
        # A plain save (not .update()) so django-auditlog records the change with its actor.
        locked.save(update_fields=["status", "removed_on", "removal_note", "removed_by"])
    listing.status, listing.removed_on = locked.status, locked.removed_on
    listing.removal_note, listing.removed_by = locked.removal_note, locked.removed_by
    return listing


def record_credit_event(
    *,
    enterprise: Enterprise,
    kind: str,
    occurred_on: dt.date,
    source: str,
    note: str = "",
    actor: Any = None,
) -> CreditEvent:
    """Record one fact of a unit's credit record, once per (unit, kind, source).

    The door other apps use (they never import this app's models to write): a second call for
    the same source returns the existing row instead of counting the fact twice, so a task that
    runs again or two officers confirming at once leave one event.
    """
    if kind not in CreditEventKind.values:
        raise DomainError(_("未知的信用记录类型：%(kind)s。") % {"kind": kind})
    with transaction.atomic():
        event, _created = CreditEvent.objects.get_or_create(
            enterprise=enterprise,
            kind=kind,
            source=source[:64],
            defaults={
                "occurred_on": occurred_on,
                "note": note,
                "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
            },
        )
    return event
