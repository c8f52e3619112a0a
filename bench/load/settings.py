"""Settings of the load run (`make load`): the production profile, with what a load test on one
machine without TLS has to change.

Read with ``DJANGO_ENV=production`` and the production variables set by ``bench/load/run.sh``
(DEBUG off, PostgreSQL, REDIS_URL, manifest static files). The differences from production:

* no TLS in front of gunicorn, so cookies are not ``Secure`` and there is no HTTPS redirect (a
  client would not send a Secure session cookie back over http);
* the bench URLconf, which adds the bare DRF endpoint the figures are compared with;
* the API throttles are raised by run.sh through their environment variables (every simulated
  user comes from 127.0.0.1, one address).
"""

from lishui_fire.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008", "security.W012", "security.W016"]
ROOT_URLCONF = "bench.load.urls"
