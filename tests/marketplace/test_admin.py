"""The seller centre's pages: products with variants, read-only orders by stage, own shop settings."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from marketplace.models import Order, OrderStatus, OutboxEvent, Product, Shop, Variant
from tests.admin_world import FAST_HASHERS, build_world
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    return build_world()


def _variant_rows(rows, initial=0):
    data = {"variants-TOTAL_FORMS": len(rows), "variants-INITIAL_FORMS": initial}
    for i, row in enumerate(rows):
        data.update({f"variants-{i}-{key}": value for key, value in row.items()})
    return data


def test_a_seller_creates_a_product_with_two_variants(client, world):
    seller = world["seller_a"]
    shop = Shop.objects.get(owner_user_id=seller.pk)
    client.force_login(seller)

    response = client.post(
        reverse("admin:marketplace_product_add"),
        {
            "shop": shop.pk,
            "title": "Tas Anyaman Pandan",
            "status": "active",
            "commission_bp": 500,
            **_variant_rows(
                [
                    {"name": "Kecil", "sku": "TAS-S", "price": 85_000, "weight_grams": 300, "stock_on_hand": 4},
                    {"name": "Besar", "sku": "TAS-L", "price": 120_000, "weight_grams": 500, "stock_on_hand": 2},
                ]
            ),
            **{f"variants-{i}-max_per_order": 10 for i in range(2)},
        },
    )

    assert response.status_code == 302
    product = Product.objects.get(title="Tas Anyaman Pandan")
    assert product.shop == shop
    assert list(product.variants.order_by("sku").values_list("sku", "price", "stock_on_hand")) == [
        ("TAS-L", 120_000, 2),
        ("TAS-S", 85_000, 4),
    ]
    # The card reaches the storefront through the outbox; the admin log stays in `default`.
    published = OutboxEvent.objects.get(type="marketplace.product.published")
    assert (published.payload["product"]["product_id"], published.payload["product"]["price_min"]) == (
        product.pk,
        85_000,
    )
    assert LogEntry.objects.using("default").filter(object_id=str(product.pk)).count() == 1


def test_a_seller_cannot_put_a_product_in_another_sellers_shop(client, world):
    client.force_login(world["seller_a"])
    theirs = Shop.objects.get(owner_user_id=world["seller_b"].pk)

    response = client.post(
        reverse("admin:marketplace_product_add"),
        {"shop": theirs.pk, "title": "Titipan", "status": "draft", "commission_bp": 0, **_variant_rows([])},
    )

    assert response.status_code == 200
    assert [e.code for e in response.context["adminform"].form.errors.as_data()["shop"]] == ["invalid_choice"]
    assert not Product.objects.filter(title="Titipan").exists()


def test_stock_on_hand_cannot_go_below_what_open_orders_reserved(client, world):
    seller = world["seller_a"]
    variant = Variant.objects.get(product__shop__owner_user_id=seller.pk)
    Variant.objects.filter(pk=variant.pk).update(stock_on_hand=10, stock_reserved=4)
    client.force_login(seller)

    response = client.post(
        reverse("admin:marketplace_variant_change", args=[variant.pk]),
        {
            "name": "M",
            "sku": variant.sku,
            "price": 125_000,
            "weight_grams": 500,
            "stock_on_hand": 3,
            "max_per_order": 5,
        },
    )

    assert response.status_code == 200
    assert "Stock on hand cannot go below the 4 units reserved for open orders." in response.content.decode()
    assert Variant.objects.get(pk=variant.pk).stock_on_hand == 10


def test_orders_filter_by_the_stages_of_a_sellers_day(client, world):
    # Given seller A's paid order (from the world) and one of each other stage
    seller = world["seller_a"]
    shop = Shop.objects.get(owner_user_id=seller.pk)
    for status in (OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED):
        OrderFactory(shop=shop, status=status)
    client.force_login(seller)
    url = reverse("admin:marketplace_order_changelist")

    def listed(stage):
        response = client.get(url, {"stage": stage})
        return sorted(order.status for order in response.context["cl"].result_list)

    assert listed("to_ship") == ["packed", "paid"]
    assert listed("shipped") == ["shipped"]
    assert listed("pending_payment") == ["pending_payment"]
    assert listed("cancelled") == ["expired"]
    assert listed("completed") == []


def test_orders_are_read_only_in_the_admin(client, world):
    seller = world["seller_a"]
    order = Order.objects.get(shop__owner_user_id=seller.pk)
    client.force_login(seller)

    response = client.post(reverse("admin:marketplace_order_change", args=[order.pk]), {"status": "completed"})

    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_a_seller_edits_their_shop_but_not_its_owner(client, world):
    seller = world["seller_a"]
    shop = Shop.objects.get(owner_user_id=seller.pk)
    client.force_login(seller)

    response = client.post(
        reverse("admin:marketplace_shop_change", args=[shop.pk]),
        {
            "name": "Toko Baru",
            "slug": shop.slug,
            "city": "Solo",
            "province": "Jawa Tengah",
            "owner_user_id": world["seller_b"].pk,
            "is_local_business": "on",
        },
    )

    assert response.status_code == 302
    shop.refresh_from_db()
    assert (shop.name, shop.city, shop.owner_user_id, shop.is_local_business) == ("Toko Baru", "Solo", seller.pk, True)


def test_a_variant_that_was_ordered_cannot_be_deleted_from_its_product(client, world):
    # Given seller A's variant, which the world's order has a line of
    seller = world["seller_a"]
    variant = Variant.objects.get(product__shop__owner_user_id=seller.pk)
    product = variant.product
    client.force_login(seller)

    response = client.post(
        reverse("admin:marketplace_product_change", args=[product.pk]),
        {
            "shop": product.shop_id,
            "title": product.title,
            "status": product.status,
            "commission_bp": product.commission_bp,
            **_variant_rows(
                [
                    {
                        "id": variant.pk,
                        "product": product.pk,
                        "name": variant.name,
                        "sku": variant.sku,
                        "price": variant.price,
                        "weight_grams": variant.weight_grams,
                        "stock_on_hand": variant.stock_on_hand,
                        "max_per_order": variant.max_per_order,
                        "DELETE": "on",
                    }
                ],
                initial=1,
            ),
        },
    )

    # Then the form comes back with an error instead of a server error, and the variant stays
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert [error.code for error in formset.non_form_errors().as_data()] == ["deleting_protected"]
    assert Variant.objects.filter(pk=variant.pk).exists()


def test_platform_staff_see_every_sellers_products(client, world):
    admin_user = world["seller_a"].__class__.objects.create_superuser("staf", password="x")
    client.force_login(admin_user)

    response = client.get(reverse("admin:marketplace_product_changelist"))

    titles = sorted(p.title for p in response.context["cl"].result_list)
    assert titles == ["Produk Rahasia penjual-b", "Produk penjual-a"]


def _act(client, action, order_ids, **fields):
    return client.post(
        reverse("admin:marketplace_order_changelist"),
        {"action": action, "_selected_action": order_ids, "index": 0, **fields},
        follow=True,
    )


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_a_seller_packs_and_ships_an_order(client, world):
    # Given seller A's paid order
    seller = world["seller_a"]
    order = Order.objects.get(shop__owner_user_id=seller.pk)
    client.force_login(seller)

    # When A marks it packed, then ships it with a courier and tracking number
    _act(client, "mark_packed", [order.pk])
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PACKED
    shipped = _act(client, "ship", [order.pk], courier="jne-reg", tracking_number="JNE0012345")

    # Then it is shipped, and the buyer's side hears of it through the outbox
    order.refresh_from_db()
    assert (order.status, order.courier, order.tracking_number) == (OrderStatus.SHIPPED, "jne-reg", "JNE0012345")
    assert OutboxEvent.objects.filter(type="marketplace.order.shipped").count() == 1
    assert _messages(shipped) == ["1 order updated."]


def test_shipping_needs_a_tracking_number_and_one_order_at_a_time(client, world):
    seller = world["seller_a"]
    order = Order.objects.get(shop__owner_user_id=seller.pk)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PACKED)
    second = OrderFactory(shop=order.shop, status=OrderStatus.PACKED)
    client.force_login(seller)

    no_tracking = _act(client, "ship", [order.pk], courier="jne-reg", tracking_number="")
    two = _act(client, "ship", [order.pk, second.pk], courier="jne-reg", tracking_number="JNE1")

    assert _messages(no_tracking) == [f"{order.number}: Enter the tracking number (at most 60 characters)."]
    assert _messages(two) == ["Ship one order at a time: each parcel has its own tracking number."]
    assert set(Order.objects.filter(shop=order.shop).values_list("status", flat=True)) == {OrderStatus.PACKED}


def test_cancelling_a_paid_order_needs_a_reason_and_refunds_it(client, world):
    seller = world["seller_a"]
    order = Order.objects.get(shop__owner_user_id=seller.pk)
    Order.objects.filter(pk=order.pk).update(stock_committed=True)  # paid: its units left the shelf
    variant = Variant.objects.get(product__shop__owner_user_id=seller.pk)
    client.force_login(seller)

    refused = _act(client, "cancel", [order.pk], reason="")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert _messages(refused) == [f"{order.number}: Say why the order is cancelled."]

    _act(client, "cancel", [order.pk], reason="Stok habis di gudang")

    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (OrderStatus.REFUNDED, "Stok habis di gudang")
    assert Variant.objects.get(pk=variant.pk).stock_on_hand == variant.stock_on_hand + 1
    assert OutboxEvent.objects.get(type="marketplace.order.cancelled").payload["refunded"] is True
