"""Port calls as JSON: every DTO shape of the contract survives encode -> decode."""

from datetime import UTC, datetime

import pytest

from integration import contracts, wire
from integration.contracts import MarketplacePort


def test_every_port_method_has_resolvable_type_hints():
    # A method added to the port travels over HTTP only if its hints resolve.
    for name in wire.port_methods(MarketplacePort):
        _signature, hints = wire.method_hints(MarketplacePort, name)
        assert "return" in hints, name


def test_a_checkout_preview_round_trips_with_nested_tuples_and_dicts():
    line = contracts.CartLineDTO(1, 2, 3, 4, "Toko", "Batik", "M", 100_000, 90_000, 2, 5)
    preview = contracts.CheckoutPreview(
        cart=contracts.CartDTO(buyer_id=7, lines=(line,)),
        shipping_options=(contracts.ShippingOption(4, "jne-reg", "JNE Reguler", 15_000, "2-3"),),
        shop_totals=((4, 200_000, 15_000, 0),),
        total=215_000,
        problems={"lines": ["The price changed."]},
    )

    decoded = wire.decode_result(MarketplacePort, "preview_checkout", wire.encode(preview))

    assert decoded == preview


def test_an_order_with_datetimes_and_optionals_round_trips():
    placed = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    order = contracts.OrderDTO(
        id=1,
        number="INV/1",
        buyer_id=7,
        shop_id=4,
        shop_name="Toko",
        status="pending_payment",
        subtotal=100,
        shipping_fee=10,
        total=110,
        currency="IDR",
        payment_method="cod",
        placed_at=placed,
        lines=(contracts.OrderLineDTO(1, 2, 3, "Batik", "M", 100, 1),),
        timeline=(contracts.StatusChangeDTO("placed", placed),),
    )

    assert wire.decode_result(MarketplacePort, "list_orders", wire.encode([order])) == [order]


def test_arguments_are_bound_by_name_with_defaults():
    arguments = wire.bind_call(MarketplacePort, "list_product_summaries", (), {"after_id": 5})

    assert arguments == {"after_id": 5, "limit": 500}


def test_unknown_or_missing_arguments_are_invalid_requests():
    with pytest.raises(contracts.InvalidRequest) as unknown:
        wire.decode_arguments(MarketplacePort, "get_cart", {"buyer_id": 1, "admin": True})
    with pytest.raises(contracts.InvalidRequest):
        wire.decode_arguments(MarketplacePort, "get_cart", {})

    assert unknown.value.fields == {"admin": ["Unknown argument."]}


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (contracts.NotFound("x"), 404),
        (contracts.InvalidRequest("x", fields={"q": ["bad"]}), 422),
        (contracts.Conflict("x", code="idempotency_key_reused"), 409),
        (contracts.Unavailable("x"), 503),
    ],
)
def test_port_errors_map_to_a_status_and_back(error, status):
    body = wire.problem(error)

    back = wire.error_from_problem(body["status"], body)

    assert body["status"] == status
    assert (type(back), back.code, back.fields, back.message) == (type(error), error.code, error.fields, "x")
