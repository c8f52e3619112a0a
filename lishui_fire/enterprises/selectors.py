"""Read queries of the registry, scoped to what a user may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from lishui_fire.accounts.models import CASE_READER_ROLES, OrgUnit
from lishui_fire.accounts.scoping import scope_queryset
from lishui_fire.core.selectors import brigades_for_user
from lishui_fire.core.validators import normalise_code

from . import rules
from .models import (
    CreditEvent,
    CreditGrade,
    CreditGradeProposal,
    CreditScoringRuleSet,
    DishonestyList,
    DishonestyListing,
    Enterprise,
    ProposalStatus,
)


def enterprises_for_user(*, user: Any) -> QuerySet[Enterprise]:
    """The enterprises of the user's brigade (every brigade for detachment staff and admins)."""
    return scope_queryset(
        Enterprise.objects.select_related("brigade"),
        user,
        owner_field=None,
        brigade_field="brigade",
        staff_roles=CASE_READER_ROLES,  # the legal officer reads them (policies.py)
    )


# The registry's list order (page and API): by name, the id breaking ties so that pages never
# repeat or skip a unit; read in the order of an index (brigade, name, id) or (name, id), not
# sorted (ADR 0036). Not the brigade's sort order: that is another table's column, which no index
# of this one holds, so every page would sort the whole registry.
LIST_ORDER = ("name", "pk")


def credit_grades_by_code() -> dict[str, CreditGrade]:
    """Every grade of the scale by its code, in one query (a handful of rows): what a grade
    means for sampling (multiplier, yearly cap) is read here, never written in code."""
    return {g.code: g for g in CreditGrade.objects.all()}


def with_dishonesty_status(queryset: QuerySet[Enterprise], *, day: dt.date) -> QuerySet[Enterprise]:
    """Annotate ``on_serious_list`` / ``on_ordinary_list``: an entry in force and published on
    ``day``, and ``dishonesty_published_until`` (subqueries, so a list costs no query per row)."""
    published = DishonestyListing.objects.published_on(day).filter(enterprise=OuterRef("pk"))
    return queryset.annotate(
        on_serious_list=Exists(published.filter(list_kind=DishonestyList.SERIOUS)),
        on_ordinary_list=Exists(published.filter(list_kind=DishonestyList.ORDINARY)),
        # The end of the publication shown today (the latest, if several): apart from the grade.
        dishonesty_published_until=Subquery(
            published.order_by("-publication_ends_on").values("publication_ends_on")[:1]
        ),
    )


def dishonesty_status(enterprise: Enterprise) -> str:
    """``serious``, ``ordinary`` or ``none``: the gravest list the unit is published on
    (needs ``with_dishonesty_status``)."""
    if getattr(enterprise, "on_serious_list", False):
        return DishonestyList.SERIOUS
    if getattr(enterprise, "on_ordinary_list", False):
        return DishonestyList.ORDINARY
    return "none"


def enterprise_with_uscc(*, uscc: str) -> Enterprise | None:
    """The registered unit with this credit code (typed in any case or width), if there is one."""
    code = normalise_code(uscc or "")
    if not code:
        return None
    return Enterprise.objects.filter(uscc=code).first()


def brigade_overview(*, user: Any, grades: Sequence[CreditGrade]) -> QuerySet[OrgUnit]:
    """Each visible brigade with its enterprise counts: in all, high risk, and one per grade of
    the scale (``grade_0``, ``grade_1`` … in the order of ``grades``; one query)."""
    per_grade = {
        f"grade_{index}": Count("enterprises", filter=Q(enterprises__credit_rating=grade.code))
        for index, grade in enumerate(grades)
    }
    return brigades_for_user(user=user).annotate(
        enterprise_count=Count("enterprises"),
        high_risk=Count("enterprises", filter=Q(enterprises__risk_level="high")),
        **per_grade,
    )


# --- Credit grades: scoring rules and proposals ----------------------------------------------------
def scoring_rule_set_on(day: dt.date) -> CreditScoringRuleSet | None:
    """The scoring rule set in force on ``day``: the latest ``effective_from`` not after it."""
    return (
        CreditScoringRuleSet.objects.filter(effective_from__lte=day)
        .order_by("-effective_from", "-pk")
        .first()
    )


def rule_set_data(rule_set: CreditScoringRuleSet) -> rules.RuleSet:
    """The rule set as the pure rule's data (two queries: weights, thresholds)."""
    return rules.RuleSet(
        base_score=rule_set.base_score,
        lookback_days=rule_set.lookback_days,
        weights={
            w.kind: rules.Weight(w.kind, w.points, w.best_grade) for w in rule_set.weights.all()
        },
        thresholds=[(t.grade_code, t.min_score) for t in rule_set.thresholds.all()],
    )


def pending_proposals_for_user(*, user: Any) -> QuerySet[CreditGradeProposal]:
    """Pending proposals of the units the user may see (their brigade; detachment: all)."""
    return (
        CreditGradeProposal.objects.filter(
            status=ProposalStatus.PENDING,
            enterprise__in=enterprises_for_user(user=user).values("pk"),
        )
        .select_related("enterprise__brigade", "rule_set")
        .order_by("enterprise__brigade__sort_order", "enterprise__name", "pk")
    )


def proposal_events(proposals: Sequence[CreditGradeProposal]) -> dict[int, CreditEvent]:
    """The events a page of proposals was computed from, by id (one query for the page)."""
    ids = {i for p in proposals for fact in p.facts for i in fact.get("event_ids", ())}
    return {e.pk: e for e in CreditEvent.objects.filter(pk__in=ids)}
