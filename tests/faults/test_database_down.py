"""The database is unreachable (restarting, failing over): a 503 in the site's layout, no
traceback, no bare error page; the API answers in its JSON format; and the next request after
the database is back is served normally, without restarting anything.

The outage is simulated in-process (every new connection attempt is refused the way psycopg2
refuses it, and the open one is closed); ``make faults`` restarts a real PostgreSQL under traffic
(test_postgres_restart.py).
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def database_down(monkeypatch):
    def refuse(self):
        raise OperationalError(
            'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
        )

    with monkeypatch.context() as m:
        m.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
        m.setattr(BaseDatabaseWrapper, "connect", refuse)
        connection.close()
        yield


def _signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="lishui_fire.accounts.backends.UsernameOrPhoneBackend")
    return client


def test_a_page_while_the_database_is_down_is_a_503_in_the_layout(monkeypatch, citizen):
    client = _signed_in(citizen)
    url = reverse("permits:mine")
    assert client.get(url).status_code == 200

    with database_down(monkeypatch):
        response = client.get(url)
        anonymous = Client(raise_request_exception=False).get(reverse("accounts:login"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert 'class="site-header"' in page  # the site's layout
    assert "服务暂时不可用" in page
    assert "Traceback" not in page
    assert "OperationalError" not in page
    assert "Connection refused" not in page  # no internals
    # A page that needs no database (the login form, no session yet) is still served.
    assert anonymous.status_code == 200

    # The database is back: the same client, same session, is served again.
    assert client.get(url).status_code == 200


def test_the_api_while_the_database_is_down_is_a_json_503(monkeypatch, citizen):
    from lishui_fire.accounts.models import ApiToken as Token

    token = Token.objects.create(user=citizen)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/permits/").status_code == 200
    with database_down(monkeypatch):
        response = client.get("/api/v1/permits/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "服务暂时不可用，请稍后重试。"}
    assert client.get("/api/v1/permits/").status_code == 200


def test_other_database_errors_stay_500s(monkeypatch, citizen):
    """Only an unreachable database is a 503: a programming error is still a 500 (and paged)."""
    from django.db import ProgrammingError

    client = _signed_in(citizen)

    def broken(*args, **kwargs):
        raise ProgrammingError('relation "permits_permitapplication" does not exist')

    monkeypatch.setattr("permits.views.applicant.render", broken, raising=False)
    response = client.get(reverse("permits:mine"))
    assert response.status_code == 500
    assert 'class="site-header"' in response.content.decode()
