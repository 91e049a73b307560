"""Settings for Routekaart, from environment variables only.

Zero configuration runs locally (SQLite under var/, Celery over the filesystem). Production is
DEBUG=false: it refuses to start without a real SECRET_KEY. See README, "Configuration".
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from roadmap.lib.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ROUTEKAART_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=True)

_DEV_SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_secret("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 40):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 40 characters when DEBUG is false "
        "(or SECRET_KEY_FILE to a file holding it)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # The admin, whose refusal of non-staff is a portal page (roadmap/admin_site.py).
    "roadmap.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_results",
    "django_celery_beat",
    "csp",
    "axes",
    "roadmap",
    "themes",
    "accounts",
    "institutions",
    "indicators",
    "reports",
    "rounds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise, so static files get the header too.
    "roadmap.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Dutch unless the language switch chose English; the browser's Accept-Language is ignored.
    "roadmap.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "roadmap.middleware.PrivateResponsesNotCachedMiddleware",
    "roadmap.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it turns a lockout flagged anywhere during the request into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "roadmap.urls"
WSGI_APPLICATION = "roadmap.wsgi.application"

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
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://user@host:5432/name) or a local SQLite file.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'routekaart.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Dutch first; English through the language switch. Route content itself stays Dutch.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Short dates per language ("31 dec 2025" / "31 Dec 2025"): templates use SHORT_DATE_FORMAT.
FORMAT_MODULE_PATH = ["roadmap.formats"]
# The language switch keeps the choice in this cookie for a year (roadmap.middleware reads it).
# No script reads it; over HTTPS only in production, like the session cookie.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = env_bool("LANGUAGE_COOKIE_SECURE", default=not DEBUG)
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# The cache: per process by default. With several web processes set CACHE_URL (e.g.
# redis://127.0.0.1:6379/1) so that they share the figures computed for a day without
# snapshots (indicators.series), the API throttle's and the login lockout's counts.
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "institutions:home"
LOGOUT_REDIRECT_URL = "themes:overview"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link works for one day

# --- Security ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions end after 30 minutes without activity, and 10 hours after login whatever happens.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_ABSOLUTE_TIMEOUT", 10 * 60 * 60)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env_bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Failed logins (django-axes) and the client address -----------------------------------------
# After LOGIN_FAILURE_LIMIT wrong passwords for one e-mail address from one IP address, that pair
# is refused for LOGIN_LOCKOUT_MINUTES (ASVS 5.0 V6.3.1, V6.1.1); a successful login resets the
# count. Why the pair and not the address or the account alone: locking the account everywhere
# would let anyone lock a CIO out by typing their address from anywhere, and locking an IP
# would lock out a whole college behind one NAT address after five typos by its students. The
# price: someone who tries a few passwords on many accounts, or one account from many
# addresses, is slowed rather than stopped; long passwords (validators above), single sign-on
# and the audit log (lockouts and failed logins per address) cover that.
BEHIND_PROXY = env_bool("BEHIND_PROXY", default=False)
# Behind a reverse proxy the client address is the one the proxy appended to X-Forwarded-For
# (PROXY_COUNT proxies: the entry that many places from the right), never the left-most entry,
# which the client writes itself and could vary per attempt to dodge the lockout.
PROXY_COUNT = env_int("PROXY_COUNT", 1)
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOGIN_LOCKOUT_MINUTES / 60  # hours, as axes reads a float
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_CLIENT_IP_CALLABLE = "accounts.audit.client_ip"
# The address is the username: count "CIO@x.nl " and "cio@x.nl" as the same one.
AXES_USERNAME_CALLABLE = "accounts.audit.attempted_username"
# The audit log (accounts.AuditEvent) records every attempt; no second log of successes.
AXES_DISABLE_ACCESS_LOG = True

# A strict Content-Security-Policy: scripts and styles only from our own static files, so no
# inline script, event-handler attribute or eval can run. htmx and plotly.js are vendored.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- REST framework and the OpenAPI schema ------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # DRF's defaults, with a JSON parser that answers 400 to a too deeply nested body.
    "DEFAULT_PARSER_CLASSES": [
        "roadmap.lib.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("API_ANON_RATE", "600/minute")},
    # The throttle counts per client address: the one our proxy saw, as for the login lockout;
    # without this DRF would key on the whole X-Forwarded-For header, which clients write.
    # (Counts live in the local-memory cache: per web worker, so the limit is per worker.)
    "NUM_PROXIES": PROXY_COUNT if BEHIND_PROXY else 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Routekaart open data API",
    "DESCRIPTION": (
        "The mbo digitaliseringsroute as open data: themes, lines, milestones and sector targets. "
        "Read-only, no login. Route texts are in Dutch."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery -------------------------------------------------------------------------------------
# Default: the filesystem transport, an embedded broker that needs no server (folders under
# var/). Production and the PostgreSQL CI flavour set CELERY_BROKER_URL=redis://...
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport needs its folders to exist.
    for _folder in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # The exchange tables; kombu's default is "control/" in the working directory.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # The visibility timeout must exceed the longest task so an unacknowledged task is not
    # handed to a second worker while the first still runs it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Email --------------------------------------------------------------------------------------
# Password-reset mails. Locally they are printed on the console; production sends them through
# SMTP: the relay EMAIL_HOST (default a local MTA on localhost:25; never the console, which would
# put reset links in the logs). TLS: EMAIL_USE_TLS (STARTTLS, port 587) or EMAIL_USE_SSL (465).
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "routekaart@localhost")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")

# --- Logging ------------------------------------------------------------------------------------
# Everything goes to stdout (12-factor): one JSON object per line in production, for the log
# collector; readable lines locally. LOG_FORMAT=json|plain overrides.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "roadmap.lib.logging.JSONFormatter"},
        # runserver's request lines, as Django formats them by default.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    # Every handler masks password-reset links (uid and token) in whatever it writes (V16.2.5).
    "filters": {"redact": {"()": "roadmap.lib.logging.RedactingFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every PDF at INFO; only their warnings matter here.
    "loggers": {
        # Django's default handlers for these (console when DEBUG, runserver's lines) would write
        # without the filter; django's records go to the root's handler instead.
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # axes narrates every login at INFO; the audit log records them (lockouts stay WARNING).
        "axes": {"level": "WARNING"},
    },
}
# The worker logs through the configuration above (JSON in production) instead of its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Routekaart ---------------------------------------------------------------------------------
ROUTE_DATA_DIR = BASE_DIR / "themes" / "route_data"
# Demo accounts with a published password exist only on local (DEBUG) installations.
DEMO_DATA_ALLOWED = env_bool("DEMO_DATA_ALLOWED", default=DEBUG)
# Answers older than this show as stale on the status page (default: six months).
ANSWER_STALE_AFTER_DAYS = env_int("ANSWER_STALE_AFTER_DAYS", 183)
# How far back a CIO may date an answer (status page, upload, token API), and never before
# ROUTE_START: a backdated answer changes months whose figures were already reported. The
# operator's import_answers may go back to 2020-01-01 to load history (institutions.validation).
ANSWER_MAX_BACKDATE_DAYS = env_int("ANSWER_MAX_BACKDATE_DAYS", 366)
# Reporting rounds (rounds/): the reminder before the deadline goes out this many days ahead
# (the others at the opening and on the deadline day). Links in reminder e-mails start with
# PORTAL_URL, the portal's public address.
ROUND_REMINDER_DAYS_BEFORE = env_int("ROUND_REMINDER_DAYS_BEFORE", 7)
PORTAL_URL = env_str("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")

# Single sign-on through OpenID Connect (SURFconext, eduID): on when OIDC_RP_CLIENT_ID is set.
# mozilla-django-oidc does the protocol; accounts/oidc.py matches people to accounts by their
# verified e-mail address (claims never grant a role). Register https://<host>/oidc/callback/ as
# the redirect URI at the provider. Environment:
#   OIDC_RP_CLIENT_ID, OIDC_RP_CLIENT_SECRET (or OIDC_RP_CLIENT_SECRET_FILE)   the registration
#   OIDC_OP_DISCOVERY_URL   the provider's issuer or its /.well-known/openid-configuration URL,
#                           e.g. https://connect.surfconext.nl; read at the first sign-on (not at
#                           start-up) and cached for an hour. Or set the endpoints themselves:
#   OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT,
#   OIDC_OP_JWKS_ENDPOINT, OIDC_OP_ISSUER   each one set wins over the discovery document
#   OIDC_RP_SIGN_ALGO ("RS256"), OIDC_RP_SCOPES ("openid email profile"), OIDC_USE_PKCE (true),
#   OIDC_TOKEN_USE_BASIC_AUTH (false: client_secret_post), OIDC_TIMEOUT (10 seconds)
# The app and its URLs (/oidc/authenticate/, /oidc/callback/) are always installed; the views
# answer 404 and the backend is left out while OIDC_ENABLED is false.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_secret("OIDC_RP_CLIENT_SECRET")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_OP_DISCOVERY_URL = env_str("OIDC_OP_DISCOVERY_URL")
OIDC_OP_DISCOVERY_CACHE_SECONDS = 3600
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", default=True)
OIDC_TOKEN_USE_BASIC_AUTH = env_bool("OIDC_TOKEN_USE_BASIC_AUTH", default=False)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_AUTHENTICATE_CLASS = "accounts.oidc.RoutekaartOIDCAuthenticationRequestView"
OIDC_CALLBACK_CLASS = "accounts.oidc.RoutekaartOIDCCallbackView"
OIDC_CREATE_USER = True  # unknown addresses get an account without any role
OIDC_REDIRECT_ALLOWED_HOSTS: list[str] = []  # ?next= may only point into this site
LOGIN_REDIRECT_URL_FAILURE = "/account/login/"
INSTALLED_APPS += ["mozilla_django_oidc"]
# axes first: it refuses a locked-out (e-mail, IP) before any backend checks a password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("accounts.oidc.RoutekaartOIDCBackend")
    _OIDC_ENDPOINTS = (
        OIDC_OP_AUTHORIZATION_ENDPOINT,
        OIDC_OP_TOKEN_ENDPOINT,
        OIDC_OP_USER_ENDPOINT,
        OIDC_OP_JWKS_ENDPOINT,
    )
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured(
            "OIDC_RP_CLIENT_ID is set but OIDC_RP_CLIENT_SECRET (or _FILE) is not."
        )
    if not OIDC_OP_DISCOVERY_URL and not all(_OIDC_ENDPOINTS):
        raise ImproperlyConfigured(
            "OIDC_RP_CLIENT_ID is set: set OIDC_OP_DISCOVERY_URL, or all of "
            "OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT and "
            "OIDC_OP_JWKS_ENDPOINT."
        )
# A save's recompute waits this many seconds, so that saves made close together (a CIO going
# down the status page, an import, a busy morning) share one recompute instead of one each;
# recompute_pending picks up every answer saved since the last run.
RECOMPUTE_DELAY_SECONDS = env_int("RECOMPUTE_DELAY_SECONDS", 3)
# A recompute on PostgreSQL may run its per-target queries on this many connections at once
# (indicators.queries._in_parallel). 1: on a 2-core server shared with the web processes two
# at once were not faster (benchmarks/results-scale.md); try more on a dedicated server.
FIGURES_PARALLEL_QUERIES = env_int("FIGURES_PARALLEL_QUERIES", 1)
# Sector figures with coverage below this percentage are shown as indicative.
INDICATIVE_COVERAGE_BELOW = env_int("INDICATIVE_COVERAGE_BELOW", 50)
# A sector figure from fewer answers than this is withheld from everyone who may not see the
# institutions' own answers (the public, CIOs, the open API): it would reveal them.
MIN_GROUP_SIZE = env_int("MIN_GROUP_SIZE", 3)
# Below this many answers a public figure is rounded coarsely and shown without its counts, so
# that the difference of two figures one save apart does not give that answer away
# (indicators.privacy.public_step).
SMALL_GROUP_SIZE = env_int("SMALL_GROUP_SIZE", 10)
# The route's start: the first month end of every series, and the default baseline date.
ROUTE_START = "2026-01-01"
