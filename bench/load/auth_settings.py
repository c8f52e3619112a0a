"""Settings of ``bench/auth_bench.py``: the load run's (production profile without TLS) with the
token-authenticated bare endpoint added to the URLconf."""

from bench.load.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load.auth_urls"
