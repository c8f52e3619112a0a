"""The time limit of a recusal decision, as data (DOMAIN.md §2.4).

Administrative Penalty Law art. 43 (2021, in force 2021-07-15): an officer with a direct interest
or another relationship that may affect impartial enforcement steps aside; 《消防救援机构办理行政案件
程序规定》 applies its recusal section to supervision inspections. The decision period is taken
from comparable departmental rules (decision within 3 days of the application) pending the
exact fire-rule wording [M]: a rule row, so the detachment corrects it without a code change.
"""

import datetime

from django.db import migrations

RULE = {
    "code": "inspection.recusal_decision",
    "name": "回避申报的决定",
    "count": 3,
    "unit": "calendar_day",
    "warn_before": 1,
    "start_event": "执法人员申报回避",
    "legal_basis": "《中华人民共和国行政处罚法》第四十三条；《消防救援机构办理行政案件程序规定》回避一节"
    "（决定期限参照部门规章：自申请之日起三日内作出决定，待核实消防规定原文）",
}


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    fields = dict(RULE)
    DeadlineRule.objects.update_or_create(
        code=fields.pop("code"), effective_from=datetime.date(2021, 7, 15), defaults=fields
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0006_visits_seed"),
        ("core", "0006_clocks_and_rule_fields"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
