"""Apps plug into the kernel through attributes of their AppConfig (core/plugins.py)."""

from __future__ import annotations

import sys
import types

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from lishui_fire.accounts.views import role_home
from lishui_fire.core import plugins
from lishui_fire.core.plugins import Measure, Panel


@pytest.fixture
def fake_module(monkeypatch):
    """``fake_module(name, **attributes)``: an importable module for dotted paths."""

    def make(name, **attributes):
        module = types.ModuleType(name)
        for key, value in attributes.items():
            setattr(module, key, value)
        monkeypatch.setitem(sys.modules, name, module)
        return module

    return make


@pytest.mark.django_db  # the footer reads the detachment's contact
def test_the_home_page_lists_every_apps_measures_in_order(client):
    measures = plugins.home_links()
    assert [m.number for m in measures] == [1, 2, 3, 4, 5, 6, 7, 8]
    html = client.get(reverse("core:index")).content.decode()
    for measure in measures:
        assert reverse(measure.url_name) in html
        assert str(measure.title) in html


def test_a_measure_claimed_by_two_apps_is_refused(monkeypatch):
    monkeypatch.setattr(
        apps.get_app_config("accounts"),
        "home_links",
        (Measure(2, "x", "y", "core:index"),),
        raising=False,
    )
    with pytest.raises(ImproperlyConfigured, match="measure 2"):
        plugins.home_links()


def test_roles_land_where_an_app_says_else_on_the_kernels_pages(monkeypatch):
    homes = plugins.role_homes()
    assert role_home("brigade_supervisor") == "core:overview"
    assert role_home("no-such-role") == "core:index"
    for role, url_name in homes.items():
        assert role_home(role) == url_name
    monkeypatch.setattr(
        apps.get_app_config("accounts"),
        "role_homes",
        {"brigade_supervisor": "accounts:password_change"},
        raising=False,
    )
    assert role_home("brigade_supervisor") == "accounts:password_change"


def test_a_role_claimed_by_two_apps_is_refused(monkeypatch):
    role = next(iter(plugins.role_homes()))
    monkeypatch.setattr(
        apps.get_app_config("accounts"), "role_homes", {role: "core:index"}, raising=False
    )
    with pytest.raises(ImproperlyConfigured, match=role):
        plugins.role_homes()


@pytest.mark.django_db
def test_overview_panels_render_in_app_order_and_none_leaves_an_app_out(
    monkeypatch, fake_module, supervisor, settings, tmp_path
):
    (tmp_path / "panel.html").write_text(
        "<section><h2>{{ who }} {{ user.username }}</h2></section>"
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    fake_module(
        "fake_panels",
        shown=lambda request: Panel("panel.html", {"who": "accounts"}),
        hidden=lambda request: None,
    )
    monkeypatch.setattr(
        apps.get_app_config("accounts"), "overview_panel", "fake_panels.shown", raising=False
    )
    monkeypatch.setattr(
        apps.get_app_config("feedback"), "overview_panel", "fake_panels.hidden", raising=False
    )
    request = RequestFactory().get("/overview/")
    request.user = supervisor
    panels = plugins.overview_panels(request)
    labels = [p.label for p in panels]
    assert labels[0] == "accounts"  # INSTALLED_APPS order: accounts before core
    assert "feedback" not in labels
    assert "<h2>accounts supervisor-ld</h2>" in panels[0].html


def test_demo_data_schedules_and_reference_seeds_are_found_through_the_appconfigs(
    monkeypatch, fake_module
):
    calls = []
    fake_module("fake_demo", seed=lambda stdout: calls.append(stdout))
    monkeypatch.setattr(apps.get_app_config("feedback"), "demo", "fake_demo.seed", raising=False)
    seeders = dict(plugins.demo_seeders())
    seeders["feedback"]("out")
    assert calls == ["out"]

    assert "lishui_fire.core" in dict(plugins.beat_schedules())

    seeds = [f"{s.__module__}.{s.__name__}" for s in plugins.reference_seeds()]
    assert seeds[:2] == [
        "lishui_fire.accounts.migrations.0002_seed_org_units.seed",
        "lishui_fire.core.migrations.0002_seed_calendar.seed",
    ]


def test_an_api_enum_name_declared_twice_is_refused(monkeypatch):
    name, choices = next(iter(plugins.api_enum_names().items()))
    monkeypatch.setattr(
        apps.get_app_config("accounts"), "api_enum_names", {name: "x.Other"}, raising=False
    )
    with pytest.raises(ImproperlyConfigured, match="twice"):
        plugins.api_enum_names()
    monkeypatch.setattr(
        apps.get_app_config("accounts"), "api_enum_names", {name: choices}, raising=False
    )
    assert plugins.api_enum_names()[name] == choices


def test_an_announced_event_reaches_every_listening_app_in_order(monkeypatch, fake_module):
    heard = []
    fake_module("fake_listeners", first=lambda **p: heard.append(("core", p)) or "a",
                second=lambda **p: heard.append(("accounts", p)) or "b")  # fmt: skip
    monkeypatch.setattr(
        apps.get_app_config("core"),
        "event_handlers",
        {"hydrant_out_of_service": "fake_listeners.first"},
        raising=False,
    )
    monkeypatch.setattr(
        apps.get_app_config("accounts"),
        "event_handlers",
        {"hydrant_out_of_service": "fake_listeners.second", "other": "fake_listeners.first"},
        raising=False,
    )
    answers = plugins.announce("hydrant_out_of_service", hydrant_id=7)
    order = [c.label for c in apps.get_app_configs() if c.label in ("core", "accounts")]
    assert [who for who, _ in heard] == order
    assert all(payload == {"hydrant_id": 7} for _, payload in heard)
    assert sorted(answers) == ["a", "b"]


def test_an_event_nobody_listens_to_is_harmless():
    assert plugins.announce("nobody_listens_to_this", anything=1) == []
