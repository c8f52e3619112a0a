"""Skipping a test whose outside service is missing (kept apart from conftest so that fixture
plugins such as ``tests.celery_fixtures`` can use it without importing conftest back)."""

from __future__ import annotations

import pytest


def skip_or_fail(reason: str) -> None:
    """Skip a test whose service is missing — unless CI demands every service (REQUIRE_SERVICES)."""
    from django.conf import settings

    if settings.REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable in CI: {reason}")
    pytest.skip(reason)
