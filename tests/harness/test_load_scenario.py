"""The load scenario (bench/load/, `make load`) still requests real portal views.

Cheap: no server and no locust, only URL resolution against the bench URLconf, so a renamed
page turns this red instead of quietly measuring 404s at the next load run.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from bench.load import scenario

FILL = {"brigade": "LD", "id": "1", "date": "2026-12-02", "number": "X", "code": "Y"}


@pytest.mark.parametrize(("name", "path"), sorted(scenario.all_paths().items()))
def test_it_resolves_every_path_of_the_scenario(name, path, settings):
    settings.ROOT_URLCONF = "bench.load.urls"
    url = urlsplit(path.format(**FILL)).path
    try:
        match = resolve(url)
    except Resolver404:
        pytest.fail(f"{name}: {url} is not a portal URL any more")
    assert match.func is not None


def test_it_mounts_the_bare_endpoint_only_in_the_bench_urlconf(settings):
    settings.ROOT_URLCONF = "bench.load.urls"
    assert resolve(scenario.BARE).url_name == "bench-ping"
    settings.ROOT_URLCONF = "lishui_fire.urls"
    with pytest.raises(Resolver404):
        resolve(scenario.BARE)


def test_it_answers_the_bare_endpoint_without_the_database(client, settings):
    # No django_db mark: any query would raise here.
    settings.ROOT_URLCONF = "bench.load.urls"
    response = client.get(scenario.BARE)
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_it_names_the_locustfile_requests_after_the_scenario():
    """Every ``name=`` the locustfile reports is a scenario entry (the report's rows)."""
    from pathlib import Path

    source = (Path(scenario.__file__).parent / "locustfile.py").read_text(encoding="utf-8")
    used = set(re.findall(r'name="([^"]+)",', source)) | set(
        re.findall(r'self\.page\(\s*"([^"]+)"', source)
    )
    known = set(scenario.all_paths()) | {"login (form)", "login (POST)"}
    assert used, "no request names found in the locustfile"
    assert used <= known, used - known
