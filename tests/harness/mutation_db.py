"""The test database of `make mutation`, migrated once for the whole run.

mutmut starts a new pytest session for every mutant, all on one SQLite file
(tests/harness/mutation_settings.py). pytest-django's ``--reuse-db`` still runs ``migrate`` at
every session start, which costs more than most mutants' tests; this ``django_db_setup``
migrates in the first session and then only points the connection at the file. A change to any
migration file makes the next run migrate again. The root conftest uses it only under the
mutation settings.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _migrations_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("**/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker) -> None:
    from django.conf import settings
    from django.db import connections
    from django.test.utils import setup_databases

    connection = connections["default"]
    name = connection.settings_dict["TEST"]["NAME"]
    marker = Path(f"{name}.migrated")
    fingerprint = _migrations_fingerprint()
    if Path(name).exists() and marker.exists() and marker.read_text() == fingerprint:
        connection.close()
        settings.DATABASES["default"]["NAME"] = name
        connection.settings_dict["NAME"] = name
    else:
        with django_db_blocker.unblock():
            setup_databases(verbosity=0, interactive=False, keepdb=True)
        marker.write_text(fingerprint)
