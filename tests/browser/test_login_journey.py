"""A citizen's first visit in a real browser: home, keyboard, login, language, logout, lockout."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture then skips (or fails under REQUIRE_SERVICES)
    expect = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"

# Every visible interactive element smaller than 44×44 CSS px (WCAG 2.5.5), by text.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea')]
  .filter(el => el.offsetParent !== null && !el.classList.contains('skip-link'))
  .filter(el => { const r = el.getBoundingClientRect(); return r.width < 44 || r.height < 44; })
  .map(el => (el.textContent || el.name || el.id).trim())"""

# Text whose colour against its effective background falls below 4.5:1 (WCAG 1.4.3).
LOW_CONTRAST = """() => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => { for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor); if (c.length < 4 || c[3] > 0) return c; }
    return [255, 255, 255]; };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.offsetParent === null) continue;
    const fg = lum(rgb(getComputedStyle(el).color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) bad.push(el.textContent.trim().slice(0, 30) + ' ' + ratio.toFixed(2));
  }
  return bad; }"""


@pytest.fixture
def citizen1(make_user):
    return make_user("applicant", username="citizen1", real_name="王小明")


def test_home_page_shows_the_portal_and_the_eight_measures(page, artifact_path):
    response = page.goto("/")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page).to_have_title(re.compile("丽水市消防救援支队"))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text("丽水消防“八项举措”网上服务")
    cards = page.locator("ol.measures > li")
    expect(cards).to_have_count(8)
    expect(cards.locator("h3")).to_have_text(
        [
            re.compile(t)
            for t in (
                "全时咨询",
                "即办即送",
                "双随机查",
                "教育引导",
                "精准勘验",
                "科学施救",
                "全面覆盖",
                "常态回访",
            )
        ]
    )
    assert page.evaluate(LOW_CONTRAST) == []
    assert page.evaluate(SMALL_TARGETS) == []
    page.screenshot(path=str(artifact_path("home-desktop.png")), full_page=True)


def test_on_a_phone_the_four_tasks_come_first_and_free_slots_open_without_login(
    phone_page, artifact_path
):
    """Issue 9: the tasks before the slogans, each one tap away on a phone, and anyone sees
    the free pre-check slots before logging in."""
    page = phone_page
    page.goto("/")
    tiles = page.locator("ul.tasks a.task")
    expect(tiles).to_have_count(4)
    expect(tiles.locator(".task__title")).to_have_text(
        ["预约体检", "我要申请", "进度查询", "我要咨询"]
    )
    height = page.viewport_size["height"]
    for box in (tiles.nth(i).bounding_box() for i in range(4)):
        assert box is not None
        assert box["y"] + box["height"] <= height, "every task is on the first screen"
        assert box["width"] >= 44
        assert box["height"] >= 44
    measures = page.locator("ol.measures").bounding_box()
    assert measures is not None
    assert measures["y"] > tiles.nth(3).bounding_box()["y"], "the slogans come after the tasks"
    assert page.evaluate(NO_OVERFLOW)
    page.screenshot(path=str(artifact_path("home-phone.png")), full_page=True)
    tiles.nth(0).tap()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url
    expect(page.locator("h1")).to_have_text("可预约的消防体检时段")


def test_keyboard_reaches_skip_link_first_then_login(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("跳到主要内容")
    # The skip link becomes visible when focused, and it moves focus past the header.
    assert skip.bounding_box()["x"] >= 0
    focus_ring = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert focus_ring != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.goto("/")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "登录":
            break
    else:
        pytest.fail("Tab never reached the login link")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/login/")
    expect(page.locator("h1")).to_have_text("登录")


def test_citizen_logs_in_switches_language_and_logs_out(page, citizen1, log_in):
    log_in(page, "citizen1")
    assert page.url.endswith("/permits/mine/")
    expect(page.locator("h1")).to_have_text("我的申请")
    expect(page.locator("header")).to_contain_text("王小明")

    # The language switch is a plain form: no JavaScript needed.
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/permits/mine/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("My applications")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("h1")).to_have_text("我的申请")

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="登录", exact=True)).to_be_visible()
    page.goto("/permits/mine/")
    assert "/accounts/login/" in page.url


def test_wrong_password_shows_an_accessible_error(page, citizen1, log_in):
    log_in(page, "citizen1", "not-the-password")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("用户名或密码不正确")
    expect(page.locator("h1")).to_have_count(1)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(page, citizen1, log_in):
    statuses = []
    page.on(
        "response",
        lambda r: statuses.append(r.status) if r.request.method == "POST" else None,
    )
    for _ in range(5):
        log_in(page, "citizen1", "wrong-password-1")
    assert statuses == [200, 200, 200, 200, 429]
    expect(page.locator("h1")).to_have_text("账户已临时锁定")
    expect(page.get_by_role("alert")).to_contain_text("30 分钟")

    log_in(page, "citizen1")  # the right password, during the lock
    assert statuses[-1] == 429
    expect(page.locator("h1")).to_have_text("账户已临时锁定")
    assert "/permits/mine/" not in page.url


def test_phone_layout_has_no_horizontal_scrolling(phone_page, artifact_path):
    for width in (390, 375, 320):
        phone_page.set_viewport_size({"width": width, "height": 844})
        for path in ("/", "/accounts/login/", "/accounts/register/"):
            phone_page.goto(path)
            assert phone_page.evaluate(NO_OVERFLOW), f"{path} scrolls sideways at {width}px"
            assert phone_page.evaluate(SMALL_TARGETS) == [], (path, width)
    # A form full of errors must still fit, and its summary links must be easy to tap.
    phone_page.set_viewport_size({"width": 320, "height": 844})
    phone_page.goto("/accounts/register/")
    phone_page.locator("#id_phone").fill("123")
    phone_page.locator("main form button[type=submit]").tap()
    expect(phone_page.get_by_role("alert")).to_contain_text("手机号码无效")
    assert phone_page.evaluate(NO_OVERFLOW)
    assert phone_page.evaluate(SMALL_TARGETS) == []
    phone_page.set_viewport_size({"width": 390, "height": 844})
    phone_page.goto("/")
    phone_page.screenshot(path=str(artifact_path("home-phone.png")), full_page=True)


def test_phone_login_lands_on_my_applications(phone_page, citizen1, log_in):
    log_in(phone_page, "citizen1")
    expect(phone_page.locator("h1")).to_have_text("我的申请")
    assert phone_page.evaluate(NO_OVERFLOW)
