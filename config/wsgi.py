import os

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# An application server (gunicorn) runs no system checks of its own: the security ones
# that are errors (a guessable payment simulator secret, ...) refuse the start here.
_refusals = [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.is_serious()]
if _refusals:
    raise ImproperlyConfigured("; ".join(f"{m.id}: {m.msg}" for m in _refusals))
