"""Which contexts this process serves. One deployable serves both by default; split in two,
each serves one (`JALIN_CONTEXTS=storefront` or `marketplace`) and never opens the other's
database: its URLs, admin models, dashboard panels and readiness checks are left out."""

from django.conf import settings

CONTEXTS = ("storefront", "marketplace")


def serves(context: str) -> bool:
    return context in settings.JALIN_CONTEXTS
