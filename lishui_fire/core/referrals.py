"""Referrals to enforcement (移送立案): a record that a case is owed, until an app opens it.

An app that finds a violation it does not itself punish (a commitment permit whose venue does
not match the commitment: Fire Law art. 58(1)(iv)) calls :func:`refer_for_enforcement` with the
facts, the provision and the evidence. The row is written and announced through the plug-in
events (``enforcement_referral_created``, ADR 0020), so the enforcement app to come opens its
case when it is installed, without the referring app naming it; referrals made before it
existed wait as ``pending`` rows, and :func:`pending_referrals` is where it finds them
(ADR 0026). :func:`mark_opened` records the case that took one over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import plugins
from .errors import Conflict
from .models import EnforcementReferral, PenaltyRange, ReferralStatus
from .workflow import Workflow, transition

R = ReferralStatus

REFERRAL_FLOW = Workflow(
    choices=ReferralStatus,
    transitions={R.PENDING: {R.OPENED, R.DECLINED}},
    open_statuses={R.PENDING},
    final_statuses={R.OPENED, R.DECLINED},
)

EVENT = "enforcement_referral_created"


def penalty_in_force(code: str, *, on: dt.date) -> PenaltyRange:
    """The fine range of provision ``code`` for facts found on ``on``."""
    rule = (
        PenaltyRange.objects.filter(code=code, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    if rule is None:
        raise ImproperlyConfigured(f"no penalty range {code!r} in force on {on}")
    return rule


@transaction.atomic
def refer_for_enforcement(
    *,
    source: models.Model,
    source_reference: str,
    kind: str,
    brigade_id: int,
    party_name: str,
    party_uscc: str = "",
    facts: str,
    evidence: Sequence[dict[str, str]] = (),
    penalty: PenaltyRange | None = None,
    actor: Any = None,
) -> EnforcementReferral:
    """Write the referral of ``source`` for ``kind`` and announce it; one per source and kind."""
    meta = source._meta
    try:
        with transaction.atomic():
            referral = EnforcementReferral.objects.create(
                source_app=meta.app_label,
                source_model=meta.model_name or "",
                source_id=str(source.pk),
                source_reference=source_reference,
                kind=kind,
                brigade_id=brigade_id,
                party_name=party_name,
                party_uscc=party_uscc,
                legal_basis=penalty.legal_basis if penalty else "",
                facts=facts,
                evidence=list(evidence),
                penalty=penalty,
                fine_min=penalty.fine_min if penalty else None,
                fine_max=penalty.fine_max if penalty else None,
                referred_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:
        raise Conflict(_("该事项已移送立案。")) from exc
    plugins.announce(
        EVENT,
        referral_id=referral.pk,
        kind=kind,
        source_reference=source_reference,
        brigade_id=brigade_id,
        actor=actor,
    )
    return referral


def pending_referrals(*, brigade_id: int | None = None) -> QuerySet[EnforcementReferral]:
    """The referrals still waiting for a case, oldest first (what the enforcement app picks up)."""
    rows = EnforcementReferral.objects.filter(status=R.PENDING).select_related("brigade")
    if brigade_id is not None:
        rows = rows.filter(brigade_id=brigade_id)
    return rows.order_by("referred_at", "pk")


def referrals_of(source: models.Model) -> QuerySet[EnforcementReferral]:
    meta = source._meta
    return EnforcementReferral.objects.filter(
        source_app=meta.app_label, source_model=meta.model_name, source_id=str(source.pk)
    ).order_by("referred_at", "pk")


@transaction.atomic
def mark_opened(
    *, referral: EnforcementReferral, case_reference: str, actor: Any = None
) -> EnforcementReferral:
    """The enforcement app opened case ``case_reference`` on this referral (once)."""
    transition(
        referral,
        workflow=REFERRAL_FLOW,
        to=R.OPENED,
        actor=actor,
        note=case_reference,
        updates={"case_reference": case_reference[:64], "updated_at": timezone.now()},
    )
    return referral
