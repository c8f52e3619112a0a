"""Site-wide pages: one <h1>, labelled fields, no inline script or style (CSP), usable errors."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_scripts = 0
        self._in_script = False
        self.html = html
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script" and not dict(attrs).get("src")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag):
        self._in_script = False

    def all(self, tag):
        return [a for t, a in self.tags if t == tag]

    def ids(self):
        return {a["id"] for _, a in self.tags if a.get("id")}


def assert_sound(html: str) -> Page:
    page = Page(html)
    assert len(page.all("h1")) == 1, "exactly one <h1> per page"
    assert page.all("html")[0]["lang"] in {"zh-CN", "en"}
    assert not [t for t, a in page.tags if "style" in a], "inline style= breaks the CSP"
    assert page.all("style") == [], "inline <style> breaks the CSP"
    assert page.inline_scripts == 0, "inline <script> breaks the CSP"
    assert page.tags[page.tags.index(("body", {})) + 1][1].get("class") == "skip-link"
    labelled = {a["for"] for a in page.all("label") if a.get("for")}
    for field in page.all("input") + page.all("select") + page.all("textarea"):
        if field.get("type") in {"hidden", "submit"}:
            continue
        assert field.get("id") in labelled, f"unlabelled field {field}"
        for ref in (field.get("aria-describedby") or "").split():
            assert ref in page.ids(), f"aria-describedby points at missing #{ref}"
    return page


@pytest.mark.parametrize(
    "url_name",
    [
        "core:index",
        "accounts:login",
        "accounts:register",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_complete",
    ],
)
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_public_pages_are_sound(client, url_name, language):
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert_sound(response.content.decode())


@pytest.mark.parametrize(
    "url_name", ["accounts:password_change", "accounts:password_change_done", "permits:mine"]
)
def test_signed_in_pages_are_sound(client_for, citizen, url_name):
    response = client_for(citizen).get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert_sound(html)
    assert "张三" in html  # who is signed in, in the header


def test_staff_overview_is_sound(client_for, supervisor):
    response = client_for(supervisor).get(reverse("core:overview"))
    assert response.status_code == 200
    page = assert_sound(response.content.decode())
    assert page.all("caption"), "the overview table has a caption"


def test_not_found_page_is_sound(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in assert_sound(response.content.decode()).html


def test_server_error_page_needs_no_database_or_session(django_assert_num_queries):
    from lishui_fire.core.views import server_error

    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统繁忙" in html
    assert_sound(html)


def test_form_errors_are_summarised_and_tied_to_their_fields(client):
    response = client.post(
        reverse("accounts:register"),
        {"real_name": "王五", "phone": "12345", "password1": "a", "password2": "b"},
    )
    assert response.status_code == 200
    page = assert_sound(response.content.decode())
    summary = [a for t, a in page.tags if a.get("class") == "error-summary"]
    assert summary
    assert summary[0]["role"] == "alert"
    phone = next(a for a in page.all("input") if a.get("name") == "phone")
    assert phone["aria-invalid"] == "true"
    assert phone["aria-describedby"].split() == ["id_phone_helptext", "id_phone_error"]
    assert 'href="#id_phone"' in page.html
    assert page.html.count('id="id_phone_error"') == 1


def test_wrong_password_is_announced(client, citizen):
    response = client.post(
        reverse("accounts:login"), {"username": citizen.username, "password": "wrong-one-1"}
    )
    html = response.content.decode()
    assert_sound(html)
    assert re.search(r'role="alert".*用户名或密码不正确', html, re.S)


def test_lockout_page_is_sound(client, citizen, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("accounts:login"), {"username": citizen.username, "password": "wrong-one-1"}
        )
    assert response.status_code == 429
    html = response.content.decode()
    assert "账户已临时锁定" in assert_sound(html).html


def test_invalid_reset_link_is_explained(client):
    url = reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"])
    response = client.get(url)
    assert response.status_code == 200
    assert "该重置链接无效" in assert_sound(response.content.decode()).html


def test_password_reset_email_carries_a_working_link(client, citizen):
    citizen.email = "zhangsan@example.com"
    citizen.save(update_fields=["email"])
    response = client.post(reverse("accounts:password_reset"), {"email": citizen.email})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert "\n" not in message.subject
    assert "重置密码" in message.subject
    assert "张三，您好" in message.body
    uid = urlsafe_base64_encode(force_bytes(citizen.pk))
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)
    assert link
    assert uid in link.group(1)
    # The link leads to the set-new-password form (Django swaps the token for a session marker).
    form = client.get(link.group(1), follow=True)
    assert "设置新密码" in form.content.decode()
    assert 'name="new_password1"' in form.content.decode()
    assert default_token_generator.check_token(citizen, link.group(1).rstrip("/").split("/")[-1])
