"""The storefront's internal HTTP endpoint: the marketplace's events handed over by its relay
when the two sides are deployed apart (`INTEGRATION_EVENT_TRANSPORT=http`). Service-token only."""

from integration.endpoint import events_urlpatterns

app_name = "storefront_internal"

urlpatterns = events_urlpatterns("storefront")
