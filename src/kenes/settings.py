"""Django settings for Kenes, read from the environment.

Embedded mode (the default) needs nothing: SQLite under ``var/``, in-memory cache and live bus.
Production sets ``KENES_ENV=production`` and at least ``KENES_SECRET_KEY``,
``KENES_ALLOWED_HOSTS`` and ``KENES_DATABASE_URL``; see docs/operations.md.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
ROOT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("KENES_VAR_DIR", ROOT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENV = os.environ.get("KENES_ENV", "development")
PRODUCTION = ENV == "production"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Keys no installation may run with: the fixed development key earlier versions shipped with.
_KNOWN_SECRET_KEYS = frozenset({"embedded-development-key-not-for-production-use-0123456789abcdef"})


def _weak_secret(key: str) -> bool:
    """Django's own test (``check --deploy``, security.W009) plus the keys known to the public."""
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-") or key in _KNOWN_SECRET_KEYS


def _development_secret_key(path: Path) -> str:
    """A random key generated once into ``var/`` and reused, so that sessions survive restarts;
    no key is written in the source. Two processes starting together agree on the first one."""
    if not path.exists():
        scratch = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        with os.fdopen(os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(secrets.token_urlsafe(64) + "\n")
        try:
            os.link(scratch, path)  # atomic: fails if another process was first
        except FileExistsError:
            pass
        finally:
            scratch.unlink()
    key = path.read_text().strip()
    if _weak_secret(key):
        raise RuntimeError(f"the development secret key in {path} is too short: delete the file to make a new one")
    return key


if PRODUCTION:
    SECRET_KEY = os.environ.get("KENES_SECRET_KEY", "").strip()
    if not SECRET_KEY:
        raise RuntimeError(
            "KENES_ENV=production needs KENES_SECRET_KEY: at least 50 random characters, for example from"
            " `python -c 'import secrets; print(secrets.token_urlsafe(64))'`"
        )
    if _weak_secret(SECRET_KEY):
        raise RuntimeError(
            "KENES_SECRET_KEY is too short, too repetitive or a publicly known key: production needs at least"
            " 50 random characters"
        )
else:
    SECRET_KEY = os.environ.get("KENES_SECRET_KEY", "").strip() or _development_secret_key(VAR_DIR / "secret_key")

# The key that signs the head of the audit log (kenes.audit.log.sign_head). It must not be stored in
# the database, so that whoever can write the database cannot sign a rewritten chain. Changing it
# (or, without it, SECRET_KEY) makes ``verify_audit`` report the head's signature as invalid.
KENES_AUDIT_KEY = (
    os.environ.get("KENES_AUDIT_KEY", "").strip()
    or hmac.new(SECRET_KEY.encode(), b"kenes.audit.head-signature", hashlib.sha256).hexdigest()
)
if PRODUCTION and len(KENES_AUDIT_KEY) < 32:
    raise RuntimeError("KENES_AUDIT_KEY is too short: use at least 32 random characters, or leave it unset")

DEBUG = _bool("KENES_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = _list("KENES_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = _list("KENES_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "ninja",
    "django_q",
    "kenes.audit",
    "kenes.access",
    "kenes.states",
    "kenes.people",
    "kenes.meetings",
    "kenes.texts",
    "kenes.decisions",
    "kenes.security",
    "kenes.development",
    "kenes.press",
    "kenes.search",
    "kenes.work",
    "kenes.live",
    "kenes.api",
    "kenes.web",
]

MIDDLEWARE = [
    # First: any HTML error page answering an /api/ request becomes {"detail": …} (issue 10).
    "kenes.api.middleware.ApiErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files carry the policy headers too (docs/operations.md, Headers).
    "csp.middleware.CSPMiddleware",
    "kenes.web.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kenes.people.middleware.IdleTimeoutMiddleware",
    "kenes.people.middleware.FreshStrongAuthMiddleware",
    "kenes.people.middleware.RequireTwoFactorMiddleware",
    "kenes.api.middleware.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so that its 404 and 400 pages render like any other (language, account, headers).
    "kenes.web.middleware.ControlCharactersMiddleware",
]

ROOT_URLCONF = "kenes.urls"
WSGI_APPLICATION = "kenes.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kenes.web.context.kenes",
            ],
        },
    },
]

if PRODUCTION and not os.environ.get("KENES_DATABASE_URL"):
    raise RuntimeError("KENES_ENV=production needs KENES_DATABASE_URL (a PostgreSQL URL)")
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("KENES_DATABASE_URL", f"sqlite:///{VAR_DIR / 'kenes.sqlite3'}"),
        conn_max_age=int(os.environ.get("KENES_DB_CONN_MAX_AGE", "60" if PRODUCTION else "0")),
        # A persistent connection is checked before a request reuses it: after a database restart
        # the first request in each worker would otherwise fail on the dead one (tests/faults).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})

REDIS_URL = os.environ.get("KENES_REDIS_URL", "")
CACHE_PREFIX = os.environ.get("KENES_CACHE_PREFIX", "kenes")
if os.environ.get("PYTEST_XDIST_WORKER"):  # parallel test workers, each with its own database, share one Redis
    CACHE_PREFIX += "-" + os.environ["PYTEST_XDIST_WORKER"]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_PREFIX,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks (django-q2): the queue lives in the database itself (the ORM broker), so the
# embedded SQLite mode and PostgreSQL need no further service. ``./dev worker`` runs the cluster;
# the scheduled tasks are written by ``manage setup_schedules``. Tests call the task functions
# directly. See docs/decisions/0017-task-queue-django-q2.md.
Q_CLUSTER = {
    "name": "kenes",
    "orm": "default",
    "workers": int(os.environ.get("KENES_TASK_WORKERS", "2")),
    "timeout": 300,  # seconds a task may run before its worker is recycled
    "retry": 600,  # an unacknowledged task is delivered again after this (must exceed timeout)
    "max_attempts": 3,
    "ack_failures": True,  # a failed task is kept under "Failed tasks", not delivered forever
    "catch_up": False,  # after downtime a schedule runs once, not once per missed minute
    "save_limit": 250,  # successful results kept
    "poll": 1.0,  # seconds between looks at an empty queue
    "label": "Tasks",
}

AUTH_USER_MODEL = "people.Account"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Lock-out after repeated failures (django-axes), per e-mail address.
AXES_FAILURE_LIMIT = int(os.environ.get("KENES_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("KENES_LOGIN_COOLOFF_HOURS", "1"))
# Per account, not per IP: a delegation signs in from behind one ministry NAT, and one mistyped
# password must not lock out every colleague (hence axes.W006 is silenced below).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "kenes.people.views.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "people/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# --- Rate limits per client address (issue 10, item 4; kenes/people/ratelimits.py) ---
# Counted by django-ratelimit in the default cache: share it (KENES_REDIS_URL) as soon as there is
# more than one app process, or each process counts on its own. "N/period", period in s, m, h or d.
KENES_RATE_LOGIN_PER_IP = os.environ.get("KENES_RATE_LOGIN_PER_IP", "20/10m")
KENES_RATE_TOKEN_FAILURES_PER_IP = os.environ.get("KENES_RATE_TOKEN_FAILURES_PER_IP", "20/10m")
KENES_RATE_PASSWORD_RESET_PER_IP = os.environ.get("KENES_RATE_PASSWORD_RESET_PER_IP", "5/h")
KENES_RATE_PASSWORD_RESET_PER_EMAIL = os.environ.get("KENES_RATE_PASSWORD_RESET_PER_EMAIL", "5/h")
# Behind a reverse proxy every request comes from the proxy: name the header it overwrites with the
# client's address (e.g. ``X-Real-IP``), or all clients share one count.
KENES_CLIENT_IP_HEADER = os.environ.get("KENES_CLIENT_IP_HEADER", "").strip()
RATELIMIT_IP_META_KEY = "kenes.people.ratelimits.client_ip"
RATELIMIT_CACHE_PREFIX = "rl:"
# --- end of the rate limits ---

OTP_TOTP_ISSUER = "Kenes"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ru", "Русский"),
    ("en", "English"),
    ("kk", "Қазақша"),
    ("ky", "Кыргызча"),
    ("tg", "Тоҷикӣ"),
    ("tk", "Türkmençe"),
    ("uz", "Oʻzbekcha"),
]
# The five national languages are drafts, unreviewed by native speakers (their catalogues say so);
# what they leave untranslated falls back to English.
LANGUAGES_COMPLETE = ("ru", "en")
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date formats per language that override Django's (English day-month-year, Kazakh): kenes/formats.
FORMAT_MODULE_PATH = ["kenes.formats"]
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
# Uploaded files (report attachments): never served from a public URL, only through access-checked views.
MEDIA_ROOT = Path(os.environ.get("KENES_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = os.environ.get("KENES_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("KENES_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # the file backend (./dev demo)
EMAIL_HOST = os.environ.get("KENES_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KENES_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KENES_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KENES_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _bool("KENES_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("KENES_FROM_EMAIL", "Kenes <no-reply@kenes.invalid>")

SESSION_COOKIE_AGE = int(os.environ.get("KENES_SESSION_SECONDS", str(8 * 3600)))
SESSION_COOKIE_HTTPONLY = True
# A session idle for longer than this is signed out (security review, finding 6).
KENES_SESSION_IDLE_MINUTES = int(os.environ.get("KENES_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Content-Security-Policy and Permissions-Policy (issue 10, item 4; docs/operations.md, Headers) ---
# Every script and style is a file Kenes serves itself: no inline script, style attribute or event
# handler, no eval, no nonce. ``data:`` images only for the icons swagger-ui.css draws (/api/v1/docs).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Browser features no page of Kenes uses, turned off for the page and anything it could embed.
KENES_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), "
    "screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)
# --- end of the policy headers ---

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _bool("KENES_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("KENES_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# The address people use to reach Kenes, for links in e-mails.
# Restricted material needs a TOTP sign-in in this session no older than this (docs/decisions/0021).
KENES_RESTRICTED_REAUTH_MINUTES = int(os.environ.get("KENES_RESTRICTED_REAUTH_MINUTES", "15"))
if PRODUCTION and not os.environ.get("KENES_BASE_URL", "").startswith("https://"):
    # Reset links and feed addresses are built from it, never from the request's Host header.
    raise RuntimeError("KENES_ENV=production needs KENES_BASE_URL, the site's https:// address")
KENES_BASE_URL = os.environ.get("KENES_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Where ./dev demo and the tests find the real mechanism data.
KENES_DATA_DIR = Path(os.environ.get("KENES_DATA_DIR", ROOT_DIR.parent / "shared" / "data"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KENES_LOG_LEVEL", "WARNING")},
}
