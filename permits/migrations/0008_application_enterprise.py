"""Permit applications link to the registered unit with the same credit code (nullable)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0001_move_registry_from_core'),
        ('permits', '0007_issued_documents'),
    ]

    operations = [
        migrations.AddField(
            model_name='permitapplication',
            name='enterprise',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='permit_applications', to='enterprises.enterprise', verbose_name='登记单位'),
        ),
    ]
