"""Time limits of the complaint verification, as data (DOMAIN.md §2.5 [H], §0).

《消防监督检查规定》（公安部令第120号）第十五条: a complaint about occupied, blocked or closed
evacuation routes and exits (or other obstruction of evacuation) or about fire facilities switched
off without authorisation is verified within 24 hours of the report; any other fire violation
within 3 working days of the day it was received. Hours run through nights and holidays;
working days skip them (the statutory calendar, including 调休).
"""

import datetime

from django.db import migrations

BASIS = "《消防监督检查规定》（公安部令第120号）第十五条"
RULES = [
    # code, name, count, unit, warn before, start event, legal basis
    (
        "inspection.complaint_urgent",
        "举报投诉核查（疏散通道、安全出口、消防设施）",
        24,
        "hour",
        4,
        "接到举报投诉",
        BASIS + "第一款第（一）项（二十四小时内进行核查）",
    ),
    (
        "inspection.complaint",
        "举报投诉核查（其他消防安全违法行为）",
        3,
        "working_day",
        1,
        "接到举报投诉",
        BASIS + "第一款第（二）项（接到举报投诉之日起三个工作日内进行核查）",
    ),
]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    for code, name, count, unit, warn, start_event, basis in RULES:
        DeadlineRule.objects.update_or_create(
            code=code,
            effective_from=datetime.date(2012, 11, 1),
            defaults={
                "name": name,
                "count": count,
                "unit": unit,
                "warn_before": warn,
                "start_event": start_event,
                "legal_basis": basis,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_intake"),
        ("core", "0006_clocks_and_rule_fields"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
