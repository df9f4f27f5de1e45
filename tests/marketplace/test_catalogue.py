import pytest

from integration import contracts
from marketplace import services
from marketplace.models import OutboxEvent, Product, StockAdjustment, Variant, Voucher
from storefront.models import ProductCard
from tests.factories import CategoryFactory, ProductCardFactory, ShopFactory, VariantFactory
from tests.marketplace.conftest import place

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
OWNER = 901


def _new_product(shop, **extra):
    return services.product_create(
        shop_id=shop.id,
        owner_user_id=OWNER,
        title="Kopi Gayo",
        category_id=CategoryFactory().id,
        commission_bp=500,
        variants=[{"name": "250 g", "sku": "KOPI-250", "price": 85_000, "weight_grams": 300, "stock_on_hand": 2}],
        **extra,
    )


def test_a_product_is_created_as_a_draft_and_publishing_it_emits_its_card():
    shop = ShopFactory(owner_user_id=OWNER)

    product = _new_product(shop)
    assert (product.status, OutboxEvent.objects.count()) == ("draft", 0)
    services.product_set_status(product_id=product.id, status="active", owner_user_id=OWNER)
    services.variant_update(variant_id=product.variants.get().id, owner_user_id=OWNER, price=90_000)
    services.product_set_status(product_id=product.id, status="archived", owner_user_id=OWNER)

    events = list(OutboxEvent.objects.values_list("type", "payload"))
    assert [t for t, _ in events] == [
        "marketplace.product.published",
        "marketplace.product.updated",
        "marketplace.product.unpublished",
    ]
    assert (events[0][1]["product"]["price_min"], events[1][1]["product"]["price_min"]) == (85_000, 90_000)


def test_bad_product_input_names_each_field_and_writes_nothing():
    shop = ShopFactory(owner_user_id=OWNER)
    VariantFactory(sku="DIPAKAI")

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.product_create(
            shop_id=shop.id,
            title=" ",
            commission_bp=9000,
            category_id=999_999,
            variants=[{"name": "A", "sku": "DIPAKAI", "price": -1, "stock_on_hand": -5}],
        )

    assert sorted(refused.value.fields) == [
        "category_id",
        "commission_bp",
        "title",
        "variants.0.price",
        "variants.0.sku",
        "variants.0.stock_on_hand",
    ]
    assert Product.objects.count() == 1
    with pytest.raises(contracts.NotFound):
        _new_product(ShopFactory(owner_user_id=OWNER + 1))


def test_stock_adjustments_are_audited_and_never_go_below_reserved():
    variant = VariantFactory(stock_on_hand=3)
    place(7, (variant, 2))

    adjustment = services.stock_adjust(variant_id=variant.id, actor_user_id=OWNER, delta=-1, reason="rusak")
    with pytest.raises(contracts.InvalidRequest, match="below the 2 units reserved"):
        services.stock_adjust(variant_id=variant.id, actor_user_id=OWNER, delta=-1, reason="hilang")
    for delta, reason in ((0, "x"), (True, "x"), (5, " "), (10**7, "x")):
        with pytest.raises(contracts.InvalidRequest):
            services.stock_adjust(variant_id=variant.id, actor_user_id=OWNER, delta=delta, reason=reason)

    assert (adjustment.delta, adjustment.on_hand_after, adjustment.reason, adjustment.actor_user_id) == (
        -1,
        2,
        "rusak",
        OWNER,
    )
    assert StockAdjustment.objects.count() == 1
    assert Variant.objects.get(id=variant.id).stock_available == 0
    # it was already out of stock after the reservation; the adjustment crossed nothing
    assert OutboxEvent.objects.filter(type="marketplace.stock.changed").count() == 1


def test_restocking_an_empty_variant_announces_it_is_back():
    variant = VariantFactory(stock_on_hand=0)

    services.stock_adjust(variant_id=variant.id, actor_user_id=OWNER, delta=4, reason="kiriman baru")

    event = OutboxEvent.objects.get(type="marketplace.stock.changed")
    assert event.payload == {"product_id": variant.product_id, "in_stock": True, "revision": 1}


def test_vouchers_are_validated_on_create_and_update():
    shop = ShopFactory(owner_user_id=OWNER)
    window = {"starts_at": shop.created_at, "ends_at": shop.created_at.replace(year=shop.created_at.year + 1)}

    voucher = services.voucher_create(
        shop_id=shop.id, owner_user_id=OWNER, code="hemat10", kind="percent", value=10, max_discount=20_000, **window
    )
    with pytest.raises(contracts.InvalidRequest) as refused:
        services.voucher_create(shop_id=shop.id, code="HEMAT10", kind="percent", value=150, **window)
    assert sorted(refused.value.fields) == ["value"]
    with pytest.raises(contracts.InvalidRequest) as duplicate:
        services.voucher_create(shop_id=shop.id, code="HEMAT10", kind="fixed", value=5_000, **window)
    assert duplicate.value.fields == {"code": ["This shop already has a voucher with this code."]}
    with pytest.raises(contracts.InvalidRequest) as reversed_window:
        services.voucher_update(voucher_id=voucher.id, ends_at=window["starts_at"])
    assert list(reversed_window.value.fields) == ["ends_at"]
    services.voucher_update(voucher_id=voucher.id, owner_user_id=OWNER, usage_limit=5)

    assert list(Voucher.objects.values_list("code", "value", "usage_limit")) == [("HEMAT10", 10, 5)]


@pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
def test_a_stock_crossing_publishes_only_stock_changed_and_the_card_follows(relay):
    # Given an empty variant whose card shows it out of stock
    variant = VariantFactory(stock_on_hand=0)
    ProductCardFactory(product_id=variant.product_id, in_stock=False)

    # When it is restocked
    services.stock_adjust(variant_id=variant.id, actor_user_id=OWNER, delta=4, reason="kiriman baru")

    # Then one event says so, and the storefront's card is back in stock
    assert list(OutboxEvent.objects.values_list("type", flat=True)) == ["marketplace.stock.changed"]
    relay()
    assert ProductCard.objects.get(product_id=variant.product_id).in_stock is True


def test_saving_a_copy_read_earlier_keeps_the_newer_card_revision():
    # Given a copy of a product read before a stock crossing bumped its card revision
    variant = VariantFactory(stock_on_hand=0)
    stale = Product.objects.get(id=variant.product_id)
    services.stock_adjust(variant_id=variant.id, actor_user_id=OWNER, delta=1, reason="kiriman baru")

    # When the copy is saved
    stale.title = "Kopi Gayo Baru"
    stale.save()

    # Then the title changes and the revision does not go back
    product = Product.objects.get(id=variant.product_id)
    assert (product.title, product.card_revision) == ("Kopi Gayo Baru", 1)


def test_a_product_has_at_most_fifty_variants():
    shop = ShopFactory(owner_user_id=OWNER)
    rows = [{"name": f"V{i}", "sku": f"BANYAK-{i}", "price": 1_000, "weight_grams": 100} for i in range(51)]

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.product_create(shop_id=shop.id, owner_user_id=OWNER, title="Banyak", variants=rows)

    assert refused.value.fields["variants"] == ["A product has at most 50 variants."]
    assert (Product.objects.count(), Variant.objects.count()) == (0, 0)
