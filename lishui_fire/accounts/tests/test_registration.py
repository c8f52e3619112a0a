"""Citizens and enterprise contacts register themselves; staff cannot be created this way."""

import pytest
from django.urls import reverse

from lishui_fire.accounts.models import Role, User
from lishui_fire.core.validators import uscc_check_char

pytestmark = pytest.mark.django_db

VALID = {
    "real_name": "王小明",
    "phone": "13757812345",
    "password1": "Lishui-fire-2026",
    "password2": "Lishui-fire-2026",
    "enterprise_name": "",
    "enterprise_uscc": "",
}


def test_a_citizen_registers_and_is_signed_in_as_applicant(client):
    response = client.post(reverse("accounts:register"), VALID)
    assert response.status_code == 302
    user = User.objects.get(phone="13757812345")
    assert user.role == Role.APPLICANT
    assert user.org_unit is None
    assert client.get(reverse("permits:mine")).status_code == 200


def test_an_enterprise_contact_registers_with_a_valid_credit_code(client):
    prefix = "91331102MA2A00001"
    uscc = prefix + uscc_check_char(prefix)
    data = {
        **VALID,
        "enterprise_name": "丽水市莲都区测试餐饮有限公司",
        "enterprise_uscc": uscc.lower(),
    }
    assert client.post(reverse("accounts:register"), data).status_code == 302
    assert User.objects.get(phone=VALID["phone"]).enterprise_uscc == uscc


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "手机号码无效"),
        ({"password2": "something-else-2026"}, "password2", "两次输入的密码不一致"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", ""),
        ({"password1": "short", "password2": "short"}, "password1", ""),
        (
            {"enterprise_name": "某公司", "enterprise_uscc": "91331102MA2A000010"},
            "enterprise_uscc",
            "统一社会信用代码无效",
        ),
        ({"real_name": ""}, "real_name", ""),
    ],
)
def test_bad_registration_input_is_refused_with_a_message(client, change, field, message):
    response = client.post(reverse("accounts:register"), {**VALID, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert message in " ".join(errors[field])
    assert not User.objects.exists()


def test_a_mobile_number_registers_only_once(client):
    client.post(reverse("accounts:register"), VALID)
    second = client.__class__().post(reverse("accounts:register"), {**VALID, "real_name": "另一人"})
    assert second.status_code == 200
    assert "已注册" in " ".join(second.context["form"].errors["phone"])
    assert User.objects.filter(phone=VALID["phone"]).count() == 1


def test_registration_form_in_english(client):
    response = client.post(
        reverse("accounts:register"), {**VALID, "phone": "1"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]


# --- Whether a number is registered: said, but a few times an hour per address (ADR 0023) -------
def _address():
    import random

    # Counters outlive a test run in Redis: a fresh address per run keeps runs independent.
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def test_registration_attempts_are_limited_per_client_address(client, settings, make_user):
    settings.REGISTRATION_RATE = "10/hour"
    settings.TRUSTED_PROXY_COUNT = 0
    make_user("applicant", phone="13757899999")
    address = _address()
    statuses = []
    for i in range(11):
        response = client.post(
            reverse("accounts:register"),
            {**VALID, "phone": "13757899999"},
            REMOTE_ADDR=address,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",  # a made-up header buys no new allowance
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    text = response.content.decode()
    assert "注册尝试过于频繁" in text
    assert "13757899999" not in text
    assert int(response["Retry-After"]) > 0
    assert not User.objects.filter(phone=VALID["phone"]).exists()
    # Another address still registers.
    other = client.post(reverse("accounts:register"), VALID, REMOTE_ADDR=_address())
    assert other.status_code == 302


def test_looking_at_the_form_is_not_counted(client, settings):
    settings.REGISTRATION_RATE = "2/hour"
    address = _address()
    for _ in range(5):
        assert client.get(reverse("accounts:register"), REMOTE_ADDR=address).status_code == 200
    assert client.post(reverse("accounts:register"), VALID, REMOTE_ADDR=address).status_code == 302
