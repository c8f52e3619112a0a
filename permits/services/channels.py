"""Door-to-door service (上门服务) for applicants with disabilities or limited mobility (measure 1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.accounts.contacts import contact_for
from lishui_fire.accounts.models import OrgUnit, Role, User
from lishui_fire.accounts.policies import authorize
from lishui_fire.core.errors import DomainError
from lishui_fire.core.notifications import notify
from lishui_fire.core.workflow import transition

from .. import policies, rules
from ..models import ONE_OPEN_HOME_SERVICE_MESSAGE, HomeServiceRequest, PermitApplication
from ..workflow import HOME_SERVICE_FLOW, HomeServiceStatus


@transaction.atomic
def request_home_service(
    *,
    actor: Any,
    brigade: OrgUnit,
    contact_name: str,
    contact_phone: str,
    address: str,
    reason: str,
    needs: str = "",
    preferred_time: str = "",
    applicant: User | None = None,
) -> HomeServiceRequest:
    """An applicant asks online, or staff log a phone call, for someone to come in person."""
    if actor.is_applicant:
        source, applicant = HomeServiceRequest.Source.ONLINE, actor
    else:
        authorize(policies.can_log_home_service(actor, brigade.pk))
        source = HomeServiceRequest.Source.PHONE
    request = HomeServiceRequest(
        applicant=applicant,
        brigade=brigade,
        source=source,
        logged_by=None if actor.is_applicant else actor,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        address=address.strip(),
        reason=reason,
        needs=needs.strip(),
        preferred_time=preferred_time.strip(),
    )
    # An applicant's second open request for the same person is refused by the constraint (her
    # own account only). Staff logging a call are told of an open request for that number in
    # their brigade, which they may see anyway; an applicant is never told about anyone else's.
    try:
        request.full_clean()
    except ValidationError as exc:
        if _is_one_open(exc):
            raise ValidationError(one_open_home_service_message(brigade)) from exc
        raise
    if (
        not actor.is_applicant
        and HomeServiceRequest.objects.filter(
            brigade=brigade,
            contact_phone=request.contact_phone,
            status__in=[HomeServiceStatus.REQUESTED, HomeServiceStatus.SCHEDULED],
        ).exists()
    ):
        raise ValidationError(
            {
                "contact_phone": _(
                    "本大队已有该号码正在办理的上门服务申请，请在列表中查看，无需重复登记。"
                )
            }
        )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as exc:  # the same request sent twice at the same moment
        raise ValidationError(one_open_home_service_message(brigade)) from exc
    return request


def one_open_home_service_message(brigade: OrgUnit) -> str:
    """The applicant told to call about the request she already has: with the number of the
    brigade handling it (the constraint's own message cannot know it)."""
    contact = contact_for(brigade)
    return _(
        "您已有一项正在办理的上门服务申请，无需重复提交；如需变更，请取消原申请或致电"
        "%(unit)s（%(hotline)s）。"
    ) % {"unit": contact.unit_name, "hotline": contact.hotline}


def _is_one_open(exc: ValidationError) -> bool:
    errors = getattr(exc, "error_dict", {}).get(NON_FIELD_ERRORS, [])
    return any(str(e.message) == str(ONE_OPEN_HOME_SERVICE_MESSAGE) for e in errors)


@transaction.atomic
def schedule_home_service(
    *, request: HomeServiceRequest, actor: Any, appointment_at: dt.datetime, assigned_to: User
) -> HomeServiceRequest:
    authorize(policies.can_handle_home_service(actor, request))
    if appointment_at <= timezone.now():
        raise ValidationError({"appointment_at": _("上门时间应晚于现在。")})
    if appointment_at > timezone.now() + rules.HOME_VISIT_HORIZON:
        # Someone waiting for help at home is not told "in 2062": surely a typing mistake.
        raise ValidationError({"appointment_at": _("上门时间不能晚于 90 天以后，请检查日期。")})
    if assigned_to.role not in (Role.INSPECTOR, Role.BRIGADE_SUPERVISOR) or (
        assigned_to.org_unit_id != request.brigade_id
    ):
        raise ValidationError({"assigned_to": _("请指派本大队的工作人员。")})
    transition(
        request,
        workflow=HOME_SERVICE_FLOW,
        to=HomeServiceStatus.SCHEDULED,
        actor=actor,
        updates={"appointment_at": appointment_at, "assigned_to": assigned_to},
    )
    notify(
        channel="sms",
        recipient=request.applicant,
        address=request.contact_phone,
        body=_("我们将于 %(when)s 上门为您办理，工作人员：%(name)s。")
        % {
            "when": f"{timezone.localtime(appointment_at):%Y-%m-%d %H:%M}",
            "name": assigned_to.real_name,
        },
    )
    return request


@transaction.atomic
def complete_home_service(
    *,
    request: HomeServiceRequest,
    actor: Any,
    outcome: str,
    application: PermitApplication | None = None,
) -> HomeServiceRequest:
    authorize(policies.can_handle_home_service(actor, request))
    if not outcome.strip():
        raise ValidationError({"outcome": _("请记录上门办理的结果。")})
    if application is not None and application.brigade_id != request.brigade_id:
        raise DomainError(_("只能关联本大队的申请。"))
    transition(
        request,
        workflow=HOME_SERVICE_FLOW,
        to=HomeServiceStatus.DONE,
        actor=actor,
        updates={"outcome": outcome.strip(), "application": application},
    )
    return request


@transaction.atomic
def cancel_home_service(*, request: HomeServiceRequest, actor: Any, note: str = "") -> None:
    if actor.is_applicant:
        authorize(policies.is_owner(actor, request))
    else:
        authorize(policies.can_handle_home_service(actor, request))
    transition(
        request, workflow=HOME_SERVICE_FLOW, to=HomeServiceStatus.CANCELLED, actor=actor, note=note
    )
