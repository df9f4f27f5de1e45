"""The HTTP transport and the marketplace's internal endpoints, in one process
(httpx calls the WSGI application directly; tests/integration/contract runs a real server)."""

import httpx
import pytest
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from django.utils import timezone, translation

from integration import contracts, correlation
from integration.http import HttpPort
from marketplace.models import CartItem, OutboxEvent
from tests.factories import VariantFactory
from tests.integration.processes import free_port
from tests.wsgi import connections_kept_open

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BASE = "http://testserver/internal/marketplace/v1/"
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
    with connections_kept_open(), override_settings(MARKETPLACE_SERVICE_TOKEN="s3cret"):
        yield CountingTransport()


def _port(transport, token="s3cret", base=BASE, retries=2):
    return HttpPort(contracts.MarketplacePort, base_url=base, token=token, transport=transport, retries=retries)


def test_a_query_round_trips_its_dtos(wsgi):
    variant = VariantFactory(price=99_000, stock_on_hand=3)

    cart = _port(wsgi).add_to_cart(buyer_id=5, variant_id=variant.id, quantity=2)

    assert isinstance(cart, contracts.CartDTO)
    assert (cart.buyer_id, cart.total, cart.item_count) == (5, 198_000, 2)
    assert cart.lines[0].variant_id == variant.id
    assert wsgi.paths == ["/internal/marketplace/v1/add_to_cart/"]


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

    assert wsgi.paths == ["/internal/marketplace/v1/get_cart/"]


@override_settings(MARKETPLACE_SERVICE_TOKEN="")
def test_the_endpoints_are_closed_when_no_token_is_configured(client):
    response = client.post("/internal/marketplace/v1/get_cart/", {"buyer_id": 1}, content_type="application/json")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_malformed_arguments_are_a_400_problem_with_fields(client, wsgi):
    auth = {"HTTP_AUTHORIZATION": "Bearer s3cret"}
    with override_settings(MARKETPLACE_SERVICE_TOKEN="s3cret"):
        unknown = client.post(
            "/internal/marketplace/v1/get_cart/", {"buyer_id": 1, "x": 2}, content_type="application/json", **auth
        )
        missing = client.post("/internal/marketplace/v1/get_cart/", {}, content_type="application/json", **auth)
        not_json = client.post("/internal/marketplace/v1/get_cart/", "{", content_type="application/json", **auth)

    assert (unknown.status_code, unknown.json()["fields"]) == (400, {"x": ["Unknown argument."]})
    assert (missing.status_code, missing.json()["fields"]) == (400, {"buyer_id": ["Missing argument."]})
    assert (not_json.status_code, not_json.json()["code"]) == (400, "malformed")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"buyer_id": 5, "variant_id": 1, "quantity": "3"}, "quantity"),
        ({"buyer_id": 5, "variant_id": [2], "quantity": 1}, "variant_id"),
        ({"buyer_id": True, "variant_id": 1, "quantity": 1}, "buyer_id"),
        ({"buyer_id": 5, "variant_id": 1, "quantity": 1.0}, "quantity"),
    ],
)
def test_a_wrongly_typed_argument_is_refused_and_changes_nothing(client, wsgi, arguments, field):
    variant = VariantFactory(stock_on_hand=5)
    arguments = {**arguments, "variant_id": variant.id} if field != "variant_id" else arguments

    with override_settings(MARKETPLACE_SERVICE_TOKEN="s3cret"):
        response = client.post(
            "/internal/marketplace/v1/add_to_cart/",
            arguments,
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer s3cret",
        )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert (response.json()["code"], list(response.json()["fields"])) == ("malformed", [field])
    assert not CartItem.objects.exists()


def test_a_nested_wrong_type_names_its_path(client, wsgi):
    command = {
        "buyer_id": 5,
        "address": {**ADDRESS.__dict__, "city": 7},
        "payment_method": "cod",
        "idempotency_key": "k",
        "shipping": [{"shop_id": "1", "courier": "jne-reg"}],
    }

    with override_settings(MARKETPLACE_SERVICE_TOKEN="s3cret"):
        response = client.post(
            "/internal/marketplace/v1/checkout/",
            {"command": command},
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer s3cret",
        )

    assert response.status_code == 400
    # msgspec stops at the first fault it meets, in field order.
    assert response.json()["fields"] == {"command.address.city": ["Expected `str`, got `int`"]}


@pytest.mark.parametrize(
    "path",
    ["/internal/marketplace/v1/drop_tables/", "/internal/marketplace/v2/get_cart/", "/internal/marketplace/get_cart/"],
)
def test_an_unknown_method_or_version_is_a_version_mismatch(client, wsgi, path):
    with override_settings(MARKETPLACE_SERVICE_TOKEN="s3cret"):
        response = client.post(
            path, {"buyer_id": 1}, content_type="application/json", HTTP_AUTHORIZATION="Bearer s3cret"
        )

    assert response.status_code == 501
    assert response.json()["code"] == "version_mismatch"


def test_the_client_takes_a_version_mismatch_for_unavailable_and_does_not_retry(wsgi):
    port = _port(wsgi, base="http://testserver/internal/marketplace/v2/")

    with pytest.raises(contracts.Unavailable) as raised:
        port.get_cart(5)

    assert not isinstance(raised.value, contracts.NotFound)
    assert wsgi.paths == ["/internal/marketplace/v2/get_cart/"]


def test_a_datetime_keeps_its_utc_offset_over_http(wsgi):
    variant = VariantFactory(stock_on_hand=3)
    port = _port(wsgi)
    port.add_to_cart(buyer_id=8, variant_id=variant.id, quantity=1)
    placed = port.checkout(
        contracts.CheckoutCommand(buyer_id=8, address=ADDRESS, payment_method="cod", idempotency_key="k8")
    ).orders[0]

    with timezone.override("Asia/Jakarta"):
        order = port.get_order(buyer_id=8, order_id=placed.id)

    assert order.placed_at.utcoffset() is not None
    assert order.placed_at == placed.placed_at


def test_port_errors_come_back_as_the_same_class_with_their_fields(wsgi):
    variant = VariantFactory(stock_on_hand=1)

    with pytest.raises(contracts.InvalidRequest) as raised:
        _port(wsgi).add_to_cart(buyer_id=5, variant_id=variant.id, quantity=4)

    assert raised.value.fields == {"quantity": ["Only 1 left in stock."]}
    assert wsgi.paths == ["/internal/marketplace/v1/add_to_cart/"]  # a client error is never retried


def test_a_refused_connection_is_retried_then_unavailable():
    closed = f"http://127.0.0.1:{free_port()}/internal/marketplace/"

    with pytest.raises(contracts.Unavailable):
        _port(None, base=closed, retries=1).get_cart(5)


def test_only_queries_and_keyed_commands_are_retry_safe():
    from integration.wire import is_retry_safe

    port = contracts.MarketplacePort
    assert is_retry_safe(port, "get_cart", {"buyer_id": 1})
    assert is_retry_safe(port, "checkout", {"command": {"idempotency_key": "k"}})
    assert not is_retry_safe(port, "checkout", {"command": {"idempotency_key": ""}})
    assert not is_retry_safe(port, "add_to_cart", {"buyer_id": 1, "variant_id": 2, "quantity": 1})


def test_ping_checks_the_endpoint_and_the_token(wsgi):
    _port(wsgi).ping()

    with pytest.raises(contracts.Unavailable):
        _port(wsgi, token="wrong").ping()


@pytest.mark.parametrize(("language", "message"), [("en", "Only 1 left in stock."), ("id", "Stok tinggal 1.")])
def test_the_provider_words_its_errors_in_the_callers_language(wsgi, language, message):
    variant = VariantFactory(stock_on_hand=1)

    with translation.override(language), pytest.raises(contracts.InvalidRequest) as refused:
        _port(wsgi).add_to_cart(buyer_id=7, variant_id=variant.id, quantity=2)

    assert refused.value.fields == {"quantity": [message]}
