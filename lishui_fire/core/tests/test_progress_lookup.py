"""进度查询 without an account: reference + the phone on the case, proved by an SMS code (issue 9).

The look-up answers the same whether or not the pair matches; codes are single-use, expire and
take a limited number of tries; asking is throttled per address and per reference; the progress
page shows no personal data beyond the masked phone, with the brigade's tel: link; both steps
are audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core import sms
from lishui_fire.core.models import PhoneCode
from permits.tests.factories import make_application

pytestmark = pytest.mark.django_db

PHONE = "13857812345"


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "lishui_fire.core.sms.LocmemSmsBackend"
    sms.outbox.clear()
    cache.clear()
    yield sms.outbox
    sms.outbox.clear()
    cache.clear()


@pytest.fixture
def case(citizen):
    lq = OrgUnit.objects.get(code="LQ")
    lq.hotline = "0578-7121119"
    lq.save()
    return make_application(
        citizen,
        brigade="LQ",
        status="returned",
        contact_phone=PHONE,
        missing_items=["消防设施检测报告"],
        return_note="检测报告缺少第 3 页",
    )


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Step 1 as a browser sends it; the outbox sends after commit, as in a real request."""

    def post(client, reference, phone):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("core:progress"), {"reference": reference, "phone": phone})

    return post


def _code(outbox) -> str:
    return re.search(r"验证码 (\d+)", outbox[-1].body).group(1)


def test_the_holder_of_the_phone_sees_the_progress_and_the_brigades_number(
    ask, client, sms_outbox, case
):
    response = ask(client, case.reference.lower(), PHONE)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:progress_code")
    assert [m.to for m in sms_outbox] == [PHONE]
    response = client.post(reverse("core:progress_code"), {"code": _code(sms_outbox)})
    assert response["Location"] == reverse("core:progress_case")
    html = client.get(reverse("core:progress_case")).content.decode()
    assert case.reference in html
    assert "退回补正" in html
    assert "消防设施检测报告" in html
    assert "检测报告缺少第 3 页" in html
    assert 'href="tel:05787121119"' in html
    # No personal data beyond the masked phone.
    assert "138****2345" in html
    assert PHONE not in html
    assert case.contact_name not in html
    assert case.unit_uscc not in html


def test_the_answer_is_the_same_whether_or_not_the_pair_matches(ask, client, sms_outbox, case):
    def answer(reference, phone):
        response = ask(client, reference, phone)
        page = client.get(response["Location"])
        return response.status_code, response["Location"], page.content.decode()

    right = answer(case.reference, PHONE)
    wrong_phone = answer(case.reference, "13900001111")
    no_case = answer("XKNOSUCH00001", PHONE)
    strip = lambda page: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)  # noqa: E731
    assert right[:2] == wrong_phone[:2] == no_case[:2]
    assert strip(right[2]) == strip(wrong_phone[2]) == strip(no_case[2])
    # Only the holder of the right number got a message.
    assert [m.to for m in sms_outbox] == [PHONE]
    # A wrong pair opens nothing, whatever code is tried.
    for code in ("000000", "123456"):
        response = client.post(reverse("core:progress_code"), {"code": code})
        assert response.status_code == 400
    assert client.get(reverse("core:progress_case")).status_code == 302


def test_a_code_opens_once(ask, client, sms_outbox, case):
    ask(client, case.reference, PHONE)
    code = _code(sms_outbox)
    assert client.post(reverse("core:progress_code"), {"code": code}).status_code == 302
    # The same code again, in another browser: spent.
    other = client.__class__()
    ask(other, "XKNOSUCH00001", PHONE)  # gives the other browser a code step to post to
    row = PhoneCode.objects.filter(matched=True).get()
    assert row.used_at is not None
    session = other.session
    session["progress_lookup_code"] = row.pk
    session.save()
    response = other.post(reverse("core:progress_code"), {"code": code})
    assert response["Location"] == reverse("core:progress")
    assert other.get(reverse("core:progress_case")).status_code == 302


def test_a_code_expires(ask, client, sms_outbox, case, settings):
    ask(client, case.reference, PHONE)
    PhoneCode.objects.update(
        expires_at=timezone.now() - dt.timedelta(seconds=1),
    )
    response = client.post(reverse("core:progress_code"), {"code": _code(sms_outbox)})
    assert response["Location"] == reverse("core:progress")
    assert client.get(reverse("core:progress_case")).status_code == 302


def test_wrong_codes_use_up_the_attempts(ask, client, sms_outbox, case, settings):
    settings.PHONE_CODE_MAX_ATTEMPTS = 3
    ask(client, case.reference, PHONE)
    right = _code(sms_outbox)
    wrong = "000000" if right != "000000" else "111111"
    assert client.post(reverse("core:progress_code"), {"code": wrong}).status_code == 400
    assert client.post(reverse("core:progress_code"), {"code": wrong}).status_code == 400
    # The third wrong try spends the code: back to the start.
    response = client.post(reverse("core:progress_code"), {"code": wrong})
    assert response["Location"] == reverse("core:progress")
    assert PhoneCode.objects.get().attempts == 3
    # Now even the right code cannot pass that row.
    session = client.session
    session["progress_lookup_code"] = PhoneCode.objects.get().pk
    session.save()
    response = client.post(reverse("core:progress_code"), {"code": right})
    assert response["Location"] == reverse("core:progress")


def test_a_new_code_replaces_the_old_one(ask, client, sms_outbox, case):
    ask(client, case.reference, PHONE)
    first = _code(sms_outbox)
    first_row = PhoneCode.objects.get()
    ask(client, case.reference, PHONE)
    assert PhoneCode.objects.get(pk=first_row.pk).expires_at <= timezone.now()
    session = client.session
    session["progress_lookup_code"] = first_row.pk
    session.save()
    response = client.post(reverse("core:progress_code"), {"code": first})
    assert response["Location"] == reverse("core:progress")


def test_asking_is_throttled_per_reference(ask, client, sms_outbox, case, settings):
    settings.PROGRESS_LOOKUP_RATE_REFERENCE = "2/hour"
    settings.PROGRESS_LOOKUP_RATE_ADDRESS = "100/hour"
    for n in range(2):
        other = client.__class__(REMOTE_ADDR=f"10.0.0.{n + 1}")
        assert ask(other, case.reference, PHONE).status_code == 302
    third = client.__class__(REMOTE_ADDR="10.0.0.9")
    response = ask(third, case.reference, PHONE)
    assert response.status_code == 429
    assert "过于频繁" in response.content.decode()
    assert len(sms_outbox) == 2
    # Another reference from that address still gets through.
    assert ask(third, "XKNOSUCH00001", PHONE).status_code == 302


def test_asking_is_throttled_per_address(ask, client, sms_outbox, case, settings):
    settings.PROGRESS_LOOKUP_RATE_ADDRESS = "2/hour"
    for n in range(2):
        assert ask(client, f"XKNOSUCH{n:05d}", PHONE).status_code == 302
    response = ask(client, case.reference, PHONE)
    assert response.status_code == 429
    assert sms_outbox == []


def test_bad_input_is_refused_with_a_message_and_sends_nothing(ask, client, sms_outbox, case):
    response = ask(client, case.reference, "12345")
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert sms_outbox == []
    assert not PhoneCode.objects.exists()


def test_the_progress_page_closes_after_its_time(ask, client, sms_outbox, case, settings):
    settings.PROGRESS_VIEW_SECONDS = 0
    ask(client, case.reference, PHONE)
    client.post(reverse("core:progress_code"), {"code": _code(sms_outbox)})
    assert client.get(reverse("core:progress_case"))["Location"] == reverse("core:progress")


def test_drafts_are_not_found(ask, client, sms_outbox, citizen):
    draft = make_application(citizen, status="draft", contact_phone=PHONE)
    ask(client, draft.reference, PHONE)
    assert sms_outbox == []


def test_the_look_up_is_audited(ask, client, sms_outbox, case):
    ask(client, case.reference, "13900001111")
    ask(client, case.reference, PHONE)
    client.post(reverse("core:progress_code"), {"code": _code(sms_outbox)})
    asks = LogEntry.objects.filter(additional_data__purpose="progress_code_requested")
    assert sorted(e.additional_data["matched"] for e in asks) == [False, True]
    assert {e.remote_addr for e in asks} == {"127.0.0.1"}
    seen = LogEntry.objects.get(additional_data__purpose="public_progress_lookup")
    assert seen.object_pk == str(case.pk)
    assert seen.additional_data["phone"] == "138****2345"
    assert PHONE not in str(seen.additional_data)


def test_the_code_step_without_a_request_goes_back_to_the_start(client):
    assert client.get(reverse("core:progress_code"))["Location"] == reverse("core:progress")
    assert client.get(reverse("core:progress_case"))["Location"] == reverse("core:progress")
