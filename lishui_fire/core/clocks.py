"""Statutory clocks: one row per (subject, milestone), counted by ``core.clock_rules``.

An app starts a clock when a time limit begins (the alarm of a fire, the submission of a permit
application), pauses and resumes it (evidence at the lab), extends it with the approval the rule
asks for, switches its rule with a reason (30 days → 20 when an enterprise fire case is
undisputed, and back), and stops it when the milestone is met. Each change recounts the due
moment (a pure function of the rule, the start, the pauses, the extensions and the calendar) and
moves the clock's warning, due and overdue reminders in the ledger.

A statutory due date and an internal target (the green channel's) are two fields: the target
is shown beside the legal date and never replaces it; missing it is not an overdue clock.

Subjects that keep due dates in their own columns (a queue ordered by the next due date)
declare them as ``CLOCK_COLUMNS`` on the model (:class:`ClockColumns`); this module keeps them
equal to the clocks, also when publishing a calendar year recounts every provisional clock
(``recompute_provisional_clocks``, run after the calendar's publish door commits), so no app
registers a recomputer of its own.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.accounts.models import CASE_READER_ROLES
from lishui_fire.accounts.scoping import scope_queryset

from . import clock_rules
from .calendar import _Lookup, invalidate_calendar_cache
from .clock_rules import Due, Pause, Refusal
from .errors import Conflict, DomainError, StaleState
from .models import (
    CalendarYear,
    Clock,
    ClockColumns,
    ClockExtension,
    ClockPause,
    DeadlineRule,
    StatusChange,
    TimeLimitUnit,
)
from .reminders import cancel_reminders_for, schedule_reminder

if TYPE_CHECKING:
    from lishui_fire.accounts.models import User

log = logging.getLogger(__name__)

S = Clock.Status
REMINDER_KINDS = ("warning", "due", "overdue")


# --- Rules -----------------------------------------------------------------------------------------
def rule_in_force(code: str, *, on: dt.date) -> DeadlineRule:
    """The rule with this code that applies to a clock starting on ``on``."""
    rule = (
        DeadlineRule.objects.filter(code=code, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    if rule is None:
        raise ImproperlyConfigured(f"no deadline rule {code!r} in force on {on}")
    return rule


def _tz() -> dt.tzinfo:
    return timezone.get_default_timezone()


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in local time: how a clock counted from a date is started."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=_tz())


def count_rule(code: str, *, start_day: dt.date) -> Due:
    """When a clock of rule ``code`` started on ``start_day`` runs out, as a clock started then
    would count it (no row, no pause, no extension): for a period the law only ever reads, such
    as the completeness period after which an application counts as accepted."""
    rule = rule_in_force(code, on=start_day)
    return clock_rules.count_due(
        rule.spec, start=local_midnight(start_day), calendar=_Lookup(), tz=_tz()
    )


# --- Counting --------------------------------------------------------------------------------------
def _start_of(clock: Clock) -> dt.datetime | None:
    """The clock's start; for a follower, the midnight ending the day its leader runs out."""
    if clock.after_id is None:
        return clock.started_at
    leader = clock.after
    if leader is None or leader.due_date is None:
        return None
    return local_midnight(leader.due_date)


def _count(clock: Clock, calendar: _Lookup) -> tuple[Due, Due | None]:
    start = _start_of(clock)
    if start is None:  # following a paused clock: unknown until it resumes
        return Due(None, None, False), None
    pauses = [Pause(p.started_at, p.ended_at) for p in clock.pauses.all()]
    extensions = [e.size for e in clock.extensions.all()]
    spec = clock.rule.spec
    due = clock_rules.count_due(
        spec, start=start, calendar=calendar, tz=_tz(), pauses=pauses, extensions=extensions
    )
    target = None
    if clock.with_target and clock.rule.target_count is not None:
        target = clock_rules.count_due(
            spec,
            start=start,
            calendar=calendar,
            tz=_tz(),
            pauses=pauses,
            count=clock.rule.target_count,
        )
    return due, target


def _recount(clock: Clock, *, calendar: _Lookup | None = None) -> Clock:
    """Count the due moment again, store it, move the reminders, recount the followers."""
    calendar = calendar or _Lookup()
    due, target = _count(clock, calendar)
    if clock.after_id is not None and clock.after is not None:
        due = Due(due.due_at, due.due_date, due.provisional or clock.after.provisional)
    clock.due_at, clock.due_date, clock.provisional = due.due_at, due.due_date, due.provisional
    clock.target_at = target.due_at if target else None
    clock.target_date = target.due_date if target else None
    clock.save(
        update_fields=[
            "due_at",
            "due_date",
            "provisional",
            "target_at",
            "target_date",
            "updated_at",
        ]
    )
    _sync_reminders(clock, due)
    for follower in clock.followers.select_related("rule").filter(outcome=Clock.Outcome.OPEN):
        follower.after = clock
        _recount(follower, calendar=calendar)
    return clock


# --- Reminders (the one place that talks to the ledger) ------------------------------------------
def _reminder_milestone(clock: Clock, kind: str) -> str:
    # One ledger row per (subject, milestone): the clock's subject, so that cancelling every
    # reminder of a case (reminders.cancel_reminders_for) takes its clocks' reminders too.
    # The clock's pk too: a clock started again for the same milestone (a file resubmitted) has
    # reminders of its own, not the history rows of the one before.
    return f"clock-{clock.pk}-{clock.milestone}"[:56] + f"-{kind}"


def _sync_reminders(clock: Clock, due: Due) -> None:
    """Schedule, move or cancel the warning, due and overdue reminders of ``clock``."""
    subject = clock.subject
    if subject is None:
        return
    times = clock_rules.reminder_times(
        clock.rule.spec, due, tz=_tz(), warn_before=clock.rule.warn_before
    )
    recipient = clock.responsible
    live = clock.is_live and clock.status != S.PAUSED
    if recipient is None or not live or times is None:
        for kind in REMINDER_KINDS:
            cancel_reminders_for(subject, milestone=_reminder_milestone(clock, kind))
        return
    params = {"rule": str(clock.rule.name), "due": _display_due(clock)}
    for kind, when in (("warning", times.warning), ("due", times.due), ("overdue", times.overdue)):
        milestone = _reminder_milestone(clock, kind)
        if when is None or when <= clock.started_at:
            cancel_reminders_for(subject, milestone=milestone)
            continue
        # The text is rendered when it is sent, in the recipient's language (core/messages.py).
        schedule_reminder(
            subject=subject,
            milestone=milestone,
            recipient=recipient,
            due_at=when,
            message=f"core.clock.{kind}",
            params=params,
            channel="in_app",
        )


def _display_due(clock: Clock) -> str:
    if clock.due_at is None:  # never for a live clock with reminders; kept for safety
        return ""  # pragma: no mutate
    if clock.rule.unit == TimeLimitUnit.HOUR:
        return f"{timezone.localtime(clock.due_at):%Y-%m-%d %H:%M}"
    return f"{clock.due_date:%Y-%m-%d}"


# --- Audit -----------------------------------------------------------------------------------------
def _record(clock: Clock, *, from_status: str, to_status: str, actor: Any, note: str) -> None:
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(Clock),
        object_id=str(clock.pk),
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
    )


def _locked(clock: Clock) -> Clock:
    return Clock.objects.select_for_update().select_related("rule").get(pk=clock.pk)


def _require_live(clock: Clock) -> None:
    if not clock.is_live:
        raise DomainError(_("该时限已结束计时。"))


def _now(at: dt.datetime | None) -> dt.datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("clock moments must be aware datetimes")
    return at


def _reason(reason: str, field_name: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        # The code goes on the field's error: beside a dict, ValidationError drops it.
        raise ValidationError({field_name: ValidationError(_("请写明理由。"), code="clock_reason")})
    return reason[:255]


# --- Services --------------------------------------------------------------------------------------
def _subject_key(subject: models.Model) -> tuple[ContentType, str]:
    return ContentType.objects.get_for_model(subject), str(subject.pk)


def live_clock(subject: models.Model, milestone: str) -> Clock | None:
    content_type, object_id = _subject_key(subject)
    return (
        Clock.objects.select_related("rule")
        .filter(
            content_type=content_type,
            object_id=object_id,
            milestone=milestone,
            stopped_at__isnull=True,
        )
        .first()
    )


@transaction.atomic
def start_clock(
    *,
    subject: models.Model,
    milestone: str,
    code: str,
    started_at: dt.datetime,
    actor: Any = None,
    brigade_id: int | None = None,
    responsible: User | None = None,
    with_target: bool = False,
    is_next: bool = False,
    after: Clock | None = None,
) -> Clock:
    """Start the clock of ``milestone`` for ``subject`` under the rule ``code`` in force then.

    One live clock per (subject, milestone): starting a second one is a Conflict.
    """
    started_at = _now(started_at)
    rule = rule_in_force(code, on=timezone.localdate(started_at))
    content_type, object_id = _subject_key(subject)
    if brigade_id is None:
        brigade_id = getattr(subject, "brigade_id", None)
    try:
        with transaction.atomic():
            clock = Clock.objects.create(
                content_type=content_type,
                object_id=object_id,
                milestone=milestone,
                rule=rule,
                brigade_id=brigade_id,
                responsible=responsible,
                started_at=started_at,
                with_target=with_target,
                is_next=is_next,
                after=after,
            )
    except IntegrityError as exc:
        raise Conflict(_("该环节的时限已在计时。")) from exc
    _record(clock, from_status="", to_status=S.RUNNING, actor=actor, note=rule.code)
    _recount(clock)
    _mirror(content_type, object_id)
    return clock


@transaction.atomic
def set_clock(
    *,
    subject: models.Model,
    milestone: str,
    code: str,
    started_at: dt.datetime | None = None,
    after: Clock | None = None,
    actor: Any = None,
    brigade_id: int | None = None,
    responsible: User | None = None,
    with_target: bool = False,
    is_next: bool = False,
) -> Clock:
    """Make the live clock of ``milestone`` run from ``started_at`` (or after ``after``).

    For apps that derive their clocks from recorded events: starts the clock if there is none,
    corrects its start, rule, target or brigade if an event was recorded again, and does nothing
    (no write, no audit row) when it already runs as asked.
    """
    if (started_at is None) == (after is None):
        raise ValueError("give started_at or after")
    existing = live_clock(subject, milestone)
    started_at = after.started_at if after is not None else started_at
    if started_at is None:  # pragma: no cover - excluded above; for the type checker
        raise ValueError("give started_at or after")
    if existing is None:
        return start_clock(
            subject=subject,
            milestone=milestone,
            code=code,
            started_at=started_at,
            actor=actor,
            brigade_id=brigade_id,
            responsible=responsible,
            with_target=with_target,
            is_next=is_next,
            after=after,
        )
    return correct_clock(
        clock=existing,
        code=code,
        started_at=started_at,
        after=after,
        actor=actor,
        brigade_id=brigade_id if brigade_id is not None else getattr(subject, "brigade_id", None),
        responsible=responsible,
        with_target=with_target,
        is_next=is_next,
    )


@transaction.atomic
def correct_clock(
    *,
    clock: Clock,
    code: str,
    started_at: dt.datetime,
    after: Clock | None = None,
    actor: Any = None,
    brigade_id: int | None = None,
    responsible: User | None = None,
    with_target: bool = False,
    is_next: bool = False,
) -> Clock:
    """Make ``clock`` (running or met) count as given; no write when it already does.

    A recorded event corrected after the fact moves the clock's start: the history row says so.
    """
    clock = _locked(clock)
    rule = rule_in_force(code, on=timezone.localdate(started_at))
    if after is not None:
        started_at = after.started_at
    wanted: dict[str, Any] = {
        "rule_id": rule.pk,
        "started_at": started_at,
        "after_id": after.pk if after else None,
        "with_target": with_target,
        "is_next": is_next,
        "brigade_id": brigade_id,
        "responsible_id": responsible.pk if responsible else None,
    }
    changed = [name for name, value in wanted.items() if getattr(clock, name) != value]
    if not changed:
        return clock
    if "rule_id" in changed or "started_at" in changed:
        _record(
            clock,
            from_status=clock.status,
            to_status=clock.status,
            actor=actor,
            note=_("按记录的事件更正起算：%(code)s，%(start)s")
            % {"code": rule.code, "start": f"{timezone.localtime(started_at):%Y-%m-%d %H:%M}"},
        )
    for name in changed:
        setattr(clock, name, wanted[name])
    clock.save(update_fields=[name.removesuffix("_id") for name in changed] + ["updated_at"])
    clock.rule = rule
    clock.after = after
    _recount(clock)
    _mirror(clock.content_type, clock.object_id)
    return clock


@transaction.atomic
def pause_clock(
    *, clock: Clock, reason: str, actor: Any = None, at: dt.datetime | None = None
) -> ClockPause:
    """Stop the count (中止计时) from ``at``, e.g. while evidence is at the lab."""
    at = _now(at)
    reason = _reason(reason)
    clock = _locked(clock)
    _require_live(clock)
    if not clock.rule.pauses_stop_clock:
        raise DomainError(_("该时限的规则不允许中止计时。"))
    if clock.status == S.PAUSED:
        raise StaleState(_("该时限已中止计时。"))
    if at < clock.started_at or at > timezone.now():
        raise ValidationError({"at": _("中止时间应在起算之后、当前时间之前。")})
    last = clock.pauses.order_by("-ended_at").first()
    if last is not None and last.ended_at is not None and at < last.ended_at:
        raise ValidationError({"at": _("中止时间不能早于上次恢复计时的时间。")})
    if clock.due_at is not None and at >= clock.due_at:
        raise DomainError(_("该时限已届满，不能再中止计时。"))
    pause = ClockPause.objects.create(clock=clock, started_at=at, reason=reason, actor=_user(actor))
    clock.status = S.PAUSED
    clock.save(update_fields=["status", "updated_at"])
    _record(clock, from_status=S.RUNNING, to_status=S.PAUSED, actor=actor, note=reason)
    _recount(clock)
    _mirror(clock.content_type, clock.object_id)
    return pause


@transaction.atomic
def resume_clock(*, clock: Clock, actor: Any = None, at: dt.datetime | None = None) -> Clock:
    """Let the count run again from ``at`` (the evidence is back)."""
    at = _now(at)
    clock = _locked(clock)
    _require_live(clock)
    pause = clock.pauses.filter(ended_at__isnull=True).first()
    if clock.status != S.PAUSED or pause is None:
        raise StaleState(_("该时限没有中止计时。"))
    if at < pause.started_at or at > timezone.now():
        raise ValidationError({"at": _("恢复时间应在中止之后、当前时间之前。")})
    pause.ended_at, pause.ended_by = at, _user(actor)
    pause.save(update_fields=["ended_at", "ended_by"])
    clock.status = S.RUNNING
    clock.save(update_fields=["status", "updated_at"])
    _record(clock, from_status=S.PAUSED, to_status=S.RUNNING, actor=actor, note=pause.reason)
    _recount(clock)
    _mirror(clock.content_type, clock.object_id)
    return clock


REFUSALS = {
    Refusal.NOT_EXTENDABLE: lambda: _("该时限的规则不允许延长。"),
    Refusal.LIMIT_REACHED: lambda: _("该时限已延长过规则允许的次数，不能再延长。"),
    Refusal.RUN_OUT: lambda: _("该时限已届满，不能再延长：延长须在期限届满前批准。"),
    Refusal.STOPPED: lambda: _("该时限已结束计时。"),
}


@transaction.atomic
def extend_clock(
    *,
    clock: Clock,
    approver: User,
    reason: str,
    actor: Any = None,
    approved_at: dt.datetime | None = None,
    size: int | None = None,
) -> ClockExtension:
    """Record an extension approved by ``approver`` (e.g. the next-higher fire authority).

    Refused when the rule allows none or no more, and once the clock has run out.
    """
    approved_at = _now(approved_at)
    reason = _reason(reason)
    clock = _locked(clock)
    refusal = clock_rules.extension_refusal(
        clock.rule.spec,
        granted=clock.extensions.count(),
        due_at=clock.due_at,
        at=approved_at,
        stopped=not clock.is_live,
    )
    if refusal is not None:
        raise DomainError(REFUSALS[refusal]())
    if approved_at > timezone.now() or approved_at < clock.started_at:
        raise ValidationError({"approved_at": _("批准时间应在起算之后、当前时间之前。")})
    size = clock.rule.extension_count if size is None else size
    if not 0 < size <= clock.rule.extension_count:
        raise ValidationError(
            {"size": _("延长期限应在 1 至 %(n)s 之间。") % {"n": clock.rule.extension_count}}
        )
    extension = ClockExtension.objects.create(
        clock=clock,
        size=size,
        approver=approver,
        approved_at=approved_at,
        reason=reason,
        recorded_by=_user(actor),
    )
    _record(
        clock,
        from_status=clock.status,
        to_status=clock.status,
        actor=actor,
        note=_("延长 %(size)s（批准人：%(approver)s）：%(reason)s")
        % {"size": size, "approver": approver, "reason": reason},
    )
    _recount(clock)
    _mirror(clock.content_type, clock.object_id)
    return extension


@transaction.atomic
def switch_rule(*, clock: Clock, code: str, reason: str, actor: Any = None) -> Clock:
    """Count the clock under another rule from the same start (30 days → 20 and back).

    The pauses and the extensions already granted keep counting.
    """
    reason = _reason(reason)
    clock = _locked(clock)
    _require_live(clock)
    rule = rule_in_force(code, on=timezone.localdate(clock.started_at))
    if rule.pk == clock.rule_id:
        return clock
    old = clock.rule
    from auditlog.context import set_actor

    with set_actor(_user(actor)):  # the audit log records the rule change and who made it
        clock.rule = rule
        clock.save(update_fields=["rule", "updated_at"])
    _record(
        clock,
        from_status=clock.status,
        to_status=clock.status,
        actor=actor,
        note=_("时限规则由 %(old)s 改为 %(new)s：%(reason)s")
        % {"old": old.code, "new": rule.code, "reason": reason},
    )
    _recount(clock)
    _mirror(clock.content_type, clock.object_id)
    return clock


@transaction.atomic
def stop_clock(
    *,
    clock: Clock,
    actor: Any = None,
    reason: str = "",
    at: dt.datetime | None = None,
    cancelled: bool = False,
) -> Clock:
    """The milestone is met (or, ``cancelled``, no longer applies): the clock stops for good.

    An open pause ends at the same moment; the reminders are cancelled. Stopping a stopped
    clock is refused (StaleState), so a request sent twice stops it once.
    """
    at = _now(at)
    clock = _locked(clock)
    if not clock.is_live:
        raise StaleState(_("该时限已结束计时。"))
    clock.pauses.filter(ended_at__isnull=True).update(ended_at=at, ended_by=_user(actor))
    previous = clock.status
    clock.status = S.STOPPED
    clock.stopped_at = at
    clock.stop_reason = (reason or "").strip()[:255]
    clock.outcome = Clock.Outcome.CANCELLED if cancelled else Clock.Outcome.MET
    clock.save(update_fields=["status", "stopped_at", "stop_reason", "outcome", "updated_at"])
    _record(clock, from_status=previous, to_status=S.STOPPED, actor=actor, note=clock.stop_reason)
    _sync_reminders(clock, Due(None, None, False))
    _mirror(clock.content_type, clock.object_id)
    return clock


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- Subject columns ----------------------------------------------------------------------------
def _mirror(content_type: ContentType, object_id: str) -> None:
    """Write the clocks' dates into the subject's declared columns (``CLOCK_COLUMNS``)."""
    model = content_type.model_class()
    columns: ClockColumns | None = getattr(model, "CLOCK_COLUMNS", None)
    if model is None or columns is None:
        return
    values: dict[str, Any] = dict.fromkeys(columns.due.values())
    provisional = False
    next_due = None
    clocks = (
        Clock.objects.filter(content_type=content_type, object_id=object_id)
        .exclude(outcome=Clock.Outcome.CANCELLED)
        .order_by("created_at", "pk")
    )
    for clock in clocks:
        name = columns.due.get(clock.milestone)
        if name is not None:
            values[name] = clock.due_date
        if clock.is_next and clock.is_live:
            next_due = clock.due_date
        if name is not None or (clock.is_next and clock.is_live):
            provisional = provisional or clock.provisional
    if columns.next:
        values[columns.next] = next_due
    if columns.provisional:
        values[columns.provisional] = provisional
    model._default_manager.filter(pk=object_id).update(**values)


def mirror_subject(subject: models.Model) -> None:
    """Refresh ``subject``'s due-date columns from its clocks (and its attributes with them)."""
    content_type, object_id = _subject_key(subject)
    _mirror(content_type, object_id)
    columns: ClockColumns | None = getattr(type(subject), "CLOCK_COLUMNS", None)
    if columns is None:
        return
    names = [*columns.due.values(), columns.next, columns.provisional]
    fresh = type(subject)._default_manager.filter(pk=subject.pk).values(*[n for n in names if n])
    for name, value in fresh.get().items():
        setattr(subject, name, value)


# --- Publishing a calendar year -----------------------------------------------------------------
def recompute_provisional_clocks(year: int | None = None) -> int:
    """Recount every provisional clock (after a year's holiday notice is entered).

    Called after the calendar's publish door has committed. Returns how many clocks were
    recounted; each is recounted in its own transaction, so one failure does not undo the others.
    With ``year`` (called after publishing it) every provisional clock is recounted: one may
    reach into that year or a later one, and counting it again on the current data is right in
    either case. Without (the nightly beat) only those counted before the latest publication.
    """
    count = 0
    provisional = Clock.objects.filter(provisional=True)
    if year is None:
        # The nightly catch-up (the recount after a publication may have been lost with the
        # broker): only clocks last counted before the latest publication.
        latest = CalendarYear.objects.aggregate(latest=Max("entered_at"))["latest"]
        if latest is None:
            return 0
        provisional = provisional.filter(updated_at__lt=latest)
    # values_list(flat=True) without a field also gives the pk: an equivalent mutant.
    pks = list(provisional.order_by("pk").values_list("pk", flat=True))  # pragma: no mutate
    if year is None and pks:
        # Whatever lost the recount (a crash between the commit and its after-commit callbacks)
        # may have lost the calendar cache's version bump too: without this, the recount would
        # read the year as still unpublished from the shared cache for up to an hour.
        invalidate_calendar_cache()
    for pk in pks:
        try:
            with transaction.atomic():
                # A row lock: not observable on SQLite, where the mutation run is.
                clock = (
                    Clock.objects.select_for_update(of=("self",))  # pragma: no mutate
                    .select_related("rule", "after")
                    .get(pk=pk)
                )
                if not clock.provisional:
                    continue  # already recounted as a follower of another one
                _recount(clock)
                _mirror(clock.content_type, clock.object_id)
                count += 1
        except Clock.DoesNotExist:
            continue
        except Exception:
            log.exception("clock %s not recomputed after publishing %s", pk, year)
    log.info("recomputed %s provisional clock(s) after publishing %s", count, year)
    return count


def recount_clocks_of_rule(*, rule: DeadlineRule) -> int:
    """Recount every clock counted on ``rule`` after the row itself was corrected."""
    count = 0
    ordered = Clock.objects.filter(rule=rule).order_by("pk")
    # values_list(flat=True) without a field also gives the pk: an equivalent mutant.
    for pk in ordered.values_list("pk", flat=True):  # pragma: no mutate
        with transaction.atomic():
            # A row lock (not observable on SQLite, where the mutation run is) on its own line.
            locked = Clock.objects.select_for_update(of=("self",))  # pragma: no mutate
            clock = locked.select_related("rule").get(pk=pk)
            _recount(clock)
            _mirror(clock.content_type, clock.object_id)
        count += 1
    return count


# --- Reading -------------------------------------------------------------------------------------
def clocks_of(subject: models.Model) -> QuerySet[Clock]:
    """Every clock of ``subject`` (history included), oldest first."""
    content_type, object_id = _subject_key(subject)
    return (
        Clock.objects.filter(content_type=content_type, object_id=object_id)
        .select_related("rule")
        # created_at and pk grow together, so either alone gives this order: equivalent mutants.
        .order_by("created_at", "pk")  # pragma: no mutate
    )


@dataclass(frozen=True)
class ClockBoard:
    """What a dashboard shows: statutory overdue and due soon, and missed internal targets."""

    overdue: list[Clock]
    due_soon: list[Clock]
    target_missed: list[Clock]


def clocks_due_for_user(
    *,
    user: Any,
    now: dt.datetime | None = None,
    within: dt.timedelta = dt.timedelta(days=2),
    milestones: Iterable[str] | None = None,
    limit: int = 200,
) -> ClockBoard:
    """Live clocks in ``user``'s brigade scope that are overdue or run out within ``within``,
    and those that missed their internal target (not overdue: a target is not the law).

    One query, served by the partial indexes on (brigade, due_at) and (brigade, target_at).
    """
    now = _now(now)
    horizon = now + within
    queryset = scope_queryset(
        # Both conditions are the partial indexes' own; either alone selects the same rows (a
        # running clock has no stop, a paused one no due or target moment): equivalent mutants.
        Clock.objects.filter(stopped_at__isnull=True, status=S.RUNNING),  # pragma: no mutate
        user,
        owner_field=None,
        brigade_field="brigade",  # pragma: no mutate  (the default, said for the reader)
        # The legal officer checks the brigade's decisions against their time limits too; the
        # discipline officer has no business with case deadlines.
        staff_roles=CASE_READER_ROLES,
    )
    if milestones is not None:
        queryset = queryset.filter(milestone__in=list(milestones))
    rows = list(
        queryset.filter(Q(due_at__lte=horizon) | Q(target_at__lte=now))
        .select_related("rule", "brigade", "content_type")
        .order_by("due_at", "pk")[:limit]
    )
    overdue = [c for c in rows if c.due_at is not None and c.due_at <= now]
    due_soon = [c for c in rows if c.due_at is not None and now < c.due_at <= horizon]
    target_missed = [
        c
        for c in rows
        if c.target_at is not None and c.target_at <= now and not (c.due_at and c.due_at <= now)
    ]
    return ClockBoard(overdue=overdue, due_soon=due_soon, target_missed=target_missed)
