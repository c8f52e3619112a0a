"""Day-before reminders of a pre-check, to the applicant and to the inspector: scheduled by the
booking, cancelled with it, and sent once however often the sweep runs — in process and through a
real Celery worker on Redis."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import TestCase
from django.utils import timezone

from lishui_fire.core.models import Notification, Reminder
from lishui_fire.core.reminders import render_reminder, sweep_due_reminders
from permits import rules
from permits.services import prechecks as services
from permits.tests.factories import make_slot

INSPECTOR_PHONE = "13900000077"


def book(applicant, slot):
    # The reminders are written by the job the booking enqueues on commit (ADR 0027).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.book_precheck(
            applicant=applicant,
            slot_id=slot.pk,
            venue_name="丽水市莲都区星光KTV",
            venue_address=f"丽水市莲都区丽阳街 {applicant.pk} 号",
            contact_phone="13957800001",
        )


def keys(booking) -> tuple[str, str]:
    return f"precheck:{booking.pk}:applicant", f"precheck:{booking.pk}:inspector"


@pytest.fixture
def inspector_with_phone(inspector):
    inspector.phone = INSPECTOR_PHONE
    inspector.save(update_fields=["phone"])
    return inspector


@pytest.mark.django_db
def test_booking_schedules_both_reminders_for_nine_the_day_before(citizen, inspector_with_phone):
    slot = make_slot(inspector_with_phone, starts_in=dt.timedelta(days=3))
    booking = book(citizen, slot)
    applicant_key, inspector_key = keys(booking)
    reminders = {r.key: r for r in Reminder.objects.all()}
    assert set(reminders) == {applicant_key, inspector_key}
    due = timezone.localtime(reminders[applicant_key].due_at)
    starts = timezone.localtime(slot.starts_at)
    assert due.date() == starts.date() - dt.timedelta(days=1)
    assert (due.hour, due.minute) == (9, 0)
    assert reminders[applicant_key].recipient == citizen
    assert reminders[inspector_key].recipient == inspector_with_phone
    # The text is rendered when sent (in the recipient's language); as it would go out now:
    assert booking.venue_address in render_reminder(reminders[inspector_key])[1]


@pytest.mark.django_db
def test_cancelling_cancels_both_reminders(citizen, inspector_with_phone):
    booking = book(citizen, make_slot(inspector_with_phone, starts_in=dt.timedelta(days=3)))
    services.cancel_booking(booking=booking, actor=citizen)
    assert set(Reminder.objects.values_list("status", flat=True)) == {Reminder.Status.CANCELLED}
    # Nothing goes out on the day.
    with time_machine.travel(booking.slot.starts_at - dt.timedelta(hours=2), tick=False):
        assert sweep_due_reminders() == 0


@pytest.mark.django_db
def test_rescheduling_moves_the_reminders_to_the_new_booking(citizen, inspector_with_phone):
    booking = book(citizen, make_slot(inspector_with_phone, starts_in=dt.timedelta(days=3)))
    other = make_slot(inspector_with_phone, starts_in=dt.timedelta(days=6))
    with TestCase.captureOnCommitCallbacks(execute=True):
        moved = services.reschedule_booking(booking=booking, actor=citizen, new_slot_id=other.pk)
    scheduled = set(
        Reminder.objects.filter(status=Reminder.Status.SCHEDULED).values_list("key", flat=True)
    )
    assert scheduled == set(keys(moved))


@pytest.mark.django_db
def test_sweeping_twice_the_day_before_sends_one_reminder_each(citizen, inspector_with_phone):
    booking = book(citizen, make_slot(inspector_with_phone, starts_in=dt.timedelta(days=3)))
    nine = rules.reminder_due_at(timezone.localtime(booking.slot.starts_at))
    with time_machine.travel(nine - dt.timedelta(minutes=1), tick=False):
        assert sweep_due_reminders() == 0  # not yet
    with time_machine.travel(nine + dt.timedelta(minutes=1), tick=False):
        assert sweep_due_reminders() == 2
        assert sweep_due_reminders() == 0
    sent = Notification.objects.filter(dedupe_key__startswith=f"reminder:precheck:{booking.pk}:")
    # The applicant's reminder goes to the number given with the booking (the form says so),
    # not to the phone of the account that booked.
    assert booking.contact_phone != citizen.phone
    assert sorted(sent.values_list("address", flat=True)) == sorted(
        [booking.contact_phone, INSPECTOR_PHONE]
    )
    assert sent.count() == 2


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sweeping_twice_sends_one_sms_per_recipient(
    celery_worker_process, citizen, inspector_with_phone
):
    from lishui_fire.core.tasks import sweep_reminders
    from tests.celery_fixtures import wait_until

    worker = celery_worker_process
    booking = book(citizen, make_slot(inspector_with_phone, starts_in=dt.timedelta(days=3)))
    applicant_key, inspector_key = keys(booking)
    # The reminders are written by the booking's job, which the worker runs (ADR 0027).
    reminders = Reminder.objects.filter(key__in=[applicant_key, inspector_key])
    assert wait_until(lambda: reminders.count() == 2, timeout=60), worker.log()[-4000:]
    # The worker is another process: time cannot be travelled there, so the day comes here.
    Reminder.objects.filter(key__in=[applicant_key, inspector_key]).update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    sweep_reminders.delay()
    sweep_reminders.delay()  # a second beat, or the same message redelivered

    def delivered() -> bool:
        return (
            Notification.objects.filter(
                dedupe_key__in=[f"reminder:{applicant_key}", f"reminder:{inspector_key}"],
                status=Notification.Status.SENT,
            ).count()
            == 2
        )

    assert wait_until(delivered, timeout=60), worker.log()[-4000:]
    # The booking confirmation goes out too; wait for it so every SMS is on file.
    assert wait_until(lambda: len(worker.sms_lines()) >= 3, timeout=60), worker.log()[-4000:]
    reminders = [m for m in worker.sms_lines() if m.body.startswith("提醒")]
    assert sorted(m.to for m in reminders) == sorted([booking.contact_phone, INSPECTOR_PHONE])
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 2
    assert Notification.objects.filter(dedupe_key__startswith="reminder:").count() == 2
