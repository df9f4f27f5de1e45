"""The HTTP transport and the marketplace's internal endpoints, in one process
(httpx calls the WSGI application directly; tests/integration/contract runs a real server)."""

import httpx
import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings

from integration import contracts, correlation
from integration.http import HttpPort
from marketplace.models import OutboxEvent
from tests.factories import VariantFactory
from tests.integration.processes import free_port

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BASE = "http://testserver/internal/marketplace/"
ADDRESS = contracts.Address("Ayu", "0812345678", "Jl. Kaliurang 5", "Sleman", "DI Yogyakarta", "55281")


class CountingTransport(httpx.WSGITransport):
    def __init__(self):
        super().__init__(app=get_wsgi_application())
        self.paths: list[str] = []

    def handle_request(self, request):
        self.paths.append(request.url.path)
        return super().handle_request(request)


@pytest.fixture
def wsgi():
    # As Django's test client does: a request must not close the test's open transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with override_settings(MARKETPLACE_SERVICE_TOKEN="s3cret"):
            yield CountingTransport()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _port(transport, token="s3cret", base=BASE, retries=2):
    return HttpPort(contracts.MarketplacePort, base_url=base, token=token, transport=transport, retries=retries)


def test_a_query_round_trips_its_dtos(wsgi):
    variant = VariantFactory(price=99_000, stock_on_hand=3)

    cart = _port(wsgi).add_to_cart(buyer_id=5, variant_id=variant.id, quantity=2)

    assert isinstance(cart, contracts.CartDTO)
    assert (cart.buyer_id, cart.total, cart.item_count) == (5, 198_000, 2)
    assert cart.lines[0].variant_id == variant.id
    assert wsgi.paths == ["/internal/marketplace/add_to_cart/"]


def test_checkout_carries_the_request_id_to_its_outbox_rows(wsgi):
    variant = VariantFactory(stock_on_hand=3)
    port = _port(wsgi)
    port.add_to_cart(buyer_id=6, variant_id=variant.id, quantity=1)

    with correlation.bound("req-checkout-1"):
        result = port.checkout(
            contracts.CheckoutCommand(buyer_id=6, address=ADDRESS, payment_method="cod", idempotency_key="k1")
        )

    assert [o.buyer_id for o in result.orders] == [6]
    assert set(OutboxEvent.objects.filter(type="marketplace.order.placed").values_list("request_id", flat=True)) == {
        "req-checkout-1"
    }


def test_a_wrong_service_token_is_refused_as_unavailable_and_not_retried(wsgi):
    with pytest.raises(contracts.Unavailable):
        _port(wsgi, token="wrong").get_cart(5)

    assert wsgi.paths == ["/internal/marketplace/get_cart/"]


@override_settings(MARKETPLACE_SERVICE_TOKEN="")
def test_the_endpoints_are_closed_when_no_token_is_configured(client):
    response = client.post("/internal/marketplace/get_cart/", {"buyer_id": 1}, content_type="application/json")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_malformed_arguments_are_a_400_class_problem_with_fields(client, wsgi):
    auth = {"HTTP_AUTHORIZATION": "Bearer s3cret"}
    with override_settings(MARKETPLACE_SERVICE_TOKEN="s3cret"):
        unknown = client.post(
            "/internal/marketplace/get_cart/", {"buyer_id": 1, "x": 2}, content_type="application/json", **auth
        )
        missing = client.post("/internal/marketplace/get_cart/", {}, content_type="application/json", **auth)
        no_method = client.post("/internal/marketplace/drop_tables/", {}, content_type="application/json", **auth)

    assert (unknown.status_code, unknown.json()["fields"]) == (422, {"x": ["Unknown argument."]})
    assert missing.status_code == 422
    assert no_method.status_code == 404


def test_port_errors_come_back_as_the_same_class_with_their_fields(wsgi):
    variant = VariantFactory(stock_on_hand=1)

    with pytest.raises(contracts.InvalidRequest) as raised:
        _port(wsgi).add_to_cart(buyer_id=5, variant_id=variant.id, quantity=4)

    assert raised.value.fields == {"quantity": ["Only 1 left in stock."]}
    assert wsgi.paths == ["/internal/marketplace/add_to_cart/"]  # a client error is never retried


def test_a_refused_connection_is_retried_then_unavailable():
    closed = f"http://127.0.0.1:{free_port()}/internal/marketplace/"

    with pytest.raises(contracts.Unavailable):
        _port(None, base=closed, retries=1).get_cart(5)


def test_only_queries_and_keyed_commands_are_retry_safe():
    from integration.wire import is_retry_safe

    assert is_retry_safe("get_cart", {"buyer_id": 1})
    assert is_retry_safe("checkout", {"command": {"idempotency_key": "k"}})
    assert not is_retry_safe("add_to_cart", {"buyer_id": 1, "variant_id": 2, "quantity": 1})


def test_ping_checks_the_endpoint_and_the_token(wsgi):
    _port(wsgi).ping()

    with pytest.raises(contracts.Unavailable):
        _port(wsgi, token="wrong").ping()
