"""Settings of the booking benchmark: the load run's (production profile without TLS), with the
benchmark's URLconf."""

from bench.load.settings import *  # noqa: F403

ROOT_URLCONF = "bench.booking.urls"
