"""Citizens and enterprise contacts register themselves, proving the number with an SMS code
(ADR 0037); staff cannot be created this way. The form no longer says which numbers have an
account: the owner of a registered number is told so by SMS, the person at the keyboard sees
the same page either way."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from lishui_fire.accounts.models import Role, User
from lishui_fire.core import sms
from lishui_fire.core.validators import uscc_check_char

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "lishui_fire.core.sms.LocmemSmsBackend"
    sms.outbox.clear()
    cache.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def register(django_capture_on_commit_callbacks):
    """Step 1 as a browser sends it (the SMS goes out after commit), then step 2 with the code
    read from the SMS (or ``code`` when given)."""

    def run(client, data, code=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post(reverse("accounts:register"), data, **extra)
        if first.status_code != 302:
            return first
        assert first["Location"] == reverse("accounts:register_confirm")
        if code is None:
            code = _code(sms.outbox)
        return client.post(reverse("accounts:register_confirm"), {"code": code})

    return run


def _code(outbox) -> str:
    return re.search(r"验证码 (\d+)", outbox[-1].body).group(1)


VALID = {
    "real_name": "王小明",
    "phone": "13757812345",
    "password1": "Lishui-fire-2026",
    "password2": "Lishui-fire-2026",
    "enterprise_name": "",
    "enterprise_uscc": "",
}


def test_a_citizen_registers_with_the_code_sent_to_her_number_and_is_signed_in(
    client, register, sms_outbox
):
    response = register(client, VALID)
    assert [m.to for m in sms_outbox] == [VALID["phone"]]
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    user = User.objects.get(phone="13757812345")
    assert user.role == Role.APPLICANT
    assert user.org_unit is None
    assert client.get(reverse("permits:mine")).status_code == 200


def test_an_enterprise_contact_registers_with_a_valid_credit_code(client, register):
    prefix = "91331102MA2A00001"
    uscc = prefix + uscc_check_char(prefix)
    data = {
        **VALID,
        "enterprise_name": "丽水市莲都区测试餐饮有限公司",
        "enterprise_uscc": uscc.lower(),
    }
    assert register(client, data).status_code == 302
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


def test_no_account_exists_before_the_code_comes_back(client, register, sms_outbox):
    with pytest.raises(AssertionError):  # a wrong code: the page asks again
        assert register(client, VALID, code="000000").status_code == 302
    assert not User.objects.exists()
    page = client.get(reverse("accounts:register_confirm"))
    assert "137****2345" in page.content.decode()
    assert VALID["phone"] not in page.content.decode()


def test_a_registered_number_gets_no_code_and_its_owner_is_told_by_sms(
    client, register, sms_outbox, make_user
):
    """The page is the same for a new and a registered number; only the SMS differs, and only
    the holder of the number reads it."""
    owner = make_user("applicant", phone="13757899999", real_name="原机主")
    fresh = register(client.__class__(), {**VALID, "phone": "13757812346"}, code="000000")
    taken = register(client, {**VALID, "phone": "13757899999"}, code="000000")
    assert taken.status_code == fresh.status_code == 400

    def text(response):
        html = re.sub(r'value="[A-Za-z0-9]{64}"', "CSRF", response.content.decode())
        return html.replace("137****2346", "MASKED").replace("137****9999", "MASKED")

    assert text(taken) == text(fresh)
    to_owner = [m for m in sms_outbox if m.to == "13757899999"]
    assert len(to_owner) == 1
    assert "已有账户" in to_owner[0].body
    assert "验证码" not in to_owner[0].body
    assert User.objects.filter(phone="13757899999").get() == owner


def test_five_wrong_codes_spend_it_and_send_back_to_the_form(client, register, settings):
    settings.PHONE_CODE_MAX_ATTEMPTS = 5
    register(client, VALID, code="000000")  # one wrong try
    for _ in range(3):
        assert (
            client.post(reverse("accounts:register_confirm"), {"code": "000000"}).status_code == 400
        )
    last = client.post(reverse("accounts:register_confirm"), {"code": "000000"})
    assert last["Location"] == reverse("accounts:register")
    # The right code no longer opens anything: the details were dropped with the code.
    assert client.get(reverse("accounts:register_confirm"))["Location"] == reverse(
        "accounts:register"
    )
    assert not User.objects.exists()


def test_the_number_registered_meanwhile_is_not_registered_twice(client, register, make_user):
    from django.test import Client

    holder = Client()
    with pytest.raises(AssertionError):
        assert register(holder, VALID, code="000000").status_code == 302
    code = _code(sms.outbox)
    make_user("applicant", phone=VALID["phone"], username=VALID["phone"])
    response = holder.post(reverse("accounts:register_confirm"), {"code": code})
    assert response["Location"] == reverse("accounts:login")
    assert User.objects.filter(phone=VALID["phone"]).count() == 1


def test_registration_form_in_english(client):
    response = client.post(
        reverse("accounts:register"), {**VALID, "phone": "1"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]


# --- Attempts, a few an hour per address (ADR 0023): each one sends an SMS ----------------------
def _address():
    import random

    # Counters outlive a test run in Redis: a fresh address per run keeps runs independent.
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def test_registration_attempts_are_limited_per_client_address(
    client, settings, make_user, django_capture_on_commit_callbacks
):
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
    assert statuses[:10] == [302] * 10  # each one to the code page, as for any number
    assert statuses[10] == 429
    text = response.content.decode()
    assert "注册尝试过于频繁" in text
    assert "13757899999" not in text
    assert int(response["Retry-After"]) > 0
    assert not User.objects.filter(phone=VALID["phone"]).exists()
    # Another address still registers.
    other = client.post(reverse("accounts:register"), VALID, REMOTE_ADDR=_address())
    assert other["Location"] == reverse("accounts:register_confirm")


def test_looking_at_the_form_is_not_counted(client, settings):
    settings.REGISTRATION_RATE = "2/hour"
    address = _address()
    for _ in range(5):
        assert client.get(reverse("accounts:register"), REMOTE_ADDR=address).status_code == 200
    response = client.post(reverse("accounts:register"), VALID, REMOTE_ADDR=address)
    assert response["Location"] == reverse("accounts:register_confirm")
