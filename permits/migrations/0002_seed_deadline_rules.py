"""Time limits of the pre-opening fire-safety inspection, as data (DOMAIN.md §1.2, §0).

Green-channel counts are the detachment's internal targets for key projects (measure 1), tighter
than the statutory limits; administrators adjust them in the admin.
"""

import datetime

from django.db import migrations

RULES = [
    # code, name, count, unit, green, start event, legal basis
    (
        "permit.acceptance",
        "受理或一次性告知补正",
        5,
        "working_day",
        2,
        "提交申请",
        "《行政许可法》第三十二条（五日内一次告知需要补正的全部内容）、第八十二条",
    ),
    (
        "permit.commitment_decision",
        "告知承诺网上申请办结",
        1,
        "working_day",
        0,
        "提交申请",
        "《消防法》第十五条第二款；丽水“即办即送”承诺（网上申请 1 个工作日内办结）",
    ),
    (
        "permit.inspection",
        "受理后现场检查",
        10,
        "working_day",
        5,
        "受理申请",
        "《消防法》第十五条第三款（自受理申请之日起十个工作日内检查）",
    ),
    (
        "permit.decision_after_inspection",
        "检查后作出决定",
        3,
        "working_day",
        1,
        "现场检查",
        "《公众聚集场所投入使用、营业消防安全检查规则》（检查之日起三个工作日内作出决定）",
    ),
    (
        "permit.verification",
        "告知承诺许可后核查",
        20,
        "working_day",
        None,
        "作出许可",
        "《公众聚集场所投入使用、营业消防安全检查规则》（许可之日起二十个工作日内核查）",
    ),
    (
        "permit.recheck",
        "整改期满后复查",
        3,
        "working_day",
        None,
        "整改期限届满",
        "《公众聚集场所投入使用、营业消防安全检查规则》（三个工作日内复查）",
    ),
]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    # core renamed the column to target_count (an internal target, not a statutory limit); on a
    # fresh database core's later migrations may already have run when this one does.
    names = {field.name for field in DeadlineRule._meta.get_fields()}
    target = "target_count" if "target_count" in names else "green_channel_count"
    for code, name, count, unit, green, start_event, basis in RULES:
        DeadlineRule.objects.update_or_create(
            code=code,
            effective_from=datetime.date(2021, 6, 1),
            defaults={
                "name": name,
                "count": count,
                "unit": unit,
                target: green,
                "start_event": start_event,
                "legal_basis": basis,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0001_initial"),
        ("core", "0003_deadline_rules_sequences"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
