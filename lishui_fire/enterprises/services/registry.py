"""State changes of the registry: registering a unit, its credit rating, revealing a contact.

* ``change_credit_rating`` — one door for a rating change, with a history row and a reason.
* ``create_enterprise`` — one enterprise from a form or a seed script.
* ``reveal_enterprise_contact_phone`` — the audited "show the full number" action (PIPL).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.accounts.policies import authorize
from lishui_fire.core import audit
from lishui_fire.core.validators import normalise_code

from .. import policies
from ..models import (
    DEFAULT_CREDIT_RATING,
    MANUAL_SOURCES,
    CreditGrade,
    CreditRatingChange,
    Enterprise,
    RatingSource,
    RiskLevel,
)

# --- Credit rating -------------------------------------------------------------------------------


def change_credit_rating(
    *,
    enterprise: Enterprise,
    to_rating: str,
    reason: str,
    actor: Any,
    source: str = RatingSource.MANUAL,
    effective_from: dt.date | None = None,
) -> CreditRatingChange:
    """Move ``enterprise`` to ``to_rating`` and write who, when, from, to, why and the source.

    The row is locked first so that two supervisors changing the same rating at once produce two
    consistent history rows (the second one's "from" is the first one's "to").
    """
    authorize(policies.can_change_credit_rating(actor, enterprise))
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    codes = list(CreditGrade.objects.values_list("code", flat=True))
    if to_rating not in codes:
        errors["to_rating"] = _("未知的信用等级：应为 %(codes)s 之一。") % {
            "codes": "、".join(codes)
        }
    if not reason:
        errors["reason"] = _("请填写变更理由。")
    if source not in MANUAL_SOURCES:
        errors["source"] = _("请选择等级来源。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if locked.credit_rating == to_rating:
            raise ValidationError({"to_rating": _("新等级与当前等级相同，无需变更。")})
        change = apply_credit_rating(
            locked,
            to_rating=to_rating,
            reason=reason,
            actor=actor,
            source=source,
            effective_from=effective_from,
        )
    enterprise.credit_rating = to_rating
    return change


def apply_credit_rating(
    locked: Enterprise,
    *,
    to_rating: str,
    reason: str,
    actor: Any,
    source: str,
    effective_from: dt.date | None = None,
    proposal: Any = None,
) -> CreditRatingChange:
    """The write both doors share (the caller holds the row lock and has checked the actor)."""
    from_rating = locked.credit_rating
    locked.credit_rating = to_rating
    # A plain save (not .update()) so django-auditlog records the field change too.
    locked.save(update_fields=["credit_rating", "updated_at"])
    return CreditRatingChange.objects.create(
        enterprise=locked,
        from_rating=from_rating,
        to_rating=to_rating,
        reason=reason,
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        source=source,
        effective_from=effective_from or timezone.localdate(),
        proposal=proposal,
    )


def create_enterprise(
    *,
    uscc: str,
    name: str,
    address: str,
    brigade: OrgUnit,
    venue_type: str,
    risk_level: str = RiskLevel.MEDIUM,
    credit_rating: str = DEFAULT_CREDIT_RATING,
    contact_name: str = "",
    contact_phone: str = "",
    actor: Any = None,
) -> Enterprise:
    """Register one enterprise; its initial rating is the first row of its rating history."""
    enterprise = Enterprise(
        uscc=normalise_code(uscc),
        name=name.strip(),
        address=address.strip(),
        brigade=brigade,
        venue_type=venue_type,
        risk_level=risk_level,
        credit_rating=credit_rating,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
    )
    if brigade.kind != OrgUnit.Kind.BRIGADE:
        raise ValidationError({"brigade": _("所属单位必须是大队。")})
    enterprise.full_clean()
    with transaction.atomic():
        enterprise.save()
        CreditRatingChange.objects.create(
            enterprise=enterprise,
            from_rating="",
            to_rating=credit_rating,
            reason=_("登记"),
            changed_by=actor,
            source=RatingSource.REGISTRATION,
            effective_from=timezone.localdate(),
        )
    return enterprise


def reveal_enterprise_contact_phone(
    *, enterprise: Enterprise, actor: Any, remote_addr: str | None = None
) -> str:
    """Return the full contact phone and record who looked at it (auditlog ACCESS entry)."""
    authorize(policies.can_reveal_contact_phone(actor, enterprise))
    return audit.reveal(enterprise, "contact_phone", actor=actor, remote_addr=remote_addr)
