"""Mask the phone and ID numbers that audit-log entries written before ``core.audit.register``
hold in full (ADR 0015): ``changes`` of every entry about a model with personal-number fields.

The fields are found as the kernel finds them, by their validators, on the live models (only
their names and labels are read here; no query touches those models), so this kernel migration
names no domain app. Masked values stay masked: running it twice changes nothing.
"""

from django.db import migrations

BATCH = 500


def _mask(value):
    # Frozen copy of core.masking.mask_personal_number: first three and last four kept.
    text = "" if value is None else str(value).strip()
    if text in ("", "None") or len(text) <= 7:
        return value
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def _personal_fields():
    from django.apps import apps as live

    from lishui_fire.core.validators import validate_id_number, validate_mainland_mobile

    wanted = (validate_mainland_mobile, validate_id_number)
    found = {}
    for model in live.get_models():
        names = [
            f.name
            for f in model._meta.concrete_fields
            if any(v in wanted for v in getattr(f, "validators", ()))
        ]
        if names:
            found[(model._meta.app_label, model._meta.model_name)] = names
    return found


def mask_audit_log(apps, schema_editor):
    LogEntry = apps.get_model("auditlog", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for (app_label, model_name), names in _personal_fields().items():
        ct = ContentType.objects.filter(app_label=app_label, model=model_name).first()
        if ct is None:
            continue
        changed = []
        for entry in LogEntry.objects.filter(content_type=ct).exclude(changes=None).iterator():
            changes = entry.changes if isinstance(entry.changes, dict) else None
            if not changes:
                continue
            dirty = False
            for name in names:
                values = changes.get(name)
                if isinstance(values, list):
                    masked = [_mask(v) if isinstance(v, str) else v for v in values]
                    if masked != values:
                        changes[name] = masked
                        dirty = True
            if dirty:
                entry.changes = changes
                changed.append(entry)
            if len(changed) >= BATCH:
                LogEntry.objects.bulk_update(changed, ["changes"])
                changed = []
        if changed:
            LogEntry.objects.bulk_update(changed, ["changes"])


class Migration(migrations.Migration):
    dependencies = [
        ("auditlog", "0015_alter_logentry_changes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0007_reminder_subject_language_message"),
    ]

    operations = [migrations.RunPython(mask_audit_log, migrations.RunPython.noop)]
