"""Migration operations the apps share.

``AddIndexConcurrently``: on PostgreSQL the index is built ``CONCURRENTLY`` (the table keeps
taking writes while a large index builds; django.contrib.postgres's operation), elsewhere (SQLite,
the laptop profile) a plain ``CREATE INDEX``. The migration that uses it sets ``atomic = False``:
PostgreSQL cannot build an index concurrently inside a transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres import operations as postgres
from django.db import migrations


class AddIndexConcurrently(migrations.AddIndex):
    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            postgres.AddIndexConcurrently(self.model_name, self.index).database_forwards(
                app_label, schema_editor, from_state, to_state
            )
        else:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            postgres.AddIndexConcurrently(self.model_name, self.index).database_backwards(
                app_label, schema_editor, from_state, to_state
            )
        else:
            super().database_backwards(app_label, schema_editor, from_state, to_state)
