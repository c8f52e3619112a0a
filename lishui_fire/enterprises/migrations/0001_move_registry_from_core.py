"""The registry leaves the kernel: ``core``'s three tables become this app's models.

Nothing moves in the database. This app takes the models into its state under their old table
names (``db_table``), and ``core`` drops them from its state in the migration that depends on
this one. The content types are renamed too, so the audit log, the status history and the
permissions of existing rows still point at them.
"""


import django.db.models.deletion
import django.utils.timezone
import lishui_fire.core.validators
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = ["enterprise", "creditratingchange", "enterpriseimport"]


def _relabel(apps, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        if content_type.objects.filter(app_label=new, model=model).exists():
            continue  # already there (created by a migrate run that knew the new app)
        content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types(apps, schema_editor) -> None:
    _relabel(apps, "core", "enterprises")


def move_content_types_back(apps, schema_editor) -> None:
    _relabel(apps, "enterprises", "core")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_seed_org_units'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0004_reminder_address'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                    migrations.CreateModel(
                        name='Enterprise',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('uscc', models.CharField(max_length=18, unique=True, validators=[lishui_fire.core.validators.validate_uscc], verbose_name='统一社会信用代码')),
                            ('name', models.CharField(db_index=True, max_length=128, verbose_name='单位名称')),
                            ('address', models.CharField(max_length=255, verbose_name='地址')),
                            ('venue_type', models.CharField(choices=[('hotel', '宾馆、饭店'), ('restaurant', '餐饮场所'), ('mall', '商场、集贸市场'), ('terminal', '客运车站、码头、机场候机楼'), ('stadium', '体育场馆'), ('hall', '会堂'), ('entertainment', '公共娱乐场所'), ('factory', '生产加工企业'), ('warehouse', '仓储物流'), ('hospital', '医院、养老机构'), ('school', '学校、幼儿园'), ('highrise', '高层公共建筑'), ('other', '其他')], max_length=32, verbose_name='场所类型')),
                            ('risk_level', models.CharField(choices=[('high', '高风险'), ('medium', '中风险'), ('low', '低风险')], default='medium', max_length=8, verbose_name='风险等级')),
                            ('credit_rating', models.CharField(choices=[('A', 'A 级（守信）'), ('B', 'B 级（基本守信）'), ('C', 'C 级（失信）'), ('D', 'D 级（严重失信）')], default='B', max_length=1, verbose_name='信用等级')),
                            ('contact_name', models.CharField(blank=True, max_length=64, verbose_name='联系人')),
                            ('contact_phone', models.CharField(blank=True, max_length=11, validators=[lishui_fire.core.validators.validate_mainland_mobile], verbose_name='联系电话')),
                            ('created_at', models.DateTimeField(auto_now_add=True)),
                            ('updated_at', models.DateTimeField(auto_now=True)),
                            ('brigade', models.ForeignKey(limit_choices_to={'kind': 'brigade'}, on_delete=django.db.models.deletion.PROTECT, related_name='enterprises', to='accounts.orgunit', verbose_name='所属大队（县区）')),
                        ],
                        options={
                            'verbose_name': '社会单位',
                            'verbose_name_plural': '社会单位',
                            'db_table': 'core_enterprise',
                            'ordering': ['brigade__sort_order', 'name'],
                        },
                    ),
                    migrations.CreateModel(
                        name='CreditRatingChange',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('from_rating', models.CharField(blank=True, max_length=1, verbose_name='原等级')),
                            ('to_rating', models.CharField(choices=[('A', 'A 级（守信）'), ('B', 'B 级（基本守信）'), ('C', 'C 级（失信）'), ('D', 'D 级（严重失信）')], max_length=1, verbose_name='新等级')),
                            ('reason', models.TextField(verbose_name='理由')),
                            ('changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='变更时间')),
                            ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                            ('enterprise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rating_changes', to='enterprises.enterprise')),
                        ],
                        options={
                            'verbose_name': '信用等级变更',
                            'verbose_name_plural': '信用等级变更',
                            'db_table': 'core_creditratingchange',
                            'ordering': ['-changed_at', '-pk'],
                        },
                    ),
                    migrations.CreateModel(
                        name='EnterpriseImport',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('file', models.FileField(upload_to='imports/%Y/%m/')),
                            ('original_name', models.CharField(max_length=255)),
                            ('status', models.CharField(choices=[('pending', '排队中'), ('running', '处理中'), ('done', '已完成'), ('failed', '失败')], default='pending', max_length=16)),
                            ('total_rows', models.PositiveIntegerField(default=0)),
                            ('processed_rows', models.PositiveIntegerField(default=0)),
                            ('created_count', models.PositiveIntegerField(default=0)),
                            ('updated_count', models.PositiveIntegerField(default=0)),
                            ('unchanged_count', models.PositiveIntegerField(default=0)),
                            ('error_count', models.PositiveIntegerField(default=0)),
                            ('errors', models.JSONField(blank=True, default=list)),
                            ('message', models.TextField(blank=True)),
                            ('created_at', models.DateTimeField(auto_now_add=True)),
                            ('finished_at', models.DateTimeField(blank=True, null=True)),
                            ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ],
                        options={
                            'verbose_name': '单位导入',
                            'verbose_name_plural': '单位导入',
                            'db_table': 'core_enterpriseimport',
                            'ordering': ['-created_at'],
                        },
                    ),
                    migrations.AddConstraint(
                        model_name='enterprise',
                        constraint=models.CheckConstraint(condition=models.Q(('credit_rating__in', ['A', 'B', 'C', 'D'])), name='enterprise_rating_a_to_d'),
                    ),
                    migrations.AddConstraint(
                        model_name='enterprise',
                        constraint=models.CheckConstraint(condition=models.Q(('risk_level__in', ['high', 'medium', 'low'])), name='enterprise_risk_level'),
                    ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
