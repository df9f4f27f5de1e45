"""The marketplace's internal HTTP endpoints: `MarketplacePort` for a storefront
deployed apart (`INTEGRATION_TRANSPORT=http`), under `v1/<method>/`, and the events
the storefront publishes to marketplace subscribers (`v1/events/`, when there are any).
Service-token only; not for shoppers."""

from integration.contracts import MarketplacePort
from integration.endpoint import events_urlpatterns, port_urlpatterns

from .provider import MarketplaceProvider

app_name = "marketplace_internal"

# Events first: `v1/<method>/` would take "events" for a port method.
urlpatterns = [*events_urlpatterns("marketplace"), *port_urlpatterns(MarketplacePort, MarketplaceProvider)]
