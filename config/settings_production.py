"""Production: `DJANGO_SETTINGS_MODULE=config.settings_production`.

Everything of `config.settings`, hardened so that `manage.py check --deploy`
reports nothing. SECRET_KEY and ALLOWED_HOSTS must come from the environment.
"""

from .settings import *  # noqa: F403
from .settings import CONTENT_SECURITY_POLICY_REPORT_ONLY, DATABASES, STORAGES, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # no default: refuse to start without a real key
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"

# HTTPS everywhere; health checks and service calls may stay on the private network.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^internal/"]
if env.bool("BEHIND_TLS_PROXY", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# No simulated payments unless asked for, and then never with the public default secret.
PAYMENT_SIMULATOR_ENABLED = env.bool("PAYMENT_SIMULATOR_ENABLED", default=False)
PAYMENT_SIM_SECRET = env.str("PAYMENT_SIM_SECRET") if PAYMENT_SIMULATOR_ENABLED else ""
# Likewise simulated payouts: they send nobody money.
DISBURSEMENT_SIMULATOR_ENABLED = env.bool("DISBURSEMENT_SIMULATOR_ENABLED", default=False)
DISBURSEMENT_SIM_SECRET = env.str("DISBURSEMENT_SIM_SECRET") if DISBURSEMENT_SIMULATOR_ENABLED else ""

# Enforce the policy that development only reports.
CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY_REPORT_ONLY
CONTENT_SECURITY_POLICY_REPORT_ONLY = None

# Pooled PostgreSQL connections (psycopg pool); Django then keeps none of its own.
for _config in DATABASES.values():
    if _config["ENGINE"] == "django.db.backends.postgresql":
        _config.setdefault("OPTIONS", {}).setdefault(
            "pool", {"min_size": 1, "max_size": env.int("DATABASE_POOL_MAX", default=10), "timeout": 10}
        )
        _config["CONN_MAX_AGE"] = 0

LOGGING["handlers"]["console"]["formatter"] = env.str("LOG_FORMAT", default="json")  # noqa: F405
