"""Port calls as JSON: every DTO shape of the contract survives encode -> decode."""

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from integration import codec, contracts, wire
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
        promotions=(
            contracts.PromotionShare(shop_id=4, platform_discount=5_000, shop_funded=1_500, shipping_subsidy=0),
        ),
    )

    decoded = wire.decode_result(MarketplacePort, "preview_checkout", codec.encode(preview))

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

    assert wire.decode_result(MarketplacePort, "list_orders", codec.encode([order])) == [order]


def test_arguments_are_bound_by_name_with_defaults():
    arguments = wire.bind_call(MarketplacePort, "list_product_summaries", (), {"after_id": 5})

    assert arguments == {"after_id": 5, "limit": 500}


def test_unknown_or_missing_arguments_are_malformed_requests():
    with pytest.raises(contracts.MalformedRequest) as unknown:
        wire.decode_arguments(MarketplacePort, "get_cart", {"buyer_id": 1, "admin": True})
    with pytest.raises(contracts.MalformedRequest) as missing:
        wire.decode_arguments(MarketplacePort, "get_cart", {})

    assert unknown.value.fields == {"admin": ["Unknown argument."]}
    assert missing.value.fields == {"buyer_id": ["Missing argument."]}


def test_arguments_are_checked_against_their_types_and_never_coerced():
    with pytest.raises(contracts.MalformedRequest) as refused:
        wire.decode_arguments(MarketplacePort, "add_to_cart", {"buyer_id": 1, "variant_id": [2], "quantity": "3"})

    assert refused.value.fields == {
        "variant_id": ["Expected `int`, got `array`"],
        "quantity": ["Expected `int`, got `str`"],
    }


def test_a_wrong_type_deep_inside_an_argument_names_its_path():
    shipping = [{"shop_id": 1, "courier": "jne-reg"}, {"shop_id": "2", "courier": "jne-reg"}]

    with pytest.raises(contracts.MalformedRequest) as refused:
        wire.decode_arguments(
            MarketplacePort, "preview_checkout", {"buyer_id": 1, "province": "Bali", "shipping": shipping}
        )

    assert refused.value.fields == {"shipping[1].shop_id": ["Expected `int`, got `str`"]}


def test_a_datetime_keeps_its_offset():
    wib = timezone(timedelta(hours=7))
    change = contracts.StatusChangeDTO("placed", datetime(2026, 11, 28, 10, 0, tzinfo=wib))

    wire_bytes = codec.encode(change)
    back = codec.decode(wire_bytes, contracts.StatusChangeDTO)

    assert b'"2026-11-28T10:00:00+07:00"' in wire_bytes
    assert back.at.utcoffset() == timedelta(hours=7)


def test_a_result_that_does_not_fit_its_type_is_a_codec_error():
    with pytest.raises(codec.CodecError) as refused:
        wire.decode_result(MarketplacePort, "get_cart", b'{"buyer_id": "7", "lines": []}')

    assert refused.value.path == "buyer_id"


def test_every_port_method_declares_its_retry_safety():
    undeclared = [
        name for name in wire.port_methods(MarketplacePort) if contracts.retry_of(MarketplacePort, name) is None
    ]

    assert undeclared == []


def test_a_method_without_a_declaration_is_never_retried():
    class Port:
        def undeclared(self, *, idempotency_key: str) -> int: ...

        @contracts.query
        def count(self) -> int: ...

    assert not wire.is_retry_safe(Port, "undeclared", {"idempotency_key": "k"})
    assert wire.is_retry_safe(Port, "count", {})


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("get_cart", contracts.Retry.QUERY),
        ("preview_checkout", contracts.Retry.QUERY),
        ("checkout", contracts.Retry.IDEMPOTENT),
        ("add_to_cart", contracts.Retry.COMMAND),
        ("start_payment", contracts.Retry.COMMAND),
        ("submit_review", contracts.Retry.COMMAND),
    ],
)
def test_the_port_declares_what_may_be_repeated(name, kind):
    assert contracts.retry_of(MarketplacePort, name) is kind


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (contracts.NotFound("x"), 404),
        (contracts.InvalidRequest("x", fields={"q": ["bad"]}), 422),
        (contracts.MalformedRequest("x", fields={"q": ["Expected `int`, got `str`"]}), 400),
        (contracts.VersionMismatch("x"), 501),
        (contracts.Conflict("x", code="idempotency_key_reused"), 409),
        (contracts.Unavailable("x"), 503),
    ],
)
def test_port_errors_map_to_a_status_and_back(error, status):
    body = wire.problem(error)

    back = wire.error_from_problem(body["status"], body)

    assert body["status"] == status
    assert (type(back), back.code, back.fields, back.message) == (type(error), error.code, error.fields, "x")


def test_a_checkout_command_carries_its_platform_voucher_over_the_wire():
    address = contracts.Address("Ayu", "0812", "Jl. Malioboro 52", "Yogyakarta", "DI Yogyakarta", "55271")
    sent = contracts.CheckoutCommand(
        buyer_id=7, address=address, payment_method="cod", idempotency_key="k", platform_voucher="JALIN20"
    )

    decoded = wire.decode_arguments(MarketplacePort, "checkout", json.loads(codec.encode({"command": sent})))

    assert decoded == {"command": sent}
