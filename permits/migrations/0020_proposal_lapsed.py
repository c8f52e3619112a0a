"""A pending proposal lapses when its application leaves the statuses in which it can be
decided (ADR 0036). The rows already left pending by a withdrawal, a return for completion or a
不予受理 — and those made before a resubmission — are lapsed here, with a history row."""

from django.db import migrations, models
from django.db.models import F, Q
from django.utils import timezone

DECIDABLE = ("submitted", "inspected")
NOTE = "申请状态已变，该拟办意见不能再审批，已失效（数据迁移）。"


def lapse_stale(apps, schema_editor):
    DecisionProposal = apps.get_model("permits", "DecisionProposal")
    stale = DecisionProposal.objects.filter(status="pending").filter(
        ~Q(application__status__in=DECIDABLE) | Q(application__submitted_at__gt=F("proposed_at"))
    )
    rows = list(stale.values_list("pk", flat=True))
    if not rows:
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    StatusChange = apps.get_model("core", "StatusChange")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="permits", model="decisionproposal"
    )
    now = timezone.now()
    DecisionProposal.objects.filter(pk__in=rows).update(
        status="lapsed", decision_note=NOTE, updated_at=now
    )
    StatusChange.objects.bulk_create(
        StatusChange(
            content_type=content_type,
            object_id=str(pk),
            from_status="pending",
            to_status="lapsed",
            actor=None,
            note=NOTE,
        )
        for pk in rows
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("permits", "0015_seed_verification_rules"),
    ]

    operations = [
        migrations.AlterField(
            model_name="decisionproposal",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "待领导审批"),
                    ("approved", "领导已批准"),
                    ("sent_back", "领导退回重拟"),
                    ("lapsed", "申请状态已变，拟办意见失效"),
                ],
                default="pending",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(lapse_stale, migrations.RunPython.noop),
    ]
