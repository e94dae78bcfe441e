"""Settings for opsloop.

Everything a deployment chooses comes from the environment, with embedded
defaults that need nothing installed beyond Python. docs/settings.md lists
every variable; tests/test_docs.py checks that it does.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("OPSLOOP_DATA_DIR", str(Path.cwd() / "data"))).resolve()


def _secret_key() -> str:
    """Use OPSLOOP_SECRET_KEY, else a key generated once and kept in the data dir."""
    configured = env("OPSLOOP_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("OPSLOOP_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip() for h in env("OPSLOOP_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env("OPSLOOP_CSRF_TRUSTED_ORIGINS").split(",") if o.strip()
]
SITE_URL = env("OPSLOOP_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "opsloop.core",
    "opsloop.work",
    "opsloop.inbox",
    "opsloop.collab",
    "opsloop.meetings",
    "opsloop.files",
    "opsloop.planning",
    "opsloop.capacity",
    "opsloop.progress",
    "opsloop.events",
    "opsloop.insights",
    "opsloop.goals",
    "opsloop.channels",
    "opsloop.content",
    "opsloop.partners",
    "opsloop.money",
    "opsloop.blueprints",
    "opsloop.portfolio",
    "opsloop.dashboards",
    "opsloop.decisions",
    "opsloop.reports",
    "opsloop.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before the language is chosen, so that a user's saved language can choose it
    # from the same (lazily loaded, cached) request.user the views use.
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opsloop.core.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "opsloop.urls"
WSGI_APPLICATION = "opsloop.wsgi.application"
AUTH_USER_MODEL = "core.User"

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
                "opsloop.core.context.workspace_nav",
            ],
        },
    }
]

# --- database: SQLite (WAL) in the data dir by default, DATABASE_URL for PostgreSQL
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "opsloop.sqlite3"),
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE avoids
                # the upgrade deadlock of deferred transactions under load.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; "
                    "PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- event store: DuckDB over Parquet files under DATA_DIR/events by default, or ClickHouse
EVENTS_BACKEND = env("OPSLOOP_EVENTS_BACKEND", "duckdb")
CLICKHOUSE_URL = env("CLICKHOUSE_URL")
# Seconds between the flusher's passes over the inbox.
EVENTS_FLUSH_INTERVAL = float(env("OPSLOOP_EVENTS_FLUSH_INTERVAL", "1"))
# Addresses (or networks) of proxies in front of the ingestion endpoints whose
# X-Forwarded-For is believed; from any other peer the header is ignored.
EVENTS_TRUSTED_PROXIES = tuple(
    entry.strip() for entry in env("OPSLOOP_EVENTS_TRUSTED_PROXIES").split(",") if entry.strip()
)

# --- insights
# Seconds a statement of an insight may run before it is stopped with a clear message.
INSIGHTS_TIMEOUT = float(env("OPSLOOP_INSIGHTS_TIMEOUT", "30"))
# Seconds the persons snapshot insights join to may lag behind the workspace's persons.
INSIGHTS_PERSONS_TTL = float(env("OPSLOOP_INSIGHTS_PERSONS_TTL", "60"))
# Seconds between the scheduled computations of every workspace's KPIs (`opsloop run`).
KPI_INTERVAL = float(env("OPSLOOP_KPI_INTERVAL", "3600"))
# Seconds between two looks of the reports schedule for drafts that are due.
REPORT_INTERVAL = float(env("OPSLOOP_REPORT_INTERVAL", "300"))

# --- cache: local memory by default, Redis when REDIS_URL is set
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- background jobs: the Tasks API with its database backend
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Login attempts (failed or not) allowed per client address per minute before 429.
LOGIN_RATE = env("OPSLOOP_LOGIN_RATE", "10/m")
RATELIMIT_VIEW = "opsloop.core.views.ratelimited"

# --- i18n: Chinese and English, chosen by the browser and switchable per user
LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("OPSLOOP_TIME_ZONE", "Asia/Shanghai")

# --- static and uploaded files
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "files"

# --- the file library: contents through the "opsloop_files" storage, never a public URL
OPSLOOP_MAX_UPLOAD_MB = int(env("OPSLOOP_MAX_UPLOAD_MB", "50"))
OPSLOOP_WORKSPACE_STORAGE_MB = int(env("OPSLOOP_WORKSPACE_STORAGE_MB", "5120"))
OPSLOOP_FILE_STORAGE = env("OPSLOOP_FILE_STORAGE", "local").strip().lower()
if OPSLOOP_FILE_STORAGE == "s3":
    # Credentials come from the usual AWS environment (AWS_ACCESS_KEY_ID, ...) through boto3.
    STORAGES["opsloop_files"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("OPSLOOP_S3_BUCKET"),
            "endpoint_url": env("OPSLOOP_S3_ENDPOINT_URL") or None,
            "region_name": env("OPSLOOP_S3_REGION") or None,
            "location": "files",
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
elif OPSLOOP_FILE_STORAGE == "local":
    STORAGES["opsloop_files"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    }
else:
    raise ValueError(f"OPSLOOP_FILE_STORAGE is {OPSLOOP_FILE_STORAGE!r}; use local or s3")
# The limit is counted while the body streams in, before anything else reads it.
FILE_UPLOAD_HANDLERS = [
    "opsloop.files.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- email: console by default, SMTP when OPSLOOP_EMAIL_HOST is set
EMAIL_HOST = env("OPSLOOP_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("OPSLOOP_EMAIL_PORT", "25"))
    EMAIL_HOST_USER = env("OPSLOOP_EMAIL_USER")
    EMAIL_HOST_PASSWORD = env("OPSLOOP_EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_bool("OPSLOOP_EMAIL_USE_TLS")
    EMAIL_USE_SSL = env_bool("OPSLOOP_EMAIL_USE_SSL")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("OPSLOOP_EMAIL_FROM", "opsloop <noreply@localhost>")
# Seconds the first pending notification waits for others to join its email.
NOTIFICATION_EMAIL_DELAY = int(env("OPSLOOP_NOTIFICATION_EMAIL_DELAY", "300"))

# --- security headers
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (docs/security.md): scripts and style sheets only from our own
# origin (the vendored libraries and opsloop/static), no inline script, no eval. Style
# attributes alone stay allowed (style-src-attr): templates colour chips and size bars
# with them, and ECharts' tooltips and the timeline build markup that carries them;
# <style> elements stay refused.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
    }
}
if env_bool("OPSLOOP_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- the API
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("OPSLOOP_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
