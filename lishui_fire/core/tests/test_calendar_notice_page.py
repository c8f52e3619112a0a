"""The administrators' page for entering a year's holiday notice (/admin/core/calendaryear/enter/):
who reaches it, what it pre-fills (the stand-in's guess, or the entered notice), the preview, the
explanations of wrong lines (nothing saved), CSRF, and publishing twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from lishui_fire.core import calendar
from lishui_fire.core.calendar import Deadline, add_working_days, is_workday, year_has_data
from lishui_fire.core.calendar_notice import CalendarNoticeForm, holiday_lines
from lishui_fire.core.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

D = dt.date
URL = "admin:core_calendaryear_enter"
SOURCE = "国务院办公厅关于2027年部分节假日安排的通知（测试）"

# A test notice for 2027 the way the State Council writes one: ranges, then make-up days.
HOLIDAYS_2027 = [
    "2027-01-01 至 2027-01-03 元旦",
    "2027-02-05 至 2027-02-13 春节",
    "2027-04-03 至 2027-04-05 清明节",
    "2027-05-01 至 2027-05-05 劳动节",
    "2027-06-09 端午节",
    "2027-09-15 中秋节",
    "2027-10-01 至 2027-10-07 国庆节",
]
MAKE_UP_2027 = ["2027-02-20 春节调休上班", "2027-04-25 劳动节调休上班", "2027-10-09 国庆节调休上班"]


@pytest.fixture
def no_2027():
    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()
    calendar.invalidate_calendar_cache()


def form_data(action="publish", holidays=HOLIDAYS_2027, make_up=MAKE_UP_2027, **extra):
    data = {
        "year": "2027",
        "source": SOURCE,
        "source_url": "https://www.gov.cn/",
        "holidays": "\n".join(holidays),
        "make_up_days": "\n".join(make_up),
        action: "1",
    }
    data.update(extra)
    return data


def rows(year=2027):
    return list(
        CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday", "note")
    )


# --- Access ---------------------------------------------------------------------------------------------
def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse(URL))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("persona", ["citizen", "inspector", "supervisor", "chief"])
def test_only_administrators_may_enter_a_notice(no_2027, request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse(URL)).status_code == 403
    assert client.post(reverse(URL), form_data()).status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert rows() == []


def test_the_administrator_finds_the_page_from_the_year_list(client_for, administrator):
    client = client_for(administrator)
    listing = client.get(reverse("admin:core_calendaryear_changelist"))
    assert reverse(URL) in listing.content.decode()
    assert client.get(reverse(URL)).status_code == 200


# --- Pre-filled ---------------------------------------------------------------------------------------
def test_an_unentered_year_is_prefilled_with_the_stand_in_and_its_days_in_lieu(
    no_2027, client_for, administrator
):
    response = client_for(administrator).get(reverse(URL), {"year": 2027})
    form = response.context["form"]
    lines = form.initial["holidays"].splitlines()
    assert lines == [
        "2027-01-01 至 2027-01-03 元旦",
        "2027-02-05 至 2027-02-10 春节",  # 除夕, 初一–初三, and the days in lieu of Sat and Sun
        "2027-04-03 至 2027-04-05 清明节",
        "2027-05-01 至 2027-05-04 劳动节",
        "2027-06-09 端午节",
        "2027-09-15 中秋节",
        "2027-10-01 至 2027-10-05 国庆节",
    ]
    assert form.initial["make_up_days"] == ""  # not guessed
    assert form.initial["source"] == ""
    html = response.content.decode()
    assert "2027-02-05 至 2027-02-10 春节" in html
    assert "尚未录入" in html


def test_the_prefill_published_unchanged_gives_the_stand_ins_calendar(
    no_2027, client_for, administrator, django_capture_on_commit_callbacks
):
    client = client_for(administrator)
    initial = client.get(reverse(URL), {"year": 2027}).context["form"].initial
    before = [is_workday(d) for d in (D(2027, 1, 1) + dt.timedelta(i) for i in range(365))]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(URL), {**initial, "source": SOURCE, "publish": "1"})
    assert response.status_code == 302
    assert year_has_data(2027)
    after = [is_workday(d) for d in (D(2027, 1, 1) + dt.timedelta(i) for i in range(365))]
    assert after == before
    assert sum(after) == 248


def test_an_entered_year_is_prefilled_with_its_rows(client_for, administrator):
    form = client_for(administrator).get(reverse(URL), {"year": 2026}).context["form"]
    assert "2026-02-15 至 2026-02-23 春节" in form.initial["holidays"].splitlines()
    assert "2026-10-01 至 2026-10-07 国庆节" in form.initial["holidays"]
    assert form.initial["make_up_days"].splitlines()[:2] == [
        "2026-01-04 元旦调休上班",
        "2026-02-14 春节调休上班",
    ]
    assert form.initial["source"].startswith("chinesecalendar 1.11.0")


def test_a_nonsense_year_in_the_address_falls_back_to_the_default(client_for, administrator):
    client = client_for(administrator)
    for value in ("abc", "99999", "-1"):
        response = client.get(reverse(URL), {"year": value})
        assert response.status_code == 200
        assert calendar.MIN_YEAR <= response.context["form"].initial["year"] <= calendar.MAX_YEAR


# --- Preview ------------------------------------------------------------------------------------------
def test_preview_shows_the_change_in_working_days_and_saves_nothing(
    no_2027, client_for, administrator
):
    response = client_for(administrator).post(reverse(URL), form_data("preview"))
    assert response.status_code == 200
    preview = response.context["preview"]
    # Notice vs stand-in: Feb 11, 12, May 5, Oct 6, 7 off as well; three make-up days worked.
    assert (preview.before, preview.after, preview.difference) == (248, 246, -2)
    changed = {c.date: (c.before, c.after) for c in preview.changes}
    assert changed[D(2027, 2, 11)] == (True, False)
    assert changed[D(2027, 2, 20)] == (False, True)
    assert D(2027, 2, 9) not in changed  # off on both
    html = response.content.decode()
    assert "全年 248 个工作日" in html
    assert "全年 246 个工作日（-2）" in html
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert rows() == []


# --- Publishing -----------------------------------------------------------------------------------------
def test_publishing_through_the_page_enters_the_notice_and_firms_up_the_year(
    no_2027, client_for, administrator, django_capture_on_commit_callbacks
):
    assert add_working_days(D(2027, 1, 29), 10) == Deadline(D(2027, 2, 18), True)
    client = client_for(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(URL), form_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:core_calendaryear_changelist")
    year = CalendarYear.objects.get(year=2027)
    assert (year.source, year.source_url, year.entered_by) == (
        SOURCE,
        "https://www.gov.cn/",
        administrator,
    )
    entered = {d: (w, n) for d, w, n in rows()}
    assert entered[D(2027, 2, 11)] == (False, "春节")
    assert entered[D(2027, 2, 20)] == (True, "春节调休上班")
    assert D(2027, 2, 6) not in entered  # a Saturday inside the range: off anyway, not stored
    # Feb 1–4 (4), Feb 15–19 (9), Sat Feb 20 worked (10): firm now.
    assert add_working_days(D(2027, 1, 29), 10) == Deadline(D(2027, 2, 20), False)
    page = client.get(reverse("admin:core_calendaryear_changelist"))
    assert "2027 年节假日安排已发布：全年 246 个工作日" in page.content.decode()


def test_publishing_the_same_notice_twice_changes_nothing_more(
    no_2027, client_for, administrator, django_capture_on_commit_callbacks
):
    client = client_for(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse(URL), form_data()).status_code == 302
    first = rows()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse(URL), form_data()).status_code == 302
    assert rows() == first
    assert CalendarYear.objects.filter(year=2027).count() == 1
    # And what the page shows for the entered year publishes to the same rows again.
    initial = client.get(reverse(URL), {"year": 2027}).context["form"].initial
    assert initial["make_up_days"].splitlines() == MAKE_UP_2027
    preview = client.post(reverse(URL), {**initial, "preview": "1"}).context["preview"]
    assert preview.changes == []
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse(URL), {**initial, "publish": "1"}).status_code == 302
    assert [(d, w) for d, w, _n in rows()] == [(d, w) for d, w, _n in first]


def test_a_correction_replaces_the_days_of_the_year(
    no_2027, client_for, administrator, django_capture_on_commit_callbacks
):
    client = client_for(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(URL), form_data())
        client.post(reverse(URL), form_data(make_up=MAKE_UP_2027[:1]))
    assert not is_workday(D(2027, 10, 9))
    assert is_workday(D(2027, 2, 20))


# --- Wrong input: explained, nothing saved, never a 500 -------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"holidays": ["2027-01-02 元旦"]}, "第 1 行：2027-01-02 是周末，本来就休息"),
        ({"make_up": ["2027-01-04 调休"]}, "第 1 行：2027-01-04 是周一至周五，本来就上班"),
        ({"holidays": ["2027-02-30 春节"]}, "2027-02-30 不是日期"),
        ({"holidays": ["2028-01-03 元旦"]}, "2028-01-03 不在 2027 年内"),
        ({"holidays": ["春节 2027-02-05"]}, "看不懂"),
        ({"make_up": ["下周六"]}, "看不懂"),
        ({"holidays": ["2027-02-13 至 2027-02-05 春节"]}, "结束日期早于开始日期"),
        ({"holidays": ["2027-01-01 至 2027-03-01 春节"]}, "一段假期不超过 31 天"),
        ({"holidays": ["2027-01-02 至 2027-01-03"]}, "都是周六、周日"),
        (
            {"holidays": ["2027-01-01 元旦", "2027-01-01 至 2027-01-03 元旦"]},
            "第 2 行：2027-01-01 已在放假第 1 行录入",
        ),
        ({"make_up": ["2027-02-06 调休"]}, "2027-02-06 在放假第 2 行的假期之内"),
        ({"make_up": ["2027-02-20", "2027-02-20"]}, "2027-02-20 已在调休上班日第 1 行录入"),
        ({"source": "  "}, "errorlist"),
        ({"year": "1999"}, "errorlist"),
        ({"year": "abc"}, "errorlist"),
        ({"source_url": "not a url"}, "errorlist"),
    ],
)
def test_a_wrong_line_is_explained_and_nothing_is_saved(
    no_2027, client_for, administrator, django_capture_on_commit_callbacks, fields, message
):
    holidays = fields.pop("holidays", HOLIDAYS_2027)
    make_up = fields.pop("make_up", MAKE_UP_2027)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post(
            reverse(URL), form_data(holidays=holidays, make_up=make_up, **fields)
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, html[html.find("errorlist") - 200 :][:1500]
    assert "尚未保存任何内容" in html or "errornote" in html
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert rows() == []
    assert response.context["preview"] is None


def test_every_wrong_line_is_listed_at_once(no_2027, client_for, administrator):
    response = client_for(administrator).post(
        reverse(URL),
        form_data(holidays=["2027-01-02 元旦", "2027-02-05 至 2027-02-13 春节", "x"]),
    )
    errors = response.context["form"].errors["holidays"]
    assert len(errors) == 2
    assert errors[0].startswith("第 1 行")
    assert errors[1].startswith("第 3 行")


def test_a_post_without_the_csrf_token_is_refused(
    no_2027, administrator, django_capture_on_commit_callbacks
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(
        administrator, backend="lishui_fire.accounts.backends.UsernameOrPhoneBackend"
    )
    assert client.post(reverse(URL), form_data()).status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()
    # With the token from the page, the same post goes through.
    page = client.get(reverse(URL), {"year": 2027})
    token = page.context["csrf_token"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(URL), {**form_data(), "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert year_has_data(2027)


# --- The pre-fill reads back as what it shows ------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(year=st.integers(calendar.MIN_YEAR, calendar.MAX_YEAR))
def test_the_stand_ins_prefill_parses_back_to_the_stand_in(year):
    """Whatever year: the ranges written for the stand-in give back exactly its days off."""
    off = calendar.stand_in_days_off(year)
    lines = holiday_lines({d: (False, name) for d, name in off.items()}, year)
    form = CalendarNoticeForm(
        {"year": year, "source": "测试", "holidays": "\n".join(lines), "make_up_days": ""}
    )
    assert form.is_valid(), form.errors
    assert [d for d, _workday, _note in form.cleaned_data["days"]] == sorted(off)
    assert all(not workday for _d, workday, _note in form.cleaned_data["days"])


@pytest.mark.parametrize("year", range(2019, 2027))
def test_an_entered_years_prefill_parses_back_to_its_rows(year, client_for, administrator):
    """The real notices of 2019–2026, written as ranges by the page, read back as their rows."""
    client = client_for(administrator)
    initial = client.get(reverse(URL), {"year": year}).context["form"].initial
    response = client.post(reverse(URL), {**initial, "preview": "1"})
    assert response.context["form"].errors == {}
    assert response.context["preview"].changes == []
    stored = [(d, w) for d, w, _n in rows(year)]
    assert [(d, w) for d, w, _n in response.context["form"].cleaned_data["days"]] == stored


_LINE = st.from_regex(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}( ?(至|~|to) ?\d{4}-\d{1,2}-\d{1,2})?( [^\n]{0,8})?",
    fullmatch=True,
)


@settings(max_examples=150, deadline=None)
@given(
    holidays=st.lists(st.one_of(_LINE, st.text(max_size=30)), max_size=4),
    make_up=st.lists(st.one_of(_LINE, st.text(max_size=30)), max_size=3),
    year=st.one_of(st.integers(1990, 2110).map(str), st.text(max_size=6)),
)
def test_any_input_is_either_accepted_or_explained(holidays, make_up, year):
    """Never an exception (a 500): a valid form has days of its year only, else errors."""
    form = CalendarNoticeForm(
        {
            "year": year,
            "source": "测试",
            "holidays": "\n".join(holidays),
            "make_up_days": "\n".join(make_up),
        }
    )
    if form.is_valid():
        year_value = form.cleaned_data["year"]
        assert all(d.year == year_value for d, _w, _n in form.cleaned_data["days"])
        assert all((d.weekday() >= 5) == w for d, w, _n in form.cleaned_data["days"])
    else:
        assert all(str(message) for errors in form.errors.values() for message in errors)


def test_a_refusal_by_the_publishing_door_is_shown_not_a_500(
    no_2027, client_for, administrator, monkeypatch
):
    from django.core.exceptions import ValidationError

    def refuse(*args, **kwargs):
        raise ValidationError("通知与已录入的数据冲突（测试）。")

    monkeypatch.setattr(calendar, "publish_calendar_year", refuse)
    response = client_for(administrator).post(reverse(URL), form_data())
    assert response.status_code == 200
    assert "通知与已录入的数据冲突（测试）。" in response.content.decode()
    assert response.context["preview"] is None
    assert not CalendarYear.objects.filter(year=2027).exists()
