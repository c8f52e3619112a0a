"""Two web processes, two workers and, by mistake, two beats on one database and Redis
(``make faults``). Nothing may assume a single process:

* a session signed in on one web server is signed in on the other (sessions in the database);
* login failures counted on both add up to one lockout, enforced on both (axes, database);
* a throttle counts requests to both (the shared Redis cache): the 7th of 6/min is refused;
* a material uploaded through one web server is downloaded, byte for byte, through the other
  (one storage, a setting);
* both beats send every periodic job, and its effect happens once: each due reminder one SMS.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone

from conftest import PASSWORD
from lishui_fire.core.models import Reminder
from lishui_fire.core.reminders import schedule_reminder
from permits.models import Material
from permits.tests.factories import make_application, pdf_bytes
from tests.faults.harness import wait_until

pytestmark = [
    pytest.mark.faults,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

REMINDERS = 15
VERIFY_RATE = 6


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _login(session: requests.Session, base: str, username: str, password: str):
    token = _csrf(session, f"{base}/accounts/login/")
    return session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )


def _password_the_web_servers_know(*users) -> None:
    """The test session hashes with MD5 (root conftest); the web servers accept only the
    production hashers: give these users a PBKDF2 hash (few iterations, it is a test)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    for user in users:
        user.password = PBKDF2PasswordHasher().encode(PASSWORD, "faultsalt1234", iterations=1000)
        user.save(update_fields=["password"])


def test_two_webs_two_workers_two_beats_share_everything_and_double_nothing(
    deployment, citizen, other_citizen, make_user, figures
):
    victim = make_user("applicant", username="locked-out")
    _password_the_web_servers_know(citizen, victim)
    call_command("sync_beat_schedule", stdout=open("/dev/null", "w"))  # noqa: SIM115
    due = timezone.now() - dt.timedelta(seconds=5)
    for n in range(REMINDERS):
        schedule_reminder(
            key=f"faults:beats:{n}", due_at=due, address=f"1360000{n:04d}", body=f"提醒 {n}"
        )
    extra = {"THROTTLE_DOCUMENT_VERIFY": f"{VERIFY_RATE}/min"}
    a, b = deployment.web(**extra), deployment.web(**extra)
    A, B = f"http://127.0.0.1:{a.port}", f"http://127.0.0.1:{b.port}"
    for n in (1, 2):
        deployment.worker(f"w{n}", app="lishui_fire")
    beats = [deployment.beat("b1"), deployment.beat("b2")]
    started = time.monotonic()
    results: dict[str, object] = {}

    # Sessions: signed in on A, signed in on B.
    browser = requests.Session()
    r = _login(browser, A, citizen.username, PASSWORD)
    assert r.status_code == 302, r.text[:500]
    mine = browser.get(f"{B}/permits/mine/", allow_redirects=False, timeout=30)
    assert mine.status_code == 200
    results["session"] = "login on A, 200 on B"

    # Lockout: five failures, alternately on A and B, lock the account on both.
    attacker = requests.Session()
    for n in range(5):
        r = _login(attacker, (A, B)[n % 2], victim.username, "wrong-password-1")
        # A form error for the first four; the fifth failure is the one that locks.
        assert r.status_code == (200 if n < 4 else 429), (n, r.status_code)
    for base in (A, B):
        r = _login(requests.Session(), base, victim.username, PASSWORD)
        assert r.status_code == 429, (base, r.status_code)
    results["lockout"] = "5 failures split A/B: locked (429) on both"

    # Throttle: VERIFY_RATE look-ups per minute in all, whichever server answers.
    codes = []
    for n in range(VERIFY_RATE + 1):
        base = (A, B)[n % 2]
        codes.append(
            requests.get(
                f"{base}/api/v1/documents/verify/?number=X-{n}&code=ABCD", timeout=30
            ).status_code
        )
    assert 429 not in codes[:VERIFY_RATE], codes
    assert codes[VERIFY_RATE] == 429, codes
    results["throttle"] = f"{VERIFY_RATE}/min split A/B: request {VERIFY_RATE + 1} refused"

    # Uploads: through A, downloaded through B.
    application = make_application(citizen, with_materials=False)
    step = f"/permits/my/{application.pk}/edit/materials/"
    token = _csrf(browser, f"{A}{step}")
    pdf = pdf_bytes("two-webs" * 1000)
    r = browser.post(
        f"{A}{step}",
        data={"kind": "business_licence", "csrfmiddlewaretoken": token},
        files={"file": ("营业执照.pdf", pdf, "application/pdf")},
        headers={"Referer": f"{A}{step}"},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 302, r.text[:500]
    material = Material.objects.get(application=application)
    download = browser.get(f"{B}/permits/files/materials/{material.pk}/", timeout=30)
    assert download.status_code == 200
    assert download.content == pdf
    results["upload"] = f"{len(pdf)} bytes up via A, identical via B"

    # Two beats: wait until both have sent the reminder sweep at least once.
    def sweeps_sent(beat) -> int:
        # sync_beat_schedule names the rows "portal:<entry>".
        return len(re.findall(r"Sending due task \S*core\.sweep_reminders", beat.log()))

    def both_beats_sent() -> bool:
        return all(sweeps_sent(beat) for beat in beats)

    assert wait_until(both_beats_sent, timeout=150, interval=2), deployment.logs()
    assert wait_until(
        lambda: Reminder.objects.filter(status=Reminder.Status.SENT).count() == REMINDERS,
        timeout=60,
    )
    time.sleep(5)  # let the second beat's sweep finish too
    sms = Counter(m.to for m in deployment.sms_lines() if m.to.startswith("1360000"))
    assert len(sms) == REMINDERS
    assert set(sms.values()) == {1}
    sends = [sweeps_sent(beat) for beat in beats]
    assert min(sends) >= 1  # both beats really sent it: the effect above was once anyway
    results["beats"] = (
        f"sweep sent by beat 1 ×{sends[0]}, beat 2 ×{sends[1]}: "
        f"{REMINDERS}/{REMINDERS} reminders, each 1 SMS"
    )
    figures.append(
        f"two of everything ({time.monotonic() - started:.0f} s): "
        + "; ".join(f"{k}: {v}" for k, v in results.items())
    )
