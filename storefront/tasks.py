from celery import shared_task

from . import services


@shared_task(name="storefront.flush_post_views")
def flush_post_views() -> int:
    """Periodic: moves buffered post views into the database (idempotent: the buffer empties)."""
    return services.post_views_flush()
