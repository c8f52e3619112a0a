"""Reminders written before the ledger knew its subjects: key "precheck:<pk>:<milestone>" → the
booking as subject and the milestone, so cancel_reminders_for(booking) finds them too."""

from django.db import migrations


def link_reminders(apps, schema_editor):
    Reminder = apps.get_model("core", "Reminder")
    ContentType = apps.get_model("contenttypes", "ContentType")
    booking_type, _ = ContentType.objects.get_or_create(app_label="permits", model="precheckbooking")
    for reminder in Reminder.objects.filter(key__startswith="precheck:", content_type=None):
        _prefix, pk, milestone = (reminder.key.split(":", 2) + ["", ""])[:3]
        if pk.isdigit() and milestone:
            reminder.content_type_id = booking_type.pk
            reminder.object_id = pk
            reminder.milestone = milestone
            reminder.save(update_fields=["content_type", "object_id", "milestone"])


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0008_application_enterprise"),
        ("core", "0007_reminder_subject_language_message"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(link_reminders, migrations.RunPython.noop)]
