from django.db import migrations, models

from lishui_fire.core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    # The registry list's order (name, id), served by an index (ADR 0030, 0036), built
    # CONCURRENTLY on PostgreSQL (outside a transaction).
    atomic = False

    dependencies = [
        ("enterprises", "0007_provisional_scoring_rules"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="enterprise",
            index=models.Index(fields=["brigade", "name", "id"], name="enterprise_brigade_name_idx"),
        ),
        AddIndexConcurrently(
            model_name="enterprise",
            index=models.Index(fields=["name", "id"], name="enterprise_name_idx"),
        ),
        AddIndexConcurrently(
            model_name="dishonestylisting",
            index=models.Index(
                fields=["enterprise", "-publication_ends_on"],
                condition=models.Q(status="listed"),
                name="listing_in_force_idx",
            ),
        ),
    ]
