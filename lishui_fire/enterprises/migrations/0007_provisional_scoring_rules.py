"""A provisional scoring rule set, clearly labelled, until the detachment's written rule exists.

DOMAIN.md §3.1 [M]: no official A/B/C/D fire-credit scale was found. These weights are a
starting point the supervisors replace (a new rule set with its own basis and effective date);
the set is marked ``provisional`` and the pages say so. Each weight follows the direction of
应急消〔2020〕331号 (dishonest conduct lowers, rectification and commendation raise): a penalty,
a fire or a revoked permit in the last two years caps the grade at B; a false commitment at C;
a dishonesty-list entry at D.

History rows written before sources existed: a first row (no "from") is the registration.
"""

import datetime

from django.db import migrations

NAME = "临时信用评分规则（待支队书面评定规则印发后替换）"
BASIS = (
    "临时规则：未查到消防领域 A/B/C/D 信用评定的正式标准（DOMAIN.md §3.1），"
    "参照《消防安全领域信用管理暂行办法》（应急消〔2020〕331号）的失信行为认定方向拟定，"
    "待丽水市消防救援支队书面评定规则印发后替换。"
)
WEIGHTS = [
    # kind, points per event, best grade with such an event in the window
    ("penalty", -10, "B"),
    ("false_commitment", -30, "C"),
    ("permit_revoked", -30, "B"),
    ("rectified_on_time", 2, ""),
    ("rectified_late", -10, ""),
    ("fire", -20, "B"),
    ("dishonesty_listed", -40, "D"),
    ("commendation", 10, ""),
]
THRESHOLDS = [("A", 90), ("B", 70), ("C", 50), ("D", 0)]


def seed(apps, schema_editor):
    """Idempotent (also run again after a transactional test): the provisional set by its name."""
    rule_set_model = apps.get_model("enterprises", "CreditScoringRuleSet")
    grade_model = apps.get_model("enterprises", "CreditGrade")
    if not grade_model.objects.filter(code__in=[c for c, _m in THRESHOLDS]).count() == len(
        THRESHOLDS
    ):
        return  # a scale without A–D: the supervisors write their own rule set
    rule_set, _created = rule_set_model.objects.get_or_create(
        name=NAME,
        defaults={
            "basis": BASIS,
            "effective_from": datetime.date(2021, 1, 1),
            "provisional": True,
            "base_score": 80,
            "lookback_days": 730,
        },
    )
    weight_model = apps.get_model("enterprises", "CreditScoringWeight")
    for kind, points, best in WEIGHTS:
        weight_model.objects.get_or_create(
            rule_set=rule_set, kind=kind, defaults={"points": points, "best_grade": best}
        )
    threshold_model = apps.get_model("enterprises", "CreditGradeThreshold")
    for code, minimum in THRESHOLDS:
        threshold_model.objects.get_or_create(
            rule_set=rule_set, grade_code=code, defaults={"min_score": minimum}
        )


def mark_registrations(apps, schema_editor):
    change = apps.get_model("enterprises", "CreditRatingChange")
    change.objects.filter(from_rating="").update(source="registration")


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0006_credit_grade_history_and_proposals")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(mark_registrations, migrations.RunPython.noop),
    ]
