"""Staff sessions expire after 30 idle minutes; an applicant's session lasts longer."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_staff_session_expires_after_thirty_idle_minutes(client, inspector):
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(client, inspector)
        assert client.get(reverse("permits:today")).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        response = client.get(reverse("permits:today"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_activity_keeps_a_staff_session_alive(client, inspector):
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(client, inspector)
    for minutes in (20, 40, 60):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("permits:today")).status_code == 200


def test_applicant_session_survives_an_idle_hour(client, citizen):
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(client, citizen)
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        assert client.get(reverse("permits:mine")).status_code == 200


def test_two_quick_staff_requests_write_the_session_once(client, inspector, settings):
    """Sliding the idle window is a session write: once a minute, not on every request."""
    from importlib import import_module
    from unittest import mock

    settings.STAFF_IDLE_TOUCH_SECONDS = 60
    store = import_module(settings.SESSION_ENGINE).SessionStore
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(client, inspector)
    with mock.patch.object(store, "save", autospec=True, side_effect=store.save) as save:
        with time_machine.travel(start + dt.timedelta(seconds=5), tick=False):
            assert client.get(reverse("permits:today")).status_code == 200
        with time_machine.travel(start + dt.timedelta(seconds=20), tick=False):
            assert client.get(reverse("permits:today")).status_code == 200
        assert save.call_count == 1
        with time_machine.travel(start + dt.timedelta(seconds=70), tick=False):
            assert client.get(reverse("permits:today")).status_code == 200
        assert save.call_count == 2


def test_the_idle_window_never_outlasts_the_timeout(client, inspector, settings):
    """Touched at 0:05 and not after (0:30 is within the minute): the session ends 30 minutes
    after 0:05 at the latest, not 30 minutes after the last request."""
    settings.STAFF_IDLE_TOUCH_SECONDS = 60
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(client, inspector)
    with time_machine.travel(start + dt.timedelta(seconds=5), tick=False):
        client.get(reverse("permits:today"))
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        client.get(reverse("permits:today"))
    with time_machine.travel(start + dt.timedelta(minutes=30, seconds=6), tick=False):
        response = client.get(reverse("permits:today"))
        assert response.status_code == 302
