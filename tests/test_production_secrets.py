"""Production refuses the repository's published local secret key and a wildcard host list.

Both pass a naive check (the local key is long enough, ``*`` is a list of hosts) and both turn a
leak into a takeover: anyone who read the repository can sign sessions and password-reset links,
and ``*`` lets a forged ``Host`` header into those links. The settings are imported in a fresh
process with ``DJANGO_ENV=production``, exactly as a server starts.
"""

import pytest

from tests.test_guards import _manage, _production_env

LOCAL_KEY = "local-only-insecure-key-" + "x" * 40


@pytest.mark.parametrize(
    "key",
    [
        LOCAL_KEY,  # the local profile's default, published in lishui_fire/settings.py
        "django-insecure-" + "a1b2c3d4e5" * 5,  # startproject's marker of a throwaway key
        "k" * 64,  # long, but one character: no secret at all
    ],
)
def test_production_refuses_a_published_or_trivial_secret_key(key):
    result = _manage("check", env=_production_env(SECRET_KEY=key))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr
    assert "published" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "portal.example.org,*", ""])
def test_production_refuses_a_wildcard_or_empty_host_list(hosts):
    result = _manage("check", env=_production_env(ALLOWED_HOSTS=hosts))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_accepts_a_real_key_and_named_hosts():
    result = _manage(
        "check", env=_production_env(ALLOWED_HOSTS="portal.example.org,.lishui.gov.cn")
    )
    assert result.returncode == 0, result.stderr
