"""permits.rules at the edges its own tests (permits/tests/test_rules.py) left open.

Each test here was written against a mutant of `make mutation` that survived: the mutant is
named in the docstring so a later reader knows what the assertion pins.
"""

from __future__ import annotations

import datetime as dt

import pytest

from permits import rules

D = dt.date
TZ = dt.timezone(dt.timedelta(hours=8))


def test_it_warns_two_days_ahead_by_default_not_three():
    """due_state's default ``warn_days=2``: three days ahead is still "ok"."""
    assert rules.due_state(D(2026, 3, 10), D(2026, 3, 7)) == "ok"
    assert rules.due_state(D(2026, 3, 10), D(2026, 3, 8)) == "due_soon"
    assert rules.due_state(D(2026, 3, 10), D(2026, 3, 7), warn_days=3) == "due_soon"


def test_it_sends_the_reminder_at_nine_sharp_whatever_the_seconds_of_the_start():
    start = dt.datetime(2026, 12, 3, 14, 30, 45, 123456, tzinfo=TZ)
    reminder = rules.reminder_due_at(start)
    assert reminder == dt.datetime(2026, 12, 2, 9, 0, 0, 0, tzinfo=TZ)
    assert (reminder.second, reminder.microsecond) == (0, 0)


def test_it_sends_the_reminder_at_the_hour_asked_for():
    start = dt.datetime(2026, 3, 1, 8, 0, tzinfo=TZ)
    assert rules.reminder_due_at(start, hour=18) == dt.datetime(2026, 2, 28, 18, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("XrayX", "XrayX.pdf"),  # only separators, dots and spaces are trimmed, never letters
        ("X.X", "X.X.pdf"),
        (". Xfile X .", "Xfile X.pdf"),
        ("平面图.", "平面图.pdf"),
    ],
)
def test_it_trims_only_spaces_and_dots_from_a_download_name(stem, expected):
    assert rules.safe_download_name(stem, "application/pdf") == expected


def test_it_adds_no_extension_for_a_type_it_does_not_know():
    assert rules.safe_download_name("说明", "text/plain") == "说明"
    assert rules.safe_download_name("photo", "image/png") == "photo.png"
    assert rules.safe_download_name("photo", "image/jpeg") == "photo.jpg"
