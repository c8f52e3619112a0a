"""Test configuration shared by every app: personas for each role and service guards."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_TESTING", "1")
