"""The checkout page: saved addresses, changes since adding, errors next to fields, one order per key."""

import re

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.models import Order, Payment, Variant
from storefront.services import address_create
from tests.factories import ADDRESS_VALUES, VariantFactory, VoucherFactory

pytestmark = pytest.mark.django_db(databases="__all__")

ADDRESS = ADDRESS_VALUES


def _key(response) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', response.content.decode()).group(1)


def test_checkout_offers_saved_addresses_and_delivers_to_the_one_chosen(client, shopper):
    variant = VariantFactory(price=125_000, stock_on_hand=5)
    address_create(user_id=shopper.id, values=ADDRESS, label="Rumah")
    office = address_create(user_id=shopper.id, values={**ADDRESS, "street": "Jl. Sudirman 1"}, label="Kantor")
    client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1})

    page = client.get(reverse("storefront:checkout"))
    assert "Rumah, Jl. Malioboro 52, Yogyakarta" in page.content.decode()
    assert "Kantor, Jl. Sudirman 1, Yogyakarta" in page.content.decode()

    placed = client.post(
        reverse("storefront:checkout"),
        {"saved_address": str(office.id), "payment_method": "cod", "idempotency_key": _key(page)},
    )

    order = Order.objects.get(buyer_id=shopper.id)
    assert placed.status_code == 302
    assert (order.street, order.city, order.postal_code) == ("Jl. Sudirman 1", "Yogyakarta", "55271")


def test_a_new_address_needs_every_field_and_errors_sit_next_to_them(client, shopper):
    variant = VariantFactory(stock_on_hand=5)
    address_create(user_id=shopper.id, values=ADDRESS)
    client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1})

    response = client.post(
        reverse("storefront:checkout"),
        {"saved_address": "new", "recipient": "Ayu", "payment_method": "cod", "idempotency_key": "k-new"},
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"phone", "street", "city", "province", "postal_code"}
    assert 'aria-describedby="id_street_error"' in response.content.decode()
    assert Order.objects.count() == 0


def test_a_price_change_and_a_stock_out_since_adding_are_shown_before_paying(client, shopper):
    dearer = VariantFactory(price=100_000, stock_on_hand=5, product__title="Kain Tenun")
    scarce = VariantFactory(price=50_000, stock_on_hand=5, product__title="Kopi Gayo")
    client.post(reverse("storefront:cart_add"), {"variant_id": dearer.id, "quantity": 1})
    client.post(reverse("storefront:cart_add"), {"variant_id": scarce.id, "quantity": 3})
    Variant.objects.filter(id=dearer.id).update(price=120_000)
    Variant.objects.filter(id=scarce.id).update(stock_on_hand=1)

    page = client.get(reverse("storefront:checkout"), HTTP_ACCEPT_LANGUAGE="en")

    body = page.content.decode()
    assert page.context["preview"].problems == {
        f"line_{page.context['preview'].cart.lines[0].id}": [
            "The price of Kain Tenun changed from Rp 100.000 to Rp 120.000."
        ],
        f"line_{page.context['preview'].cart.lines[1].id}": ["Only 1 of Kopi Gayo (M) left."],
    }
    assert "The price of Kain Tenun changed from Rp 100.000 to Rp 120.000." in body
    assert "Price changed from Rp 100.000 to Rp 120.000 since you added it" in body
    assert "Only 1 left in stock" in body


def test_a_refusal_from_the_marketplace_lands_next_to_its_field(client, shopper):
    variant = VariantFactory(stock_on_hand=5, product__title="Kain Tenun")
    client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 3})
    Variant.objects.filter(id=variant.id).update(stock_on_hand=1)

    response = client.post(
        reverse("storefront:checkout"),
        {**ADDRESS, "payment_method": "cod", "idempotency_key": "k-stock"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Only 1 of Kain Tenun (M) left."]
    assert Order.objects.count() == 0
    assert Variant.objects.get(id=variant.id).stock_reserved == 0


def test_submitting_the_same_checkout_page_twice_places_one_set_of_orders(client, shopper):
    first_shop = VariantFactory(stock_on_hand=5)
    second_shop = VariantFactory(stock_on_hand=5)
    for variant in (first_shop, second_shop):
        client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1})
    body = {**ADDRESS, "payment_method": "virtual_account", "idempotency_key": _key(client.get("/checkout/"))}

    first = client.post(reverse("storefront:checkout"), body)
    second = client.post(reverse("storefront:checkout"), body)

    assert first.status_code == second.status_code == 302
    assert first.url == second.url == f"/gateway/sim/{Payment.objects.get().reference}/"
    assert Order.objects.filter(buyer_id=shopper.id).count() == 2


def test_adding_to_the_cart_through_htmx_answers_with_a_fragment(client, shopper):
    variant = VariantFactory(stock_on_hand=5)

    response = client.post(
        reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 2}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert response.templates[0].name == "storefront/_cart_status.html"
    assert response.context["cart"].item_count == 2


def test_adding_more_than_the_stock_through_htmx_says_why(client, shopper):
    variant = VariantFactory(stock_on_hand=1)

    response = client.post(
        reverse("storefront:cart_add"),
        {"variant_id": variant.id, "quantity": 5},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["ok"] is False
    assert "Only 1 left in stock." in response.content.decode()


def test_the_checkout_page_reads_each_database_a_bounded_number_of_times(client, shopper):
    for n in range(3):
        variant = VariantFactory(stock_on_hand=5)
        client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1})
        address_create(user_id=shopper.id, values={**ADDRESS, "street": f"Jl. Kaliurang {n}"})

    with (
        CaptureQueriesContext(connections["storefront"]) as storefront,
        CaptureQueriesContext(connections["marketplace"]) as marketplace_,
    ):
        page = client.get(reverse("storefront:checkout"))

    assert page.status_code == 200 and len(page.context["preview"].cart.lines) == 3
    assert (len(storefront), len(marketplace_)) == (1, 3)  # the cart, its couriers, free shipping running


def _cart_of_one_shop(client, shopper):
    variant = VariantFactory(price=200_000, weight_grams=400, stock_on_hand=5, product__title="Kain Tenun")
    VoucherFactory(shop=variant.product.shop, code="HEMAT10", value=10)
    client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1})
    return variant.product.shop_id


def test_recalculating_prices_the_chosen_courier_and_voucher_and_places_nothing(client, shopper):
    shop_id = _cart_of_one_shop(client, shopper)
    page = client.get(reverse("storefront:checkout"))
    assert page.context["preview"].total == 223_000  # JNE Reguler, no province yet: 9.000 + 6.000 + 8.000

    recalculated = client.post(
        reverse("storefront:checkout"),
        {
            **ADDRESS,
            f"shipping_{shop_id}": "jne-yes",
            f"voucher_{shop_id}": "hemat10",
            "idempotency_key": _key(page),
            "recalculate": "1",
        },
    )

    assert recalculated.status_code == 200
    assert recalculated.context["preview"].shop_totals == ((shop_id, 200_000, 28_000, 20_000),)
    assert recalculated.context["preview"].total == 208_000
    assert "Rp 208.000" in recalculated.content.decode()
    assert recalculated.context["form"].errors == {}  # no payment method yet, and no complaint about it
    assert Order.objects.count() == 0


def test_an_unknown_voucher_is_reported_before_paying(client, shopper):
    shop_id = _cart_of_one_shop(client, shopper)

    response = client.post(
        reverse("storefront:checkout"),
        {**ADDRESS, f"voucher_{shop_id}": "NOPE", "idempotency_key": "k-voucher", "recalculate": "1"},
    )

    assert response.context["preview"].problems == {"vouchers": ["This voucher does not exist for this shop."]}
    assert response.context["preview"].total == 215_000


def test_placing_with_a_courier_and_voucher_goes_on_to_the_gateways_page(client, shopper):
    shop_id = _cart_of_one_shop(client, shopper)
    body = {
        **ADDRESS,
        f"shipping_{shop_id}": "jne-yes",
        f"voucher_{shop_id}": "HEMAT10",
        "payment_method": "ewallet",
        "idempotency_key": "k-pay",
    }

    placed = client.post(reverse("storefront:checkout"), body)

    order = Order.objects.get(buyer_id=shopper.id)
    assert (order.subtotal, order.shipping_fee, order.discount, order.total) == (200_000, 28_000, 20_000, 208_000)
    assert order.courier == "jne-yes"
    assert placed.url == f"/gateway/sim/{Payment.objects.get().reference}/"


def test_recalculating_through_htmx_answers_with_the_page_it_swaps_from(client, shopper):
    shop_id = _cart_of_one_shop(client, shopper)

    response = client.post(
        reverse("storefront:checkout"),
        {**ADDRESS, f"shipping_{shop_id}": "jne-yes", "idempotency_key": "k-htmx"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert 'id="checkout-summary"' in response.content.decode()
    assert response.context["preview"].total == 228_000
    assert Order.objects.count() == 0


def test_an_empty_cart_has_nothing_to_check_out(client, shopper):
    page = client.get(reverse("storefront:checkout"))

    assert page.status_code == 200
    assert page.context["preview"].total == 0
    assert "Your cart is empty." in page.content.decode()
    assert 'name="place"' not in page.content.decode()
