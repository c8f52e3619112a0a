"""Settings for the Lishui Fire Portal: one module, driven by environment variables.

Two profiles, chosen by ``DJANGO_ENV``:

* ``local`` (the default): SQLite file, DEBUG on, console e-mail and SMS, Celery tasks run
  in-process unless ``REDIS_URL`` is set. Good for trying the portal on a laptop.
* ``production``: every secret and address must come from the environment; there are no
  defaults, so a missing variable stops the process at start-up instead of running unsafely.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
DJANGO_ENV = env.str("DJANGO_ENV", default="local")
if DJANGO_ENV not in {"local", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'local' or 'production', not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"
TESTING = env.bool("DJANGO_TESTING", default=False)

# The local profile's key is published with the code: anyone who read the repository could sign
# sessions and password-reset links with it. Production refuses it (and startproject's throwaway
# keys, and keys of a handful of characters) instead of trusting that someone changed it.
LOCAL_SECRET_KEY = "local-only-insecure-key-" + "x" * 40

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")
    if (
        SECRET_KEY == LOCAL_SECRET_KEY
        or SECRET_KEY.startswith(("local-only-insecure", "django-insecure"))
        or len(set(SECRET_KEY)) < 5
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY is the repository's published local key or a trivial one: generate a "
            "random one for production (python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    DEBUG = False
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    # "*" answers any Host header, so a forged one ends up in password-reset links and redirects.
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must name the portal's host names in production (e.g. "
            "portal.example.org or .lishui.gov.cn), never '*' and never empty"
        )
    DATABASES = {"default": env.db("DATABASE_URL")}
    REDIS_URL = env.str("REDIS_URL")
else:
    SECRET_KEY = env.str("SECRET_KEY", default=LOCAL_SECRET_KEY)
    DEBUG = env.bool("DEBUG", default=not TESTING)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
    DATABASES = {
        "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
    }
    REDIS_URL = env.str("REDIS_URL", default="")

# django-environ silently mis-parses unencoded special characters in DATABASE_URL passwords
# (the host then comes out empty or wrong); refuse to start rather than connect somewhere odd.
_db = DATABASES["default"]
if _db["ENGINE"].endswith("postgresql") and not _db.get("HOST") and not _db.get("NAME"):
    raise ImproperlyConfigured("DATABASE_URL could not be parsed: URL-encode the password")
_db.setdefault("ATOMIC_REQUESTS", False)
if _db["ENGINE"].endswith("postgresql"):
    _db.setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    _db["CONN_HEALTH_CHECKS"] = True
elif _db["ENGINE"].endswith("sqlite3"):
    # Wait for a competing writer instead of failing at once with "database is locked", and
    # take the write lock at BEGIN so that two bookings cannot both read then both write.
    _db.setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    # A fresh clone has no var/ (it is ignored by git): create the database file's folder so
    # that the first `migrate` works instead of "unable to open database file".
    _name = str(_db.get("NAME") or "")
    if _name and _name != ":memory:" and "mode=memory" not in _name:
        Path(_name).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    "auditlog",
    "lishui_fire.accounts",
    "lishui_fire.core",
    "lishui_fire.enterprises",
    "permits",
    "inspections",
    "fire_investigation",
    "outreach",
    "feedback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # API responses: Cache-Control no-store, JSON 404 with DEBUG on too (core/middleware.py).
    "lishui_fire.core.middleware.ApiHygieneMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lishui_fire.accounts.middleware.StaffIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "lishui_fire.core.audit.AuditMiddleware",
    # Axes must come last: it turns a lockout raised during authentication into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lishui_fire.urls"
WSGI_APPLICATION = "lishui_fire.wsgi.application"
ASGI_APPLICATION = "lishui_fire.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lishui_fire.core.context_processors.portal",
            ],
        },
    },
]

# --- Accounts and authentication ----------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "lishui_fire.accounts.backends.UsernameOrPhoneBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "core:index"

# Staff sessions end after 30 idle minutes (等保 2.0 level 3); applicants keep theirs for a day.
STAFF_IDLE_TIMEOUT_SECONDS = env.int("STAFF_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=24 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# django-axes: its defaults (3 failures, IP only, permanent lock) would lock whole NATed offices
# out forever. Lock the username+IP pair for 30 minutes after 5 failures instead.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "lishui_fire.accounts.views.lockout"
# The lock is on the account, however it was named (username or mobile number, ADR 0023).
AXES_USERNAME_CALLABLE = "lishui_fire.accounts.backends.account_name"
# The client's address: one answer for the lockout, the API throttles and the audit log
# (lishui_fire.core.client). Behind N reverse proxies that each append to X-Forwarded-For
# (nginx: proxy_add_x_forwarded_for), set TRUSTED_PROXY_COUNT=N; the client is then the N-th
# entry from the right. 0 (the default): the header is ignored, the socket's address counts.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "lishui_fire.core.client.client_ip"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None

# API tokens (accounts.tokens, ADR 0023): idle and absolute lifetimes. Staff tokens follow the
# idle rule of staff sessions (STAFF_IDLE_TIMEOUT_SECONDS). A token's last use is written at
# most once per API_TOKEN_TOUCH_SECONDS (so the idle clock is exact to within that).
API_TOKEN_IDLE_SECONDS = env.int("API_TOKEN_IDLE_SECONDS", default=7 * 24 * 60 * 60)
API_TOKEN_MAX_AGE_SECONDS = env.int("API_TOKEN_MAX_AGE_SECONDS", default=30 * 24 * 60 * 60)
API_TOKEN_TOUCH_SECONDS = env.int("API_TOKEN_TOUCH_SECONDS", default=60)
# Each process keeps a token it read for this long, used only while the revocation markers in
# the cache are unchanged (accounts.token_cache, ADR 0031); 0 reads the database on every call.
# Off without Redis: a cache in each process's own memory cannot carry one process's revocation
# to another.
API_TOKEN_CACHE_SECONDS = env.int("API_TOKEN_CACHE_SECONDS", default=10 if REDIS_URL else 0)
# A staff session's expiry is pushed forward at most once per this many seconds, not on every
# request (each push is a session write).
STAFF_IDLE_TOUCH_SECONDS = env.int("STAFF_IDLE_TOUCH_SECONDS", default=60)
# Self-registration attempts per client address (the form says whether a number is registered:
# ADR 0023).
REGISTRATION_RATE = env.str("THROTTLE_REGISTRATION", default="10/hour")

# --- Internationalisation ----------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded materials live outside the web root and are only served through views that check
# who is asking (never by nginx or whitenoise directly).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media-not-served/"
# Where files live is a setting (ADR 0017): the default is a folder every web process and worker
# mounts (atomic writes: no half-written file after a full disk or a crash); any Django storage
# may replace it, e.g. S3-compatible object storage through django-storages (not installed by
# default): FILE_STORAGE_BACKEND=storages.backends.s3.S3Storage, with the S3_* variables below.
FILE_STORAGE_BACKEND = env.str(
    "FILE_STORAGE_BACKEND", default="lishui_fire.core.storage.AtomicFileSystemStorage"
)
FILE_STORAGE_OPTIONS: dict[str, object] = {}
if FILE_STORAGE_BACKEND.startswith("storages.backends.s3"):
    FILE_STORAGE_OPTIONS = {
        "bucket_name": env.str("S3_BUCKET"),
        "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
        "region_name": env.str("S3_REGION", default=None),
        "access_key": env.str("S3_ACCESS_KEY", default=None),
        "secret_key": env.str("S3_SECRET_KEY", default=None),
        # Private files: every download goes through the portal's own checks.
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
STORAGES = {
    "default": {"BACKEND": FILE_STORAGE_BACKEND, "OPTIONS": FILE_STORAGE_OPTIONS},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# Largest image accepted (width × height in pixels), read from the file's header before it is
# decoded: a few-kilobyte PNG can announce 30000×30000 (2.7 GB once decoded). A 100-megapixel
# phone photo fits; keep width × height under twice Pillow's MAX_IMAGE_PIXELS (178 M), above
# which Pillow itself refuses the file as a decompression bomb.
MAX_IMAGE_DIMENSIONS = (
    env.int("MAX_IMAGE_WIDTH", default=12000),
    env.int("MAX_IMAGE_HEIGHT", default=12000),
)

# --- E-mail and SMS ----------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="丽水市消防救援支队 <noreply@localhost>")
if PRODUCTION:
    EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
    vars().update(EMAIL_CONFIG)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
SMS_BACKEND = env.str("SMS_BACKEND", default="lishui_fire.core.sms.ConsoleSmsBackend")
# FileSmsBackend appends one JSON line per message here (tests count a worker's sends with it).
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / "var" / "sms.jsonl"))
# A notification that failed this many times stays FAILED for a person to look at.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)

# --- Cache ----------------------------------------------------------------
# One cache for every process (throttles, the calendar): Redis whenever REDIS_URL is set. A Redis
# outage makes it a cache that misses (logged), never a 500 (core.cache, ADR 0017); the timeouts
# keep a hung Redis from holding requests.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "lishui_fire.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lishui",
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.5),
                "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=1.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ----------------------------------------------------------------
# "memory://localhost/", not "memory://": without a host kombu warns "No hostname was supplied"
# on every connection, a warning that reads like an error in `make run`.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Without a broker, tasks run in-process (local demo): nothing to start besides the web server.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redelivery after a lost worker: shorter than any countdown we use is wrong, so we use no long
# countdowns at all; far-future work is a database row swept by beat.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Django REST framework and OpenAPI ----------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that an anonymous call gets 401 with WWW-Authenticate, not 403.
        "lishui_fire.core.api_defaults.TokenAuthentication",
        "lishui_fire.core.api_defaults.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "lishui_fire.core.api_defaults.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "lishui_fire.core.api.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "lishui_fire.core.api_schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "lishui_fire.core.api.exception_handler",
    # Counted per client address as core.client sees it (NUM_PROXIES for any throttle that
    # still uses DRF's own get_ident).
    "DEFAULT_THROTTLE_CLASSES": [
        "lishui_fire.core.throttling.AnonRateThrottle",
        "lishui_fire.core.throttling.UserRateThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        "user": env.str("THROTTLE_USER", default="600/min"),
        "token": env.str("THROTTLE_TOKEN", default="10/min"),
    },
    # Production answers JSON only: the browsable API (forms, the raw request) is a local tool.
    "DEFAULT_RENDERER_CLASSES": (
        ["rest_framework.renderers.JSONRenderer"]
        if PRODUCTION
        else [
            "rest_framework.renderers.JSONRenderer",
            "rest_framework.renderers.BrowsableAPIRenderer",
        ]
    ),
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "%Y-%m-%d",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "丽水消防服务门户 API / Lishui Fire Portal API",
    "DESCRIPTION": "Public API contract v1 of the Lishui fire-rescue detachment portal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Deep links put a link inside each operation's toggle button (nested interactive controls,
    # which screen readers cannot operate); the API docs are keyboard- and reader-friendly
    # without them.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # Choice sets that share a field name ("venue_type") get stable schema names. Apps add
    # theirs with AppConfig.api_enum_names (core/plugins.py), merged in at start-up.
    "ENUM_NAME_OVERRIDES": {},
}

# --- Security headers ----------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "lishui_fire.core.views.csrf_failure"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    # Preloading binds every subdomain of the government domain to HTTPS for good: the
    # operator's decision, not a default; so its check warning is expected when it is off.
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# All assets are served from our own origin (government intranets are closed: no CDN).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Audit ----------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {
        "no_traceback_below_error": {"()": "lishui_fire.core.logfilters.NoTracebackBelowError"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_traceback_below_error"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's default config gives "django" a console handler of its own as well: every
        # line would be printed twice (once there, once by the root).
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "lishui_fire.security": {"level": "INFO"},
        "weasyprint": {"level": "ERROR"},
        # "AXES: BEGIN version …" at every start of every command: routine, not news.
        "axes.apps": {"level": "WARNING"},
        "fontTools": {"level": "ERROR"},
    },
}

# --- Portal ----------------------------------------------------------------
PORTAL_NAME = _("丽水消防服务门户")
SEED_DEMO_ALLOWED = not PRODUCTION
# In CI, a test that needs Redis or a browser must not quietly skip.
REQUIRE_SERVICES = env.bool("REQUIRE_SERVICES", default=False)
# Pre-check punctuality (按照预约时间): an arrival up to this many minutes after the booked start
# counts as on time on the supervisors' dashboard.
PRECHECK_PUNCTUALITY_GRACE_MINUTES = env.int("PRECHECK_PUNCTUALITY_GRACE_MINUTES", default=15)
# Applicants may cancel or reschedule a pre-check online until this many hours before it starts;
# later they call the brigade (the inspector has already planned the day).
PRECHECK_CHANGE_CUTOFF_HOURS = env.int("PRECHECK_CHANGE_CUTOFF_HOURS", default=24)
# The free-slot calendars (public and signed in) list at most this many slots a page.
PRECHECK_CALENDAR_MAX_SLOTS = env.int("PRECHECK_CALENDAR_MAX_SLOTS", default=200)

# --- Official documents ------------------------------------------------------------------------
# The portal's public address: the QR code and the verification address printed on every
# official letter point here, so a paper copy can be checked (core.documents.verification_url).
if PRODUCTION:
    PORTAL_BASE_URL = env.str("PORTAL_BASE_URL")
    if not PORTAL_BASE_URL.startswith("https://"):
        raise ImproperlyConfigured("PORTAL_BASE_URL must be an https:// address in production")
else:
    PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# A create request's Idempotency-Key and its answer are kept this long (core/idempotency.py):
# long enough for any client's retries, short enough that a key may then be used again.
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
# Look-ups of the public document check per client address (page and API together).
DOCUMENT_VERIFY_RATE = env.str("THROTTLE_DOCUMENT_VERIFY", default="20/min")

# --- One-time SMS codes and the public progress look-up (issue 9; core/phone_codes.py) ------
# A code lives five minutes and survives five wrong tries, as the province's government service
# portal (浙里办) does; six digits make a blind guess 1 in 200,000 per code.
PHONE_CODE_TTL_SECONDS = env.int("PHONE_CODE_TTL_SECONDS", default=5 * 60)
PHONE_CODE_MAX_ATTEMPTS = env.int("PHONE_CODE_MAX_ATTEMPTS", default=5)
PHONE_CODE_DIGITS = env.int("PHONE_CODE_DIGITS", default=6)
# Codes asked for per client address and per reference number (each SMS costs money and could
# pester the holder of the number); after a correct code the progress page stays open this long.
PROGRESS_LOOKUP_RATE_ADDRESS = env.str("THROTTLE_PROGRESS_LOOKUP_ADDRESS", default="10/hour")
PROGRESS_LOOKUP_RATE_REFERENCE = env.str("THROTTLE_PROGRESS_LOOKUP_REFERENCE", default="5/hour")
PROGRESS_VIEW_SECONDS = env.int("PROGRESS_VIEW_SECONDS", default=15 * 60)
# A download of a letter whose PDF is not rendered yet answers "being prepared" (never renders in
# the request): the client is told to try again after this many seconds, and the render it asked
# for is not asked again within the window (core.documents.request_render, ADR 0030).
DOCUMENT_RENDER_RETRY_AFTER = env.int("DOCUMENT_RENDER_RETRY_AFTER", default=3)
DOCUMENT_RENDER_REQUEST_WINDOW = env.int("DOCUMENT_RENDER_REQUEST_WINDOW", default=60)
# Lists (API and staff pages) count their rows exactly up to this many; beyond it the count says
# "at least this many" (``count_exact`` false) and the pages go on: a count must not cost what
# the whole table costs (core.pagination, ADR 0030).
LIST_EXACT_COUNT_LIMIT = env.int("LIST_EXACT_COUNT_LIMIT", default=1000)
