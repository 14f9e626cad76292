"""Settings, read from environment variables only (see docs/operations/configuration.md).

NOVACRON_ENV=production switches on the hardened mode that passes `manage.py check --deploy`.
"""

from pathlib import Path

import environ
import structlog
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

ENVIRONMENT = env.str("NOVACRON_ENV", default="development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env.bool("DEBUG", default=not PRODUCTION)

if DEBUG and not PRODUCTION:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789abcdef"
    )
else:
    # Required, no default: in production even with DEBUG switched on, so the public dev key never signs
    # production sessions. A missing key stops the import with "Set the SECRET_KEY environment variable".
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_celery_beat",
    "django_prometheus",
    "novacron.core",
    "novacron.accounts",
    "revenue",
    "marketplace",
    "devex",
    "certification",
    "growth",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "novacron.core.middleware.RequestIdHeaderMiddleware",
    "novacron.core.middleware.UserTimezoneMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "novacron.urls"
WSGI_APPLICATION = "novacron.wsgi.application"
ASGI_APPLICATION = "novacron.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "novacron.core.context_processors.portal",
            ],
        },
    },
]

# --- Database: DATABASE_URL, SQLite under var/ by default -----------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'novacron.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the dev server and a Celery worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker; unset means local memory and eager tasks -------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "novacron"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300  # hard default; tasks set their own soft limit below their time_limit
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "core.purge_idempotency_keys": {
        "task": "core.purge_idempotency_keys",
        "schedule": crontab(minute=17),
    },
    "accounts.expire_invitations": {
        "task": "accounts.expire_invitations",
        "schedule": crontab(minute=5, hour="*/6"),
    },
    "revenue.release_escrow": {"task": "revenue.release_escrow", "schedule": crontab(minute=7)},
    "revenue.create_payouts": {"task": "revenue.create_payouts", "schedule": crontab(minute=30, hour=6)},
    "revenue.recompute_tiers": {"task": "revenue.recompute_tiers", "schedule": crontab(minute=15, hour=2)},
    "revenue.submit_pending_refunds": {
        "task": "revenue.submit_pending_refunds",
        "schedule": crontab(minute="*/15"),
    },
    "revenue.recover_payments": {"task": "revenue.recover_payments", "schedule": crontab(minute="*/15")},
    "revenue.sync_invoices": {"task": "revenue.sync_invoices", "schedule": 300.0},
    "revenue.retry_vat_checks": {"task": "revenue.retry_vat_checks", "schedule": 1800.0},
    "revenue.services_auto_accept": {"task": "revenue.services_auto_accept", "schedule": crontab(minute=17)},
    "devex.reindex_docs": {"task": "devex.reindex_docs", "schedule": crontab(minute=40, hour=3)},
    "certification.recertification_reminders": {
        "task": "certification.recertification_reminders",
        "schedule": crontab(minute=20, hour=4),
    },
    "certification.item_statistics": {
        "task": "certification.item_statistics",
        "schedule": crontab(minute=50, hour=3),
    },
    "growth.sweep": {"task": "growth.sweep", "schedule": 60.0},
    "marketplace.expire": {"task": "marketplace.expire", "schedule": crontab(hour=3, minute=30)},
    "marketplace.resume_checks": {"task": "marketplace.resume_checks", "schedule": crontab(minute=20)},
    "certification.expire_attempts": {
        "task": "certification.expire_attempts",
        "schedule": crontab(minute="*/5"),
    },
    "revenue.renew_subscriptions": {
        "task": "revenue.renew_subscriptions",
        "schedule": crontab(minute="*/15"),
    },
    "revenue.run_dunning": {"task": "revenue.run_dunning", "schedule": crontab(minute=45)},
}

# --- Auth ------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGIN_URL = "account_login"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "novacron.accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "novacron.accounts.forms.SignupExtraForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[NovaCron] "
if env.bool("DISABLE_RATE_LIMITS", default=False):
    ACCOUNT_RATE_LIMITS = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "NovaCron Community"

# --- Email: console by default, EMAIL_URL in production (smtp://user:pass@host:587/?tls=True) -------
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="NovaCron Community <no-reply@novacron.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- I18n / time -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ja", "日本語"),
    ("pt-br", "Português (Brasil)"),
    ("zh-hans", "简体中文"),
]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Uploads served to anyone at MEDIA_URL (novacron.core.views.public_media); the rest are never served.
PUBLIC_MEDIA_PREFIXES = ["marketplace/logos/", "marketplace/screenshots/"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- REST API -------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "novacron.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "novacron.accounts.permissions.TokenHasScope",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "novacron.core.api.pagination.DefaultPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        "user": env.str("THROTTLE_USER", default="1200/min"),
    },
    "EXCEPTION_HANDLER": "novacron.core.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NovaCron Community API",
    "DESCRIPTION": "REST API of the NovaCron developer ecosystem. Authenticate with `Authorization: Bearer <token>` "
    "(create a personal API token in the portal). POSTs that move money or capacity accept `Idempotency-Key`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {"PartnerStatusEnum": "revenue.models.Partner.Status"},
}

# --- Idempotency ---------------------------------------------------------------------------------------
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=48)  # at least 24 h by contract
# A claim still "in progress" this long after it was made belongs to a request that died: release it.
IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS = env.int("IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS", default=600)

# --- Observability ---------------------------------------------------------------------------------------
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")  # /metrics/: staff session, or Bearer METRICS_TOKEN
METRICS_ALLOW_LOOPBACK = env.bool("METRICS_ALLOW_LOOPBACK", default=not PRODUCTION)
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "console")
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# Keep the X-Request-ID the proxy (or client) sends, so logs, error bodies and audit rows share its id;
# without the header a UUID is generated.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = env.bool("TRUST_UPSTREAM_REQUEST_ID", default=True)

structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.filter_by_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        structlog.processors.UnicodeDecoder(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    cache_logger_on_first_use=True,
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.processors.JSONRenderer(),
            "foreign_pre_chain": [
                structlog.contextvars.merge_contextvars,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.stdlib.add_logger_name,
                structlog.stdlib.add_log_level,
            ],
        },
        "console": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.dev.ConsoleRenderer(colors=False),
            "foreign_pre_chain": [
                structlog.contextvars.merge_contextvars,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.stdlib.add_logger_name,
                structlog.stdlib.add_log_level,
            ],
        },
    },
    "handlers": {"default": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["default"], "level": LOG_LEVEL},
    "loggers": {
        "django_structlog": {"level": LOG_LEVEL},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every rendering step at INFO: one PDF would fill a screen.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Production hardening (passes `manage.py check --deploy`) -------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

# --- Revenue ------------------------------------------------------------------------------------------------
# Gateways: "local_test" (the default, follows Stripe's test cards), "stripe", "bank_transfer".
REVENUE_DEFAULT_GATEWAY = env.str("REVENUE_DEFAULT_GATEWAY", default="local_test")
REVENUE_ENABLED_GATEWAYS = env.list("REVENUE_ENABLED_GATEWAYS", default=["local_test", "bank_transfer"])
REVENUE_ESCROW_HOLD_DAYS = env.int("REVENUE_ESCROW_HOLD_DAYS", default=14)
# Services marketplace: a delivered milestone is accepted for the buyer this many days after delivery.
REVENUE_SERVICES_AUTO_ACCEPT_DAYS = env.int("REVENUE_SERVICES_AUTO_ACCEPT_DAYS", default=14)
REVENUE_PLATFORM_NAME = env.str("REVENUE_PLATFORM_NAME", default="NovaCron Platform")
# Signs the local test gateway's webhooks; derived from SECRET_KEY when empty.
REVENUE_LOCAL_WEBHOOK_SECRET = env.str("REVENUE_LOCAL_WEBHOOK_SECRET", default="")
# The account buyers pay bank transfers into (a demo account is shown when unset).
REVENUE_BANK_ACCOUNT = env.dict(
    "REVENUE_BANK_ACCOUNT", default={}
)  # account_holder=...,iban=...,bic=...,bank_name=...
# Subscriptions: dunning retries (days after the first failed renewal), access kept while past due (days; default
# the last retry day), and the retention offers made to a buyer who cancels.
REVENUE_DUNNING_RETRY_DAYS = env.list("REVENUE_DUNNING_RETRY_DAYS", cast=int, default=[1, 3, 5, 7])
REVENUE_DUNNING_GRACE_DAYS = env.int("REVENUE_DUNNING_GRACE_DAYS", default=None)
REVENUE_RETENTION_DISCOUNT_PERCENT = env.str("REVENUE_RETENTION_DISCOUNT_PERCENT", default="20")
REVENUE_RETENTION_DISCOUNT_PERIODS = env.int("REVENUE_RETENTION_DISCOUNT_PERIODS", default=3)
REVENUE_RETENTION_PAUSE_PERIODS = env.int("REVENUE_RETENTION_PAUSE_PERIODS", default=1)
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # e.g. a localstripe server in tests
# Exchange rates (docs/finance/currencies.md): the provider class `manage.py fx_update` and the daily task use —
# revenue.fx_providers.ManualRateProvider (finance enters rates) or revenue.fx_providers.EcbRateProvider.
REVENUE_FX_PROVIDER = env.str("REVENUE_FX_PROVIDER", default="revenue.fx_providers.ManualRateProvider")
REVENUE_FX_ECB_URL = env.str(
    "REVENUE_FX_ECB_URL", default="https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
)
REVENUE_FX_PIVOT = env.str("REVENUE_FX_PIVOT", default="EUR")  # cross rates only through this currency
REVENUE_FX_STALE_DAYS = env.int("REVENUE_FX_STALE_DAYS", default=7)
REVENUE_FX_DAILY_UPDATE = env.bool("REVENUE_FX_DAILY_UPDATE", default=True)
if REVENUE_FX_DAILY_UPDATE:  # after the ECB's ~16:00 CET publication
    CELERY_BEAT_SCHEDULE["revenue.update_fx_rates"] = {
        "task": "revenue.update_fx_rates",
        "schedule": crontab(minute=30, hour=16),
    }
# Tax evidence: the request header a trusted proxy/CDN sets to the client's country (e.g. CF-IPCountry);
# empty = no IP country evidence.
REVENUE_IP_COUNTRY_HEADER = env.str("REVENUE_IP_COUNTRY_HEADER", default="")

# --- Developer tools: the docs assistant's optional LLM backend (off unless BASE_URL and MODEL are set) -----------
# Any OpenAI-compatible chat-completions endpoint, e.g. DEVEX_LLM_BASE_URL=http://127.0.0.1:8080/v1 (the request
# goes to <base>/chat/completions). It writes answers from the same retrieved passages and citations; on any
# error or timeout the assistant falls back to its extractive answer.
DEVEX_LLM_BASE_URL = env.str("DEVEX_LLM_BASE_URL", default="")
DEVEX_LLM_API_KEY = env.str("DEVEX_LLM_API_KEY", default="")
DEVEX_LLM_MODEL = env.str("DEVEX_LLM_MODEL", default="")
DEVEX_LLM_TIMEOUT = env.float("DEVEX_LLM_TIMEOUT", default=20.0)
