"""The seller centre's pages: products with variants, read-only orders by stage, own shop settings."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from marketplace.models import Order, OrderStatus, OutboxEvent, Product, Shop, StockAdjustment, Variant
from tests.admin_world import build_world
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


@pytest.fixture
def world(settings):
    settings.LANGUAGE_CODE = "en"  # messages are asserted by their English msgids
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
    # Opening stock is in the audit like every later change.
    assert sorted(StockAdjustment.objects.filter(variant__product=product).values_list("delta", "reason")) == [
        (2, "Opening stock"),
        (4, "Opening stock"),
    ]


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


def test_a_stock_change_below_what_open_orders_reserved_is_refused_and_writes_nothing(client, world):
    # Given seller A's variant with 10 on hand, 4 of them reserved
    seller = world["seller_a"]
    variant = Variant.objects.get(product__shop__owner_user_id=seller.pk)
    Variant.objects.filter(pk=variant.pk).update(stock_on_hand=10, stock_reserved=4)
    audit_before = StockAdjustment.objects.count()
    client.force_login(seller)

    # When A takes 7 units off (the service refuses it after the form accepted it)
    response = client.post(
        reverse("admin:marketplace_variant_change", args=[variant.pk]),
        {**_variant_form(variant, name="XL"), "stock_change": -7, "stock_reason": "Rusak"},
    )

    # Then the form comes back with the service's message, and neither the rename nor the stock stayed
    assert response.status_code == 200
    assert "Stock cannot go below the 4 units reserved for orders." in response.content.decode()
    variant.refresh_from_db()
    assert (variant.name, variant.stock_on_hand, StockAdjustment.objects.count()) == ("M", 10, audit_before)


def _variant_form(variant, **changes):
    fields = {"name": variant.name, "sku": variant.sku, "price": variant.price, "weight_grams": variant.weight_grams}
    audit = {"adjustments-TOTAL_FORMS": 0, "adjustments-INITIAL_FORMS": 0}  # the read-only audit inline
    return {**fields, "max_per_order": variant.max_per_order, **audit, **changes}


def test_a_stock_change_asks_for_a_reason_and_is_recorded_with_who_and_why(client, world):
    # Given seller A's variant with 10 on hand
    seller = world["seller_a"]
    variant = Variant.objects.get(product__shop__owner_user_id=seller.pk)
    Variant.objects.filter(pk=variant.pk).update(stock_on_hand=10, stock_reserved=0)
    client.force_login(seller)
    url = reverse("admin:marketplace_variant_change", args=[variant.pk])

    # When A adds 5 units without saying why, then with a reason
    unexplained = client.post(url, {**_variant_form(variant), "stock_change": 5})
    explained = client.post(url, {**_variant_form(variant), "stock_change": 5, "stock_reason": "Barang datang"})

    # Then the first is a form error, the second changes stock and records who, by how much and why
    assert unexplained.status_code == 200
    assert unexplained.context["adminform"].form.errors["stock_reason"] == ["Say why the stock changes."]
    assert explained.status_code == 302
    latest = StockAdjustment.objects.filter(variant=variant).order_by("-id").first()
    assert (latest.actor_user_id, latest.delta, latest.on_hand_after, latest.reason) == (
        seller.pk,
        5,
        15,
        "Barang datang",
    )
    assert Variant.objects.get(pk=variant.pk).stock_on_hand == 15


def test_stock_on_hand_is_not_a_field_a_seller_can_type_into(client, world):
    # Given seller A's variant with 10 on hand
    seller = world["seller_a"]
    variant = Variant.objects.get(product__shop__owner_user_id=seller.pk)
    Variant.objects.filter(pk=variant.pk).update(stock_on_hand=10, stock_reserved=0)
    client.force_login(seller)

    # When A posts a new stock level straight into the variant and its product's inline
    client.post(
        reverse("admin:marketplace_variant_change", args=[variant.pk]), {**_variant_form(variant), "stock_on_hand": 99}
    )

    # Then the stock did not move: only an adjustment with a reason moves it
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


def test_a_variant_is_never_deleted_from_its_product(client, world):
    # Given seller A's variant, which the world's order has a line of
    seller = world["seller_a"]
    variant = Variant.objects.get(product__shop__owner_user_id=seller.pk)
    product = variant.product
    client.force_login(seller)

    # When A ticks "delete" on it in the product's form
    response = client.post(
        reverse("admin:marketplace_product_change", args=[product.pk]),
        {
            "title": product.title,
            "status": product.status,
            "commission_bp": product.commission_bp,
            **_variant_rows([{"id": variant.pk, "product": product.pk, **_variant_form(variant), "DELETE": "on"}], 1),
        },
    )

    # Then the product saves and the variant stays: a product is archived, not emptied
    assert response.status_code == 302
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


def test_a_product_published_without_variants_is_the_form_again_and_nothing_is_written(client, world):
    # Given seller A, who asks for a new product to go on sale at once but gives it no variant
    seller = world["seller_a"]
    shop = Shop.objects.get(owner_user_id=seller.pk)
    client.force_login(seller)
    events_before = OutboxEvent.objects.count()

    # When the form is sent (the catalogue service refuses it after the form accepted it)
    response = client.post(
        reverse("admin:marketplace_product_add"),
        {"shop": shop.pk, "title": "Kosong", "status": "active", "commission_bp": 0, **_variant_rows([])},
    )

    # Then the same form comes back with the service's words, and neither product nor event stayed
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"] == ["Add at least one variant before publishing."]
    assert not Product.objects.filter(title="Kosong").exists()
    assert OutboxEvent.objects.count() == events_before


@pytest.mark.parametrize("year", ["99999999999", "abc"])
def test_an_impossible_year_in_the_order_list_is_a_bad_filter_not_an_error(client, world, year):
    client.force_login(world["seller_a"])

    response = client.get(reverse("admin:marketplace_order_changelist"), {"placed_at__year": year})

    assert response.status_code == 302
    assert response.url.endswith("?e=1")
