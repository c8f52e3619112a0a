from django.conf import settings
from django.db import migrations, models

from lishui_fire.core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    # The three list indexes ADR 0036 left undone, built CONCURRENTLY on PostgreSQL.
    atomic = False

    dependencies = [
        ('accounts', '0006_api_tokens'),
        ('enterprises', '0008_list_indexes'),
        ('permits', '0020_proposal_lapsed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='homeservicerequest',
            index=models.Index(fields=['-created_at', '-id'], name='home_newest_idx'),
        ),
        AddIndexConcurrently(
            model_name='homeservicerequest',
            index=models.Index(fields=['brigade', '-created_at', '-id'], name='home_brigade_newest_idx'),
        ),
        AddIndexConcurrently(
            model_name='permitapplication',
            index=models.Index(fields=['applicant', '-created_at', '-id'], name='permit_applicant_newest_idx'),
        ),
        AddIndexConcurrently(
            model_name='precheckslot',
            index=models.Index(fields=['brigade', 'starts_at', 'id'], name='slot_brigade_start_idx'),
        ),
    ]
