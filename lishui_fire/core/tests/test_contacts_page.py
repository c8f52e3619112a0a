"""联系我们/办事窗口: every unit's hotline as a tel: link and its window as a map link (issue 9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lishui_fire.accounts.contacts import contact_for
from lishui_fire.accounts.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_the_contact_page_lists_all_ten_units_with_their_own_numbers(client):
    units = list(OrgUnit.objects.all())
    assert len(units) == 10
    lq = OrgUnit.objects.get(code="LQ")
    lq.hotline = "0578-7121119"
    lq.window_address = "龙泉市剑川大道 1 号政务服务中心 2 楼"
    lq.opening_hours = "工作日 8:30–12:00"
    lq.save()
    html = client.get(reverse("core:contacts")).content.decode()
    for unit in units:
        assert unit.name_zh in html
    assert 'href="tel:05787121119"' in html
    assert contact_for(lq).map_url.replace("&", "&amp;") in html
    assert "工作日 8:30–12:00" in html
    # The emergency number stays visible on the page people reach for help.
    assert 'href="tel:119"' in html


def test_the_contact_page_costs_the_same_for_ten_units(client, django_assert_num_queries):
    # One for the units (with their parents), one for the footer's detachment.
    with django_assert_num_queries(2):
        client.get(reverse("core:contacts"))


@pytest.mark.parametrize("url_name", ["feedback:index", "accounts:password_reset"])
def test_pages_that_say_call_the_brigade_link_the_numbers(client, url_name):
    html = client.get(reverse(url_name)).content.decode()
    assert f'href="{reverse("core:contacts")}"' in html
