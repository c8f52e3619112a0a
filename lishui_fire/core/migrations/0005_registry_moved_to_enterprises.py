"""The enterprise registry now lives in the ``enterprises`` app (same tables, see its 0001)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_reminder_address"),
        ("enterprises", "0001_move_registry_from_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name="enterprise", name="brigade"),
                migrations.RemoveField(model_name="enterpriseimport", name="uploaded_by"),
                migrations.DeleteModel(name="CreditRatingChange"),
                migrations.DeleteModel(name="Enterprise"),
                migrations.DeleteModel(name="EnterpriseImport"),
            ],
        ),
    ]
