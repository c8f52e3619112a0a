"""The load scenario of `make load` (bench/load/run.sh starts gunicorn and runs this headless).

Four kinds of people, weighted roughly as the portal's traffic: applicants browsing free
pre-check slots and booking one (then cancelling it, so the run can go on without filling the
calendar), inspectors on their day view, supervisors on their dashboards, and the public on the
published pages. Every signed-in persona logs in through the real login form (a session, as in a
browser; the API calls send the CSRF token like the portal's own pages do). A separate
anonymous user calls the bare DRF endpoint at the same pace: the baseline of the report.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import sys
from pathlib import Path

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.load import scenario as sc

_counter = itertools.count()
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LANG = {"Accept-Language": "zh-hans"}


class Portal(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)

    def login(self, username: str) -> None:
        page = self.client.get(sc.LOGIN, name="login (form)", headers=LANG)
        match = CSRF_FIELD.search(page.text)
        with self.client.post(
            sc.LOGIN,
            data={
                "username": username,
                "password": sc.PASSWORD,
                "csrfmiddlewaretoken": match.group(1) if match else "",
            },
            headers={**LANG, "Referer": self.host + sc.LOGIN},
            name="login (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {username} answered {response.status_code}")

    def page(self, name: str, **fill: str) -> None:
        self.client.get(sc.all_paths()[name].format(**fill), name=name, headers=LANG)

    def api_headers(self) -> dict[str, str]:
        return {
            **LANG,
            "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
            "Referer": self.host + "/",
        }


class Applicant(Portal):
    weight = 5

    def on_start(self) -> None:
        self.number = next(_counter)
        self.rng = random.Random(self.number)
        self.brigade = sc.BRIGADE_CODES[self.number % len(sc.BRIGADE_CODES)]
        self.login(sc.applicant(self.number * 37))

    @task(4)
    def slots_page(self) -> None:
        self.page("applicant: slots page")

    @task(4)
    def slots_api(self) -> None:
        self.page("applicant: slots API (available)", brigade=self.brigade)

    @task(2)
    def my_applications(self) -> None:
        self.page("applicant: my applications")

    @task(1)
    def book_and_cancel(self) -> None:
        # A slot at least three days ahead: online cancellation closes 24 h before the start.
        since = (dt.date.today() + dt.timedelta(days=3)).isoformat()
        listing = self.client.get(
            f"/api/v1/precheck-slots/?available=true&brigade={self.brigade}&date_from={since}",
            name="applicant: slots API (available)",
            headers=LANG,
        )
        if listing.status_code != 200 or not listing.json().get("results"):
            return
        slot = self.rng.choice(listing.json()["results"])
        with self.client.post(
            sc.APPLICANT_PATHS["applicant: book (API POST)"],
            json={
                "slot": slot["id"],
                "venue_name": sc.BOOKING_VENUE,
                "venue_address": f"莲都区测试路 {slot['id']} 号",  # one venue, one open booking
                "contact_phone": "13900000002",
            },
            headers=self.api_headers(),
            name="applicant: book (API POST)",
            catch_response=True,
        ) as response:
            if response.status_code == 409:  # another simulated applicant was faster: not a fault
                response.success()
                return
            if response.status_code != 201:
                response.failure(f"booking answered {response.status_code}: {response.text[:200]}")
                return
            booking = response.json()["id"]
        self.client.post(
            sc.APPLICANT_PATHS["applicant: cancel (API POST)"].format(id=booking),
            headers=self.api_headers(),
            name="applicant: cancel (API POST)",
        )


class Inspector(Portal):
    weight = 2

    def on_start(self) -> None:
        n = next(_counter)
        self.login(sc.inspector(sc.BRIGADE_CODES[n % len(sc.BRIGADE_CODES)]))

    @task(3)
    def tomorrow(self) -> None:
        date = (dt.date.today() + dt.timedelta(days=1)).isoformat()
        self.page("inspector: day view (tomorrow)", date=date)

    @task(1)
    def today(self) -> None:
        self.page("inspector: day view (today)")


class Supervisor(Portal):
    weight = 2

    def on_start(self) -> None:
        self.chief = next(_counter) % 2 == 1
        self.login(sc.CHIEF if self.chief else sc.SUPERVISOR)

    @task(1)
    def overview(self) -> None:
        self.page("supervisor: overview")

    @task(1)
    def dashboard(self) -> None:
        if self.chief:
            self.page("chief: permits dashboard (9 brigades)")
        else:
            self.page("supervisor: permits dashboard")


class Public(Portal):
    weight = 2

    @task(3)
    def permits_page(self) -> None:
        self.page("public: permits page")

    @task(2)
    def inspections_page(self) -> None:
        self.page("public: inspections page")

    @task(1)
    def document_check(self) -> None:
        # A number nobody issued: the look-up a person does with a doubtful paper (404 expected).
        with self.client.get(
            sc.PUBLIC_PATHS["public: document check (API)"].format(
                number="丽消许字〔2026〕第9999号", code="ABCD-EFGH"
            ),
            name="public: document check (API)",
            headers=LANG,
            catch_response=True,
        ) as response:
            if response.status_code == 404:
                response.success()


class Baseline(HttpUser):
    """The bare DRF endpoint, anonymous, at the same pace as the others."""

    weight = 1
    wait_time = between(0.5, 2.0)

    @task
    def ping(self) -> None:
        self.client.get(sc.BARE, name="bare DRF endpoint", headers=LANG)
