"""Settings for the 党建联盟 portal.

Everything that differs between machines comes from the environment (or a `.env` file beside
manage.py), read through one `environ.Env()`. See `.env.example` for every variable.
"""

import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE as CSP_NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists() and not env.bool("ALLIANCE_IGNORE_DOTENV", default=False):
    environ.Env.read_env(BASE_DIR / ".env")


def _config_error(variable: str, problem: str) -> None:
    """Stop start-up with one line naming the variable (no traceback)."""
    sys.exit(f"配置错误 / configuration error: {variable}: {problem}")


DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-used-with-DEBUG"
    else:
        _config_error("SECRET_KEY", "未设置（生产环境必须提供） / not set")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The portal, floor by floor (README "The house"): core at the bottom, home at the top.
    "core",
    "branches",
    "members",
    "activities",
    "venues",
    "assessment",
    "alliance",
    "home",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.NulCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.IdleTimeoutMiddleware",
    "core.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.portal",
                "core.auth_context.security",
            ],
        },
    },
]

# Database: a SQLite file beside manage.py unless DATABASE_URL says otherwise.
_DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
_database_url = env.str("DATABASE_URL", default=_DEFAULT_DATABASE_URL)
_scheme = urlsplit(_database_url).scheme
if _scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
    _config_error(
        "DATABASE_URL", "应为 sqlite:///… 或 postgres://… / expected sqlite:/// or postgres://"
    )
try:
    DATABASES = {"default": env.db_url_config(_database_url)}
except Exception as exc:  # a malformed URL: one line, not a traceback
    _config_error("DATABASE_URL", f"无法解析 / cannot be parsed ({exc})")
if _scheme != "sqlite" and not DATABASES["default"].get("NAME"):
    _config_error("DATABASE_URL", "缺少数据库名 / no database name")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connections on PostgreSQL: either a psycopg pool per process (DB_POOL_MAX_SIZE > 0) or
# persistent connections kept CONN_MAX_AGE seconds and checked before reuse. Django refuses
# both at once. docs/deploy.md says which was measured faster here.
_pool_max_size = env.int("DB_POOL_MAX_SIZE", default=0)
if _scheme != "sqlite" and _pool_max_size > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
        "max_size": _pool_max_size,
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if _scheme != "sqlite":
    # A database server that does not answer fails the connection in seconds (and /healthz
    # reports it) instead of holding the request until gunicorn's timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
    )
if _scheme != "sqlite" and not env.bool("PG_JIT", default=False):
    # PostgreSQL's JIT compiler costs seconds on the portal's wide aggregate queries (6.7 s of
    # a 6.9 s count at scale 50) and saves nothing on them: off unless PG_JIT=true.
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["options"] = " ".join(filter(None, [_pg_options.get("options", ""), "-c jit=off"]))
if _scheme == "sqlite":
    # Wait for a lock instead of failing at once when two requests write together, and take
    # the write lock when a transaction begins (BEGIN IMMEDIATE): a transaction that read first
    # and then tries to write cannot be refused its lock upgrade halfway.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["timeout"] = 20
    options["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The published demo password and the passwords people here pick first (Chinese message).
    {"NAME": "core.passwords.PortalPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a user name + address after AXES_FAILURE_LIMIT failures,
# and an address alone after AXES_IP_FAILURE_LIMIT failures over any user names (password
# spraying). core.auth_throttle.ThrottleHandler gives each combination its own limit.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "core.auth_throttle.ThrottleHandler"
# The client's address: REMOTE_ADDR, unless the portal sits behind this many reverse proxies
# that each append to X-Forwarded-For (nginx's $proxy_add_x_forwarded_for); then the address
# the outermost proxy saw. AXES_IPWARE_PROXY_TRUSTED_IPS (comma-separated addresses or
# prefixes) restricts that to requests whose REMOTE_ADDR is one of the proxies. Never set the
# count on a server the public reaches directly: anyone could then choose their address.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_TRUSTED_IPS = env.list("AXES_IPWARE_PROXY_TRUSTED_IPS", default=[])
AXES_CLIENT_IP_CALLABLE = "core.auth_throttle.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True

# Internationalization: Chinese unless the user picked English.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Attachments and export files go through Django's storage API: STORAGE_BACKEND=s3 puts them
# in an S3-compatible store (django-storages; AWS_* variables, see .env.example).
_storage_backend = env.str("STORAGE_BACKEND", default="filesystem")
if _storage_backend not in {"filesystem", "s3"}:
    _config_error("STORAGE_BACKEND", "应为 filesystem 或 s3 / expected filesystem or s3")
_default_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if _storage_backend == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME", default=""),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=""),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=""),
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not _default_storage["OPTIONS"]["bucket_name"]:
        _config_error("AWS_STORAGE_BUCKET_NAME", "使用 s3 存储时必须设置 / required with s3")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The cache: per-process memory by default; CACHE_URL=redis://127.0.0.1:6379/1 shares it (and
# the 首页's invalidation) between every process and machine.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Time-bounded: an unreachable Redis fails in seconds instead of hanging every request.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=env.float("CACHE_SOCKET_TIMEOUT", default=2.0),
        socket_timeout=env.float("CACHE_SOCKET_TIMEOUT", default=2.0),
    )
# Sessions in the database by default; SESSION_ENGINE=django.contrib.sessions.backends.cached_db
# reads them through a shared cache.
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.db")

# Background jobs (Django's tasks API through the django-tasks backport). JOBS_BACKEND:
#   db        — the default: jobs in the portal's own database, run by `manage.py run_worker`;
#   rq        — RQ on Redis (REDIS_URL), for deployments with several app servers;
#   immediate — run inside the request (tests and one-off scripts only).
JOBS_BACKEND = env.str("JOBS_BACKEND", default="db")
_TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if JOBS_BACKEND not in _TASK_BACKENDS:
    _config_error("JOBS_BACKEND", "应为 db、rq 或 immediate / expected db, rq or immediate")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[JOBS_BACKEND], "QUEUES": ["default"]}}
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
# An export of more rows than this runs as a job with a progress page; smaller ones download
# at once. Finished files are kept this many days.
# A 首页 aggregate whose last computation took this many seconds or more is recomputed by the
# job worker, not in a request: until the worker is done the 首页 shows the last value with its
# time (home.cache). Empty: always computed in the request; 0: always by the worker.
_home_background = env.str("HOME_BACKGROUND_AFTER_SECONDS", default="0.25").strip()
try:
    HOME_BACKGROUND_AFTER_SECONDS = float(_home_background) if _home_background else None
except ValueError:
    _config_error(
        "HOME_BACKGROUND_AFTER_SECONDS", "应为秒数或留空 / expected a number of seconds or empty"
    )
# The long lists' totals (core.paginators.CountCachedPaginator) are cached until a row they
# count changes. Off only in the tests that write inside a transaction that never commits.
LIST_COUNTS_CACHED = True
EXPORT_JOB_THRESHOLD = env.int("EXPORT_JOB_THRESHOLD", default=5000)
JOB_FILE_DAYS = env.int("JOB_FILE_DAYS", default=7)
# The daily schedule: the job worker enqueues each task once a day at or after its local time
# (one ScheduledRun row per name and day, so several workers never run it twice).
JOB_SCHEDULE = {
    "send_reminders": ("core.reminders.send_reminders_task", "07:30"),
    "prune_expired_jobs": ("core.jobs.prune_expired_jobs_task", "03:00"),
}

# Backups (`manage.py backup` / `restore`, core/backups.py): where they go and how many are
# kept. BACKUP_AT=02:30 makes the job worker take one daily; cron works as well (docs/deploy.md).
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
BACKUP_MAX_AGE_DAYS = env.int("BACKUP_MAX_AGE_DAYS", default=90)
if env.str("BACKUP_AT", default=""):
    JOB_SCHEDULE["backup"] = ("core.backups.backup_task", env.str("BACKUP_AT"))

# A room's calendar address (.ics feed) is each person's own and ends after this many days.
FEED_TOKEN_DAYS = env.int("FEED_TOKEN_DAYS", default=365)

# Notifications: email through Django's backend (EMAIL_URL, e.g. smtp://user:pass@host:25 or
# smtp+tls://…:587), SMS through SMS_BACKEND (a file per message under SMS_FILE_DIR by default,
# or core.sms.HttpGatewayBackend with SMS_GATEWAY_URL / SMS_GATEWAY_TOKEN).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)  # EMAIL_BACKEND, EMAIL_HOST, … (django-environ's idiom)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="党建联盟 <noreply@localhost>")
SMS_BACKEND = env.str("SMS_BACKEND", default="core.sms.FileBackend")
SMS_FILE_DIR = Path(env.str("SMS_FILE_DIR", default=str(BASE_DIR / "var" / "sms")))
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_SIGNATURE = env.str("SMS_SIGNATURE", default="【党建联盟】")
# The address people reach the portal at, for links in emails and text messages.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}  # messages.ERROR → Bootstrap's alert-danger

# Uploads (imports, attachments) are checked by the views; keep Django's own ceilings close.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# An .xlsx or .docx is a zip: refused before any parser opens it beyond these (core/uploads.py).
UPLOAD_ZIP_MAX_MEMBERS = env.int("UPLOAD_ZIP_MAX_MEMBERS", default=200)
UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = env.int(
    "UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024
)
UPLOAD_ZIP_MAX_RATIO = env.int("UPLOAD_ZIP_MAX_RATIO", default=100)

# Security. Behind HTTPS in production; every default below is the safe one.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer probes each app server over plain HTTP: answer it, don't redirect it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="alliance-demo")

# Signed-in sessions end after this many minutes without a request (a notice two minutes
# before offers to continue). The session cookie's own age (SESSION_COOKIE_AGE) still caps it.
IDLE_TIMEOUT_MINUTES = env.int("IDLE_TIMEOUT_MINUTES", default=30)
IDLE_WARNING_SECONDS = 120
# An unmasked export asks for the password again unless it was given this recently.
REAUTH_MINUTES = env.int("REAUTH_MINUTES", default=10)
REAUTH_BEFORE_UNMASKED_EXPORT = True  # (off only in tests that sign in with force_login)

# Second factor (django-otp, TOTP + recovery codes): required for bureau staff and superusers,
# optional for everyone else. Not read from the environment: production always enforces it.
# (The test suite's conftest turns it off for tests that sign in with force_login, and the
# second-factor tests turn it on.) The demo accounts seed_demo makes are exempt only on a
# DEBUG machine, so that trying the portal stays `make run` and a password.
OTP_REQUIRED = True
DEMO_OTP_EXEMPT = DEBUG and env.bool("DEMO_OTP_EXEMPT", default=True)
OTP_TOTP_ISSUER = "党建联盟"

# Content-Security-Policy (django-csp): the portal's scripts and styles come from 'self'; the
# few inline <script>/<style> blocks carry the request's nonce; style attributes (progress
# bars' widths) are allowed, style elements are not. Nothing may frame the portal.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'", CSP_NONCE],
        "style-src-elem": ["'self'", CSP_NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no page uses (the QR sign-in is scanned by the phone's own camera app and
# opens a plain page: no page asks for the camera).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), midi=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
