"""An applicant books a pre-check with the keyboard alone (issue 8), in real headless Chromium.

Tab, Shift+Tab, Enter, Space, arrow keys and typing: no click, no ``fill``, no ``goto`` after
the first address (typed into the address bar). Every element the focus lands on must show it (an
outline or a shadow of at least 2 px), the skip link must move the focus into the main content,
and at the end the booking exists. The same journey runs in Chinese at a desk and in English on
a phone; axe runs on each page of it (the confirmation page is reached only by booking, so the
crawl in test_a11y_axe.py cannot see it).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.a11y import axe_violations, with_axe
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VENUE = "丽水市莲都区键盘茶馆"
ADDRESS = "丽水市莲都区中山街 8 号"
PHONE_NUMBER = "13957805678"

# What has the focus, and whether a sighted keyboard user can see where it is.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
  const r = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), type: el.type || '', id: el.id,
    text: (label || el.getAttribute('aria-label') || el.textContent || el.value || '')
      .replace(/\\s+/g, ' ').trim(),
    visible: outline || shadow, outline: `${s.outlineStyle} ${s.outlineWidth}`,
    onScreen: r.bottom > 0 && r.top < window.innerHeight && r.width > 0,
  };
}"""


@pytest.fixture
def slot(make_user, org_units):
    from lishui_fire.accounts.models import Role
    from permits.services import prechecks

    make_user(Role.APPLICANT, username="kb-citizen", real_name="许键盘", phone=PHONE_NUMBER)
    inspector = make_user(Role.INSPECTOR, unit="LD", username="kb-insp", real_name="陈监督")
    starts = (timezone.now() + dt.timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return prechecks.publish_slot(
        actor=inspector,
        brigade=org_units["LD"],
        inspector=inspector,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        capacity=2,
    )


class Keyboard:
    """Keys only; every focus stop is recorded and must be visible."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.stops: list[str] = []
        self.problems: list[str] = []

    def focused(self) -> dict[str, Any]:
        info = self.page.evaluate(FOCUSED)
        assert info is not None, f"nothing has the focus on {self.page.url}"
        return info

    def tab_to(self, pattern: str, *, tag: str | None = None, limit: int = 60) -> dict[str, Any]:
        """Tab until the focused element's name matches ``pattern`` (a regular expression)."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            info = self.focused()
            self.stops.append(f"{info['tag']} {info['text'][:40]}")
            if not info["visible"]:
                self.problems.append(f"focus not visible: {info} on {self.page.url}")
            if not info["onScreen"]:
                self.problems.append(f"focused element off screen: {info} on {self.page.url}")
            if re.search(pattern, info["text"]) and (tag is None or info["tag"] == tag):
                return info
        raise AssertionError(f"no {pattern!r} within {limit} tabs on {self.page.url}: {self.stops}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def press(self, key: str, *, navigates: bool = False) -> None:
        if navigates:
            with self.page.expect_navigation():
                self.page.keyboard.press(key)
        else:
            self.page.keyboard.press(key)

    def choose(self, value: str, *, limit: int = 30) -> None:
        """Arrow down a focused, closed <select> until its value is ``value``."""
        for _ in range(limit):
            if self.page.evaluate("() => document.activeElement.value") == value:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"option {value!r} not reached with the arrow keys")


@pytest.mark.parametrize(
    ("language", "device"), [("zh-hans", "desk"), ("en", "phone")], ids=["zh-desk", "en-phone"]
)
def test_an_applicant_books_a_precheck_with_the_keyboard_only(
    language, device, new_page, live_server, slot, org_units
):
    from permits.models import BookingStatus, PrecheckBooking

    zh = language == "zh-hans"
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if device == "phone" else {}
    page = new_page(**options)
    with_axe(page.context)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    keys = Keyboard(page)
    problems: list[str] = []

    # From the home page (its address typed): the first Tab reaches the skip link; the header's
    # sign-in link; the login form focuses its first field itself (autofocus).
    page.goto("/")
    keys.tab_to("跳到主要内容" if zh else "Skip to main content", tag="a", limit=1)
    if device == "phone":  # the header's links fold behind the menu toggle, opened by Enter
        keys.tab_to("^(菜单|Menu)$", tag="summary", limit=3)
        keys.press("Enter")
    keys.tab_to("^登录$" if zh else "^Sign in$", tag="a", limit=5)
    keys.press("Enter", navigates=True)
    assert keys.focused()["text"].startswith("用户名" if zh else "Username")
    keys.type("kb-citizen")
    keys.tab_to("^密码" if zh else "^Password", tag="input")
    keys.type("lishui-test-2026!")
    keys.press("Enter", navigates=True)  # Enter in a field submits its form
    assert page.url.endswith("/permits/mine/"), page.url

    # The applicant's home → the pre-check page.
    keys.tab_to("^预约消防体检$" if zh else "^Book a fire safety pre-check$", tag="a")
    keys.press("Enter", navigates=True)
    problems += axe_violations(page, "permits:precheck_slots")

    # The skip link takes the focus past the header into the main content.
    keys.tab_to("跳到主要内容" if zh else "Skip to main content", tag="a", limit=1)
    keys.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    # Choose the county with the arrow keys, then show its slots.
    keys.tab_to("所在县|County", tag="select", limit=5)
    keys.choose("LD")
    keys.tab_to("^查看时段$" if zh else "^Show slots$", tag="button")
    keys.press("Space", navigates=True)  # Space activates a button
    assert "brigade=LD" in page.url

    # The slot's own link names its date and time (for screen readers too).
    start = timezone.localtime(slot.starts_at)
    keys.tab_to(rf"{start:%m-%d} {start:%H:%M}", tag="a")
    keys.press("Enter", navigates=True)
    problems += axe_violations(page, "permits:precheck_book")

    # Where the venue is (ADR 0027): her account names no county, so she chooses it first.
    keys.tab_to("场所所在县" if zh else "County .*of the venue", tag="select")
    keys.choose(str(org_units["LD"].pk))
    keys.tab_to("场所名称" if zh else "Venue name", tag="input")
    keys.type(VENUE)
    keys.tab_to("场所地址" if zh else "Venue address", tag="input")
    keys.type(ADDRESS)
    keys.tab_to("场所类型" if zh else "Venue type", tag="select")
    keys.choose("teahouse")
    keys.tab_to("联系手机" if zh else "Contact mobile", tag="input")
    page.keyboard.press("Control+A")  # the field may be pre-filled with the account's number
    keys.type(PHONE_NUMBER)
    keys.tab_to("^确认预约$" if zh else "^Confirm booking$", tag="button")
    keys.press("Space", navigates=True)

    # The booking is made, and the confirmation says so.
    assert "/confirmed/" in page.url, page.url
    assert VENUE in page.locator("main").inner_text()
    problems += axe_violations(page, "permits:booking_confirmed")
    booking = PrecheckBooking.objects.get(applicant__username="kb-citizen")
    assert booking.status == BookingStatus.BOOKED
    assert booking.slot_id == slot.pk
    assert booking.venue_name == VENUE
    assert booking.contact_phone == PHONE_NUMBER
    assert not keys.problems + problems, "\n".join(keys.problems + problems)
