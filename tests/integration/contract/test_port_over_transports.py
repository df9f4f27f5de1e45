"""The port behaves the same in process and over HTTP: DTOs, errors and idempotency."""

import pytest

from integration import contracts
from marketplace.models import Order, OutboxEvent
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db(databases="__all__")

ADDRESS = contracts.Address("Ayu", "0812345678", "Jl. Kaliurang 5", "Sleman", "DI Yogyakarta", "55281")


def test_get_product_returns_the_detail_with_its_variants(port):
    variant = VariantFactory(price=125_000, stock_on_hand=4, name="L")

    detail = port.get_product(variant.product_id)

    assert isinstance(detail, contracts.ProductDetail)
    assert (detail.summary.product_id, detail.summary.price_min, detail.summary.in_stock) == (
        variant.product_id,
        125_000,
        True,
    )
    assert detail.variants == (
        contracts.VariantDTO(
            id=variant.id,
            product_id=variant.product_id,
            name="L",
            sku=variant.sku,
            price=125_000,
            currency="IDR",
            stock_available=4,
            max_per_order=variant.max_per_order,
        ),
    )


def test_an_unknown_product_is_not_found(port):
    with pytest.raises(contracts.NotFound) as raised:
        port.get_product(999_999)

    assert raised.value.code == "not_found"


def test_too_many_in_the_cart_is_an_invalid_request_with_field_messages(port):
    variant = VariantFactory(stock_on_hand=2)

    with pytest.raises(contracts.InvalidRequest) as raised:
        port.add_to_cart(buyer_id=7, variant_id=variant.id, quantity=3)

    assert raised.value.fields == {"quantity": ["Only 2 left in stock."]}


def test_checkout_returns_its_orders_and_repeating_it_places_nothing_more(port):
    variant = VariantFactory(price=50_000, stock_on_hand=5)
    cart = port.add_to_cart(buyer_id=8, variant_id=variant.id, quantity=2)
    command = contracts.CheckoutCommand(
        buyer_id=8, address=ADDRESS, payment_method="virtual_account", idempotency_key="contract-1"
    )

    first = port.checkout(command)
    again = port.checkout(command)

    assert cart.total == 100_000
    assert [(o.buyer_id, o.subtotal, o.status) for o in first.orders] == [(8, 100_000, "pending_payment")]
    assert [line.quantity for line in first.orders[0].lines] == [2]
    assert first == again
    assert Order.objects.filter(buyer_id=8).count() == 1
    assert OutboxEvent.objects.filter(type="marketplace.order.placed").count() == 1


def test_reusing_an_idempotency_key_for_another_checkout_is_a_conflict(port):
    variant = VariantFactory(stock_on_hand=5)
    port.add_to_cart(buyer_id=9, variant_id=variant.id, quantity=1)
    port.checkout(contracts.CheckoutCommand(buyer_id=9, address=ADDRESS, payment_method="cod", idempotency_key="k"))

    with pytest.raises(contracts.Conflict) as raised:
        port.checkout(
            contracts.CheckoutCommand(buyer_id=9, address=ADDRESS, payment_method="ewallet", idempotency_key="k")
        )

    assert raised.value.code == "idempotency_key_reused"
    assert raised.value.fields == {"idempotency_key": ["Already used for a different checkout."]}


def test_an_order_of_another_buyer_is_not_found(port):
    variant = VariantFactory(stock_on_hand=5)
    port.add_to_cart(buyer_id=10, variant_id=variant.id, quantity=1)
    placed = port.checkout(
        contracts.CheckoutCommand(buyer_id=10, address=ADDRESS, payment_method="cod", idempotency_key="own")
    )

    assert port.get_order(buyer_id=10, order_id=placed.orders[0].id) == placed.orders[0]
    with pytest.raises(contracts.NotFound):
        port.get_order(buyer_id=11, order_id=placed.orders[0].id)
