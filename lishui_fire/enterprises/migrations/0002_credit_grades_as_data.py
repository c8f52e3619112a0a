"""Credit is data (DOMAIN.md §3.2): the A–D scale becomes rows of ``CreditGrade``.

The check constraint that fixed A–D in the schema goes; the four grades of today are seeded as
rows with their meaning for sampling. A is 守信 and inspected at most once a year (the Lishui
promise of measure 3); C and D are poor grades, not 失信: being on a dishonesty list is a separate
record with its own dates and source. The multipliers are a starting point until the
detachment's written sampling rule is entered.
"""

import datetime

import lishui_fire.enterprises.models
from decimal import Decimal
from django.db import migrations, models

BASIS = "丽水市消防救援支队优化营商环境八项措施（双随机查+守信激励）；《消防安全领域信用管理暂行办法》（应急消〔2020〕331号）"

GRADES = [
    # code, label, English, meaning, sampling multiplier, at most n planned inspections a year
    ("A", "守信", "trustworthy", "守信单位：降低抽查比例，一年内计划及随机检查至多一次（无事不扰）。", "0.50", 1),
    ("B", "基本守信", "mostly trustworthy", "基本守信单位：按一般比例抽查。", "1.00", None),
    ("C", "较差", "poor", "信用较差单位：提高抽查比例，列为重点抽查对象。", "1.50", None),
    ("D", "差", "bad", "信用差单位：每次抽查均纳入，并加倍抽查频次。", "2.00", None),
]


def seed(apps, schema_editor):
    """The grades of today; idempotent, also run again after a transactional test."""
    _seed_grades(apps)


def _seed_grades(apps):
    grade = apps.get_model("enterprises", "CreditGrade")
    for order, (code, label, label_en, meaning, multiplier, cap) in enumerate(GRADES, start=1):
        grade.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "label_en": label_en,
                "meaning": meaning,
                "sort_order": order * 10,
                "sampling_multiplier": Decimal(multiplier),
                "max_planned_inspections_per_year": cap,
                "basis": BASIS,
                "effective_from": datetime.date(2021, 1, 1),
            },
        )


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0001_move_registry_from_core'),
    ]

    operations = [
        migrations.CreateModel(
            name='CreditGrade',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=8, unique=True, verbose_name='代码')),
                ('label', models.CharField(help_text='例如：守信、基本守信。', max_length=64, verbose_name='名称')),
                ('label_en', models.CharField(blank=True, max_length=64, verbose_name='英文名称')),
                ('meaning', models.TextField(blank=True, verbose_name='含义')),
                ('sort_order', models.PositiveSmallIntegerField(default=0, verbose_name='排序')),
                ('sampling_multiplier', models.DecimalField(decimal_places=2, default=Decimal('1.00'), help_text='相对于一般抽查比例的倍数：1 为一般比例，0.5 为减半，2 为加倍。', max_digits=4, verbose_name='抽查比例系数')),
                ('max_planned_inspections_per_year', models.PositiveSmallIntegerField(blank=True, help_text='留空为不限。投诉举报核查、复查和案件调查中的检查不受此限（无事不扰）。', null=True, verbose_name='每年计划及随机检查次数上限')),
                ('basis', models.CharField(blank=True, max_length=255, verbose_name='依据')),
                ('effective_from', models.DateField(verbose_name='生效日期')),
            ],
            options={
                'verbose_name': '信用等级',
                'verbose_name_plural': '信用等级',
                'ordering': ['sort_order', 'code'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='enterprise',
            name='enterprise_rating_a_to_d',
        ),
        migrations.AlterField(
            model_name='creditratingchange',
            name='from_rating',
            field=models.CharField(blank=True, max_length=8, verbose_name='原等级'),
        ),
        migrations.AlterField(
            model_name='creditratingchange',
            name='to_rating',
            field=models.CharField(max_length=8, verbose_name='新等级'),
        ),
        migrations.AlterField(
            model_name='enterprise',
            name='credit_rating',
            field=models.CharField(default='B', max_length=8, validators=[lishui_fire.enterprises.models.validate_credit_grade], verbose_name='信用等级'),
        ),
        migrations.AddConstraint(
            model_name='creditgrade',
            constraint=models.CheckConstraint(condition=models.Q(('sampling_multiplier__gte', 0)), name='credit_grade_multiplier'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
