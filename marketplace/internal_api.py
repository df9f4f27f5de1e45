"""The marketplace's internal HTTP endpoints: `MarketplacePort` for a storefront
deployed apart (`INTEGRATION_TRANSPORT=http`), under `v1/<method>/`.
Service-token only; not for shoppers."""

from integration.contracts import MarketplacePort
from integration.endpoint import port_urlpatterns

from .provider import MarketplaceProvider

app_name = "marketplace_internal"

urlpatterns = port_urlpatterns(MarketplacePort, MarketplaceProvider)
