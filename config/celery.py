"""The Celery application. Broker and results on REDIS_URL; without it tasks run
eagerly (they are always enqueued on commit, so eager means "right after commit")."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("jalin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["integration", "storefront", "marketplace"])

# A task continues the trace it was sent from (integration.tracing): the sender adds `traceparent`
# to the message headers, the worker runs the task in a span under it.
from celery.signals import before_task_publish, task_postrun, task_prerun  # noqa: E402

from integration import tracing  # noqa: E402

before_task_publish.connect(tracing.celery_before_publish, weak=False)
task_prerun.connect(tracing.celery_task_prerun, weak=False)
task_postrun.connect(tracing.celery_task_postrun, weak=False)
