"""The marketplace's internal HTTP endpoints: `MarketplacePort` for a storefront
deployed apart (`INTEGRATION_TRANSPORT=http`). Service-token only; not for shoppers."""

from django.urls import path

from integration.contracts import MarketplacePort
from integration.endpoint import ping_view, port_view

from .provider import MarketplaceProvider

app_name = "marketplace_internal"

urlpatterns = [
    path("", ping_view, name="ping"),
    path("<str:method>/", port_view(MarketplacePort, MarketplaceProvider), name="port"),
]
