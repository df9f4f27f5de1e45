"""Jalin settings, read from the environment (or a `.env` file) by django-environ.

Every variable is documented in `.env.example`. With nothing set, the system
runs on embedded defaults: three SQLite files under `var/` and no Redis.
"""

from pathlib import Path
from typing import Any

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-development-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "django_htmx",
    "import_export",  # bulk product import and export in the seller centre
    "config",  # composition root: cross-context management commands only
    "storefront",
    "marketplace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
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
                "storefront.context_processors.wishlist",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------
# One alias per context plus `default` for identity and platform tables.
# Each falls back to its own SQLite file so `make run` needs no server.


def _database(var: str, sqlite_name: str) -> dict:
    config = env.db_url(var, default=f"sqlite:///{VAR_DIR / sqlite_name}")
    if config["ENGINE"] == "django.db.backends.postgresql":
        # psycopg 3 pool; Django keeps no persistent connection of its own then.
        config.setdefault("OPTIONS", {})
        if env.bool("DATABASE_POOL", default=False):
            config["OPTIONS"]["pool"] = {"min_size": 1, "max_size": env.int("DATABASE_POOL_MAX", default=10)}
    else:
        # SQLite: wait for a lock instead of failing, and write-ahead logging
        # so readers never block the single writer.
        config.setdefault("OPTIONS", {})
        config["OPTIONS"].update(
            {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
        )
    return config


DATABASES: dict[str, dict[str, Any]] = {
    "default": _database("DATABASE_URL", "default.sqlite3"),
    "storefront": _database("STOREFRONT_DATABASE_URL", "storefront.sqlite3"),
    "marketplace": _database("MARKETPLACE_DATABASE_URL", "marketplace.sqlite3"),
}
DATABASE_ROUTERS = ["config.routers.ContextRouter"]
# App label -> database alias. Anything not listed lives in `default`.
DATABASE_APPS_MAPPING = {"storefront": "storefront", "marketplace": "marketplace"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "storefront:feed"
LOGOUT_REDIRECT_URL = "storefront:feed"

# --- Language, money, time -------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
CURRENCY = "IDR"

# --- Static and media ------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Hours a sign-up's e-mail confirmation link stays valid.
EMAIL_VERIFICATION_MAX_AGE_HOURS = env.int("EMAIL_VERIFICATION_MAX_AGE_HOURS", default=72)
# Upload limits per kind of file, in MB: product, post, avatar and banner images; post videos;
# product and variant import files. Every door reads them through integration/uploads.py.
UPLOAD_MAX_IMAGE_MB = env.int("UPLOAD_MAX_IMAGE_MB", default=5)
UPLOAD_MAX_VIDEO_MB = env.int("UPLOAD_MAX_VIDEO_MB", default=50)
UPLOAD_MAX_IMPORT_MB = env.int("UPLOAD_MAX_IMPORT_MB", default=5)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://jalin")}

# Sessions are read from the cache and written through to the database: a page
# view costs no session query once the session is cached.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Integration -------------------------------------------------------------
# The composition root: which implementation stands behind each port.
INTEGRATION_TRANSPORT = env.str("INTEGRATION_TRANSPORT", default="inprocess")
MARKETPLACE_PROVIDER = "marketplace.provider.MarketplaceProvider"
# Outboxes the relay drains (model labels); each lives in its context's database.
INTEGRATION_OUTBOXES = ["marketplace.OutboxEvent"]
INTEGRATION_RELAY_BATCH_SIZE = env.int("INTEGRATION_RELAY_BATCH_SIZE", default=200)
INTEGRATION_RELAY_MAX_ATTEMPTS = env.int("INTEGRATION_RELAY_MAX_ATTEMPTS", default=8)

# --- Celery ------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "relay-outboxes": {"task": "integration.relay_all_outboxes", "schedule": 30.0},
}

# --- REST framework ----------------------------------------------------------
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
}

# --- The client's address -----------------------------------------------------
# Reverse proxies in front of the site, each appending to X-Forwarded-For; 0 trusts no
# header and takes REMOTE_ADDR. Lock-outs, throttles and the internal API's guard read
# the address through config.client_ip.client_ip. (NUM_PROXIES is the former name.)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("NUM_PROXIES", default=0))
# Networks allowed to reach /internal/ (the marketplace's internal API); others get 404.
INTERNAL_ALLOWED_NETWORKS = env.list(
    "INTERNAL_ALLOWED_NETWORKS",
    default=["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7"],
)

# --- REST API ------------------------------------------------------------------
# Everything under /api/: token and session authentication (CSRF enforced for
# sessions), throttles, problem-details errors, the OpenAPI schema.
INSTALLED_APPS += ["rest_framework.authtoken", "drf_spectacular", "drf_spectacular_sidecar"]
MIDDLEWARE += ["config.api.ApiProblemMiddleware"]
REST_FRAMEWORK.update(
    {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            # Token first: an anonymous call then gets 401 with `WWW-Authenticate: Token`.
            "rest_framework.authentication.TokenAuthentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
        "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberPagination",
        "PAGE_SIZE": 20,
        "DEFAULT_THROTTLE_CLASSES": [
            "config.client_ip.AnonRateThrottle",
            "config.client_ip.UserRateThrottle",
        ],
        "DEFAULT_THROTTLE_RATES": {
            "anon": env.str("API_THROTTLE_ANON", default="120/min"),
            "user": env.str("API_THROTTLE_USER", default="600/min"),
            "token": env.str("API_THROTTLE_TOKEN", default="10/min"),
            # Opening a shop or becoming a creator, per user, the page and the API counted together.
            "onboarding": env.str("API_THROTTLE_ONBOARDING", default="10/hour"),
        },
        "EXCEPTION_HANDLER": "config.api.exception_handler",
        "DEFAULT_SCHEMA_CLASS": "config.api.ProblemAutoSchema",
        "DEFAULT_VERSIONING_CLASS": None,
        "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    }
)
from integration.paths import ID_SCHEMA  # noqa: E402

SPECTACULAR_SETTINGS = {
    "TITLE": "Jalin API",
    "DESCRIPTION": "Shop, sell and create on Jalin. Errors are RFC 9457 problem details.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PATH_CONVERTER_OVERRIDES": {"id": ID_SCHEMA},
    "ENUM_NAME_OVERRIDES": {
        "ProductStatusEnum": "marketplace.models.ProductStatus",
        "OrderStatusEnum": "marketplace.models.OrderStatus",
        "PostStatusEnum": "storefront.models.PostStatus",
        "ModerationStatusEnum": "storefront.models.ModerationStatus",
        "CourierEnum": "integration.contracts.COURIER_CODES",
        "VoucherKindEnum": "marketplace.models.VoucherKind",
        "AttributionSourceEnum": "integration.contracts.ATTRIBUTION_SOURCES",
        "LedgerKindEnum": "marketplace.models.LedgerTransaction.Kind",
        "PayoutStatusEnum": "marketplace.models.PayoutStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.normalise_database_integer_bounds",
    ],
}

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Reliability, the split deployment and hardening -------------------------
# Request ids (and the 503 answer to an unreachable marketplace) wrap every request.
MIDDLEWARE.insert(0, "config.middleware.RequestIdMiddleware")
# /internal/ answers 404 outside INTERNAL_ALLOWED_NETWORKS, before anything else runs.
MIDDLEWARE.insert(1, "config.middleware.InternalNetworkMiddleware")
# An oversized upload is answered 413 before its body is read (integration/uploads.py has the limits).
MIDDLEWARE.insert(2, "config.uploads.UploadSizeMiddleware")
# Every request's latency by view, for /internal/metrics (config/metrics.py), inside the request id.
MIDDLEWARE.insert(1, "config.metrics.RequestMetricsMiddleware")
FILE_UPLOAD_HANDLERS = [
    "config.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
MIDDLEWARE += [
    "config.middleware.UnavailableMiddleware",
    "config.middleware.PrivateCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]
INSTALLED_APPS += ["csp", "axes"]
# Pages that never call the marketplace still say when checkout is paused.
TEMPLATES[0]["OPTIONS"]["context_processors"].append("config.context_processors.marketplace_status")

# The contexts this process serves (integration.deployment): both in one deployable, or one
# each when the storefront and the marketplace run apart with their own databases.
JALIN_CONTEXTS = env.list("JALIN_CONTEXTS", default=["storefront", "marketplace"])
if not JALIN_CONTEXTS or set(JALIN_CONTEXTS) - {"storefront", "marketplace"}:
    raise ImproperlyConfigured("JALIN_CONTEXTS names storefront, marketplace or both.")

# HTTP transport: the storefront calls MARKETPLACE_API_URL with the service token;
# the marketplace's internal endpoints accept only that token (closed when unset).
# The URL names the API version this code speaks (integration.endpoint.API_VERSION).
MARKETPLACE_API_URL = env.str("MARKETPLACE_API_URL", default="http://127.0.0.1:8001/internal/marketplace/v1/")
MARKETPLACE_SERVICE_TOKEN = env.str("MARKETPLACE_SERVICE_TOKEN", default="")
MARKETPLACE_API_TIMEOUT = env.float("MARKETPLACE_API_TIMEOUT", default=5.0)
MARKETPLACE_API_RETRIES = env.int("MARKETPLACE_API_RETRIES", default=2)
# Events: `inprocess` runs every subscriber in the relay's process; `http` runs the
# publisher's own subscribers there and hands each other side's events to that side's
# internal endpoint, so each side's workers need only their own database.
INTEGRATION_EVENT_TRANSPORT = env.str("INTEGRATION_EVENT_TRANSPORT", default="inprocess")
STOREFRONT_SERVICE_TOKEN = env.str("STOREFRONT_SERVICE_TOKEN", default="")
INTEGRATION_SERVICE_TOKENS = {"marketplace": MARKETPLACE_SERVICE_TOKEN, "storefront": STOREFRONT_SERVICE_TOKEN}
INTEGRATION_EVENT_ENDPOINTS = {
    "storefront": env.str("STOREFRONT_EVENTS_URL", default="http://127.0.0.1:8000/internal/storefront/v1/events/"),
    "marketplace": env.str("MARKETPLACE_EVENTS_URL", default="http://127.0.0.1:8001/internal/marketplace/v1/events/"),
}
INTEGRATION_EVENT_TIMEOUT = env.float("INTEGRATION_EVENT_TIMEOUT", default=10.0)
# A Celery queue per context (integration.routing): workers started with `-Q marketplace`
# or `-Q storefront` then need only that side's database.
INTEGRATION_CONTEXT_QUEUES = env.bool("INTEGRATION_CONTEXT_QUEUES", default=False)
CELERY_TASK_ROUTES = ("integration.routing.route_task",)
# Relay tasks are fire-and-forget: no result to store, so a Redis outage costs no result wait.
CELERY_TASK_IGNORE_RESULT = True
# How often beat re-dispatches undelivered outbox rows.
CELERY_BEAT_SCHEDULE["relay-outboxes"]["schedule"] = env.float("INTEGRATION_SWEEP_SECONDS", default=30.0)

# Brute-force protection on every sign-in that passes a request (pages, admin, token endpoint).
AUTHENTICATION_BACKENDS = ["config.auth.RequestAxesBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

# Content Security Policy: enforced in production (config.settings_production), reported here.
CONTENT_SECURITY_POLICY_REPORT_ONLY: dict[str, Any] | None = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        # A page with an inline block (the API docs) marks it with this response's nonce.
        "style-src": ["'self'", NONCE],
        "script-src": ["'self'", NONCE],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Logs carry the request id; LOG_FORMAT=json gives one JSON object per line.
LOGGING["filters"] = {"request_id": {"()": "integration.correlation.RequestIdFilter"}}
LOGGING["formatters"]["plain"]["format"] = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
LOGGING["formatters"]["json"] = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
}
LOGGING["handlers"]["console"]["filters"] = ["request_id"]
LOGGING["handlers"]["console"]["formatter"] = "json" if env.str("LOG_FORMAT", default="plain") == "json" else "plain"

# --- Marketplace: payment, expiry, completion --------------------------------
# Midtrans (marketplace.providers.midtrans): the server key signs in and verifies its
# notifications; the client key is the public one of Snap's pop-up. Sandbox unless
# MIDTRANS_PRODUCTION; the base URLs may be overridden (a contract server in tests).
MIDTRANS_SERVER_KEY = env.str("MIDTRANS_SERVER_KEY", default="")
MIDTRANS_CLIENT_KEY = env.str("MIDTRANS_CLIENT_KEY", default="")
MIDTRANS_PRODUCTION = env.bool("MIDTRANS_PRODUCTION", default=False)
MIDTRANS_SNAP_BASE_URL = env.str("MIDTRANS_SNAP_BASE_URL", default="")
MIDTRANS_API_BASE_URL = env.str("MIDTRANS_API_BASE_URL", default="")
MIDTRANS_TIMEOUT_SECONDS = env.float("MIDTRANS_TIMEOUT_SECONDS", default=10.0)
# Retries of the idempotent calls only (status, refund with its key), backing off from this.
MIDTRANS_RETRIES = env.int("MIDTRANS_RETRIES", default=2)
MIDTRANS_RETRY_BACKOFF_SECONDS = env.float("MIDTRANS_RETRY_BACKOFF_SECONDS", default=0.5)
# The gateway: Midtrans once its server key is set, the simulator otherwise.
PAYMENT_GATEWAY = env.str(
    "PAYMENT_GATEWAY",
    default="marketplace.providers.midtrans.MidtransGateway"
    if MIDTRANS_SERVER_KEY
    else "marketplace.payments.SimulatedGateway",
)
# Online payment (virtual account, e-wallet, QRIS) is offered; off, only cash on delivery is taken.
PAYMENT_ONLINE_ENABLED = env.bool("PAYMENT_ONLINE_ENABLED", default=True)
# A payment still pending this long after its session opened is asked of the gateway
# (a lost notification), every PAYMENT_RECONCILE_SWEEP_SECONDS.
PAYMENT_RECONCILE_AFTER_MINUTES = env.int("PAYMENT_RECONCILE_AFTER_MINUTES", default=10)
# Shared secret of the simulated gateway's signed callbacks; set a long random one in production.
PAYMENT_SIM_SECRET = env.str("PAYMENT_SIM_SECRET", default="insecure-simulated-gateway-secret")
# The simulated gateway takes any payment it is told of: allowed (with its pages
# mounted) only where explicitly enabled; by default only while DEBUG is on.
PAYMENT_SIMULATOR_ENABLED = env.bool("PAYMENT_SIMULATOR_ENABLED", default=DEBUG)
# Where the simulated gateway's pages are served: this site when empty; the marketplace's
# address when the storefront runs apart (a real gateway's page is on its own host).
PAYMENT_SIMULATOR_URL = env.str("PAYMENT_SIMULATOR_URL", default="")
# Where the gateway's page sends the shopper back after paying.
PAYMENT_RETURN_URL = env.str("PAYMENT_RETURN_URL", default="/orders/")
PAYMENT_WINDOW_MINUTES = env.int("PAYMENT_WINDOW_MINUTES", default=30)
ORDER_AUTO_COMPLETE_DAYS = env.int("ORDER_AUTO_COMPLETE_DAYS", default=7)
# The platform's fee on a completed order: a fixed amount plus basis points of the
# shop's share, and VAT (PPN) on the fee, in basis points (1100 = 11%).
PLATFORM_FEE_FIXED = env.int("PLATFORM_FEE_FIXED", default=1250)
PLATFORM_FEE_BP = env.int("PLATFORM_FEE_BP", default=100)
PLATFORM_FEE_VAT_BP = env.int("PLATFORM_FEE_VAT_BP", default=1100)
# Payouts to sellers and creators: the disbursement gateway, and the smallest withdrawal.
DISBURSEMENT_GATEWAY = env.str("DISBURSEMENT_GATEWAY", default="marketplace.disbursements.SimulatedDisbursements")
DISBURSEMENT_SIMULATOR_ENABLED = env.bool("DISBURSEMENT_SIMULATOR_ENABLED", default=DEBUG)
DISBURSEMENT_SIM_SECRET = env.str("DISBURSEMENT_SIM_SECRET", default="insecure-simulated-disbursement-secret")
# The simulator answers a payout at once; with this set it answers later, by its signed callback
# to /gateway/sim/payouts/callback/, as a real provider does.
DISBURSEMENT_SIM_BY_CALLBACK = env.bool("DISBURSEMENT_SIM_BY_CALLBACK", default=False)
PAYOUT_MINIMUM = env.int("PAYOUT_MINIMUM", default=10_000)
# Self-serve shops and creators: how many shops one account may open (Buka Toko), and the
# groups that give a new seller or creator the admin's seller or creator centre
# (the names of config.roles.SELLERS and CREATORS; a context may not import config).
SHOPS_PER_USER_MAX = env.int("SHOPS_PER_USER_MAX", default=3)
ROLE_GROUPS = {"seller": "Sellers", "creator": "Creators"}
CELERY_BEAT_SCHEDULE |= {
    "marketplace-expire-unpaid": {
        "task": "marketplace.expire_unpaid_orders",
        "schedule": env.float("ORDER_EXPIRY_SWEEP_SECONDS", default=60.0),
    },
    "marketplace-complete-delivered": {
        "task": "marketplace.complete_delivered_orders",
        "schedule": env.float("ORDER_COMPLETION_SWEEP_SECONDS", default=3600.0),
    },
    "marketplace-reconcile-ledger": {
        "task": "marketplace.reconcile_ledger",
        "schedule": env.float("LEDGER_RECONCILE_SECONDS", default=3600.0),
    },
    "marketplace-reconcile-payments": {
        "task": "marketplace.reconcile_pending_payments",
        "schedule": env.float("PAYMENT_RECONCILE_SWEEP_SECONDS", default=300.0),
    },
}

# --- Storefront ----------------------------------------------------------------
STOREFRONT_MAX_TAGS_PER_POST = env.int("STOREFRONT_MAX_TAGS_PER_POST", default=6)
# Post views are counted in the cache and moved into the database in bulk.
CELERY_BEAT_SCHEDULE["storefront-flush-post-views"] = {"task": "storefront.flush_post_views", "schedule": 60.0}

# --- Marketplace: retention of checkout idempotency keys ---------------------
# A key replays its checkout for this many days (at least one), then is forgotten.
CHECKOUT_KEY_RETENTION_DAYS = env.int("CHECKOUT_KEY_RETENTION_DAYS", default=7)
CELERY_BEAT_SCHEDULE |= {
    "marketplace-purge-checkout-keys": {
        "task": "marketplace.purge_checkout_keys",
        "schedule": env.float("CHECKOUT_KEY_PURGE_SECONDS", default=3600.0),
    },
}

# --- Tracing (OpenTelemetry) ----------------------------------------------------
# One purchase is one trace across both sides (integration/tracing.py). Spans go to an OTLP/HTTP
# collector (Jaeger, Tempo, an OpenTelemetry Collector) when an endpoint is set, to a JSON-lines
# file when TRACING_FILE is set, both when both are; with neither, tracing is off and costs nothing.
# OTEL_EXPORTER_OTLP_ENDPOINT is the collector's base URL (http://jaeger:4318), to which
# /v1/traces is added; OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, when set, is the full traces URL.
_otlp_base = env.str("OTEL_EXPORTER_OTLP_ENDPOINT", default="").rstrip("/")
TRACING_OTLP_ENDPOINT = env.str("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", default="") or (
    f"{_otlp_base}/v1/traces" if _otlp_base else ""
)
TRACING_FILE = env.str("TRACING_FILE", default="")
# The service's name on its spans: set one per deployment when the sides run apart.
TRACING_SERVICE_NAME = env.str("OTEL_SERVICE_NAME", default="jalin")
# Share of new traces kept (0 to 1); a continued trace follows its caller's decision.
TRACING_SAMPLE_RATIO = env.float("TRACING_SAMPLE_RATIO", default=1.0)
# Outermost: the request's span covers every other middleware.
MIDDLEWARE.insert(0, "config.middleware.TracingMiddleware")

# --- Benchmark -----------------------------------------------------------------
# `make bench` turns this on: a query-count header on every response and two
# reference views under /bench/. Never on in production.
BENCH = env.bool("BENCH", default=False)
if BENCH:
    MIDDLEWARE = ["config.bench.QueryCountMiddleware", *MIDDLEWARE]
