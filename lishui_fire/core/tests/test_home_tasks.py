"""The home page puts the citizen's four tasks first (issue 9): 预约体检, 我要申请, 进度查询,
我要咨询, each one large tile; the apps announce theirs through ``AppConfig.home_tasks``."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from lishui_fire.core import plugins
from lishui_fire.core.plugins import HomeTask

pytestmark = pytest.mark.django_db


def _tiles(html: str) -> list[tuple[str, str]]:
    """(href, title) of each task tile, in page order."""
    block = html.split('class="tasks"', 1)[1].split("</ul>", 1)[0]
    return re.findall(
        r'<a class="task" href="([^"]+)">\s*<span class="task__title">([^<]+)<', block
    )


def test_the_four_tasks_come_first_each_one_tap_away(client):
    html = client.get(reverse("core:index")).content.decode()
    tiles = _tiles(html)
    assert [title for _href, title in tiles] == ["预约体检", "我要申请", "进度查询", "我要咨询"]
    hrefs = {title: href for href, title in tiles}
    # Anyone sees the free pre-check slots before signing in.
    assert hrefs["预约体检"] == reverse("permits:public_slots")
    assert client.get(hrefs["预约体检"]).status_code == 200
    assert hrefs["进度查询"] == reverse("core:progress")
    assert hrefs["我要咨询"] == reverse("core:contacts")
    # The tiles come before the measures' explanation.
    assert html.index('class="tasks"') < html.index('id="measures-heading"')


def test_a_task_slot_the_future_consultation_app_takes_over(monkeypatch):
    default = {t.slot: t for t in plugins.home_tasks()}["consult"]
    assert default.url_name == "core:contacts"
    monkeypatch.setattr(
        apps.get_app_config("feedback"),
        "home_tasks",
        (HomeTask("consult", "我要咨询", "在线咨询", "feedback:index"),),
        raising=False,
    )
    tasks = {t.slot: t for t in plugins.home_tasks()}
    assert tasks["consult"].url_name == "feedback:index"
    assert [t.slot for t in plugins.home_tasks()] == ["book", "apply", "progress", "consult"]


def test_a_task_slot_claimed_by_two_apps_is_refused(monkeypatch):
    monkeypatch.setattr(
        apps.get_app_config("feedback"),
        "home_tasks",
        (HomeTask("apply", "x", "y", "feedback:index"),),
        raising=False,
    )
    with pytest.raises(ImproperlyConfigured, match="apply"):
        plugins.home_tasks()


def test_an_unknown_task_slot_is_refused(monkeypatch):
    monkeypatch.setattr(
        apps.get_app_config("feedback"),
        "home_tasks",
        (HomeTask("lottery", "x", "y", "feedback:index"),),
        raising=False,
    )
    with pytest.raises(ImproperlyConfigured, match="lottery"):
        plugins.home_tasks()
