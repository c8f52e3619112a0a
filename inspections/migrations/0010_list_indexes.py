from django.db import migrations, models

from lishui_fire.core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    # The list's order, served by an index (ADR 0030, 0036), built CONCURRENTLY on PostgreSQL
    # (outside a transaction): the table keeps taking writes while it builds.
    atomic = False

    dependencies = [
        ("inspections", "0008_plans"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="inspection",
            index=models.Index(
                fields=["next_due", "planned_date", "-created_at", "-id"], name="insp_list_idx"
            ),
        ),
        AddIndexConcurrently(
            model_name="inspection",
            index=models.Index(
                fields=["brigade", "next_due", "planned_date", "-created_at", "-id"],
                name="insp_brigade_list_idx",
            ),
        ),
    ]
