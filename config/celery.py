"""The Celery application. Broker and results on REDIS_URL; without it tasks run
eagerly (they are always enqueued on commit, so eager means "right after commit")."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("jalin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["integration", "storefront", "marketplace"])
