"""Door parity: the same bad input to the catalogue, through the seller API, the admin's forms
and the import files, is refused by the same rule, in the same words, and writes nothing."""

import html
from datetime import UTC, datetime, timedelta

import pytest
import tablib
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from config.roles import SELLERS
from marketplace.models import OutboxEvent, Product, StockAdjustment, Variant, Voucher
from marketplace.resources import ProductResource, VariantResource
from tests.api.conftest import client_for
from tests.factories import ShopFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])

LONG_TITLE = "T" * 201
LONG_NAME = "N" * 101
RESERVED = 4


@pytest.fixture
def world(settings):
    seller = UserFactory(username="penjual", is_staff=True)
    seller.groups.add(Group.objects.get(name=SELLERS))
    shop = ShopFactory(owner_user_id=seller.pk, slug="toko-penjual")
    variant = VariantFactory(
        product__shop=shop, sku="ADA-1", name="M", price=50_000, stock_on_hand=10, stock_reserved=RESERVED
    )
    VariantFactory(sku="DIPAKAI")  # another seller's SKU
    return {"seller": seller, "shop": shop, "variant": variant}


def _written():
    """Every row a catalogue write could leave behind, and the values of the existing variants."""
    counts = tuple(model.objects.count() for model in (Product, Variant, StockAdjustment, Voucher, OutboxEvent))
    variants = list(Variant.objects.order_by("id").values_list("name", "sku", "price", "weight_grams", "stock_on_hand"))
    return counts, variants, list(Product.objects.order_by("id").values_list("title", "commission_bp"))


# --- The doors: each returns the messages it showed, having checked that it refused ----------


def _api(world, method, path, body):
    response = getattr(client_for(world["seller"]), method)(f"/api/v1/seller/{path}", body, format="json")
    assert response.status_code == 400, response.content
    return [message for messages in response.json()["errors"].values() for message in messages]


def _admin(client, world, url, data):
    client.force_login(world["seller"])
    response = client.post(url, data)
    assert response.status_code == 200, "the form is shown again, not saved"
    return html.unescape(response.content.decode())


def _imported(world, resource_class, headers, rows):
    result = resource_class(user=world["seller"]).import_data(
        tablib.Dataset(*rows, headers=headers),
        dry_run=False,
        rollback_on_validation_errors=True,
        user=world["seller"],
    )
    assert result.has_validation_errors()
    return [str(m) for invalid in result.invalid_rows for ms in invalid.error_dict.values() for m in ms]


# --- Products ---------------------------------------------------------------------------------

PRODUCT = {"title": "Kopi Gayo", "commission_bp": 500}
PRODUCT_RULES = {
    "title too long": ({"title": LONG_TITLE}, "Enter a title of at most 200 characters."),
    "commission above 80%": (
        {"commission_bp": 9000},
        "Commission is between 0 and 8000 basis points (at most 80 percent).",
    ),
}


def _product_api(client, world, bad):
    return _api(world, "post", "products/", {**PRODUCT, **bad, "shop_id": world["shop"].pk, "variants": []})


def _product_admin(client, world, bad):
    data = {**PRODUCT, **bad, "shop": world["shop"].pk, "status": "draft"}
    return _admin(client, world, reverse("admin:marketplace_product_add"), {**data, **_inline([])})


def _product_import(client, world, bad):
    values = {**PRODUCT, **bad}
    headers = ["id", "shop", "title", "description", "category", "status", "commission_bp", "image_url"]
    row = ["", "toko-penjual", values["title"], "", "", "draft", values["commission_bp"], ""]
    return _imported(world, ProductResource, headers, [row])


def _inline(rows):
    data = {"variants-TOTAL_FORMS": len(rows), "variants-INITIAL_FORMS": 0}
    for index, row in enumerate(rows):
        data |= {f"variants-{index}-{key}": value for key, value in row.items()}
    return data


@pytest.mark.parametrize("door", [_product_api, _product_admin, _product_import], ids=["api", "admin", "import"])
@pytest.mark.parametrize("rule", PRODUCT_RULES)
def test_a_bad_product_is_refused_alike_by_every_door(client, world, door, rule):
    bad, expected = PRODUCT_RULES[rule]
    before = _written()

    shown = door(client, world, bad)

    assert expected in (shown if isinstance(shown, str) else " ".join(shown))
    assert _written() == before


# --- Variants and their opening stock -----------------------------------------------------------

VARIANT = {"name": "L", "sku": "BARU-L", "price": 60_000, "weight_grams": 300, "max_per_order": 10}
VARIANT_RULES = {
    "price zero": ({"price": 0}, "Enter a whole number from 1 to 1000000000."),
    "price too high": ({"price": 1_000_000_001}, "Enter a whole number from 1 to 1000000000."),
    "weight too high": ({"weight_grams": 100_001}, "Enter a whole number from 1 to 100000."),
    "limit per order zero": ({"max_per_order": 0}, "Enter a whole number from 1 to 999."),
    "name too long": ({"name": LONG_NAME}, "Enter a name of at most 100 characters."),
    "SKU someone uses": ({"sku": "DIPAKAI"}, "Enter a SKU no other variant uses."),
    "negative opening stock": ({"stock_on_hand": -1}, "Enter a whole number from 0 to 1000000."),
}


def _variant_api(client, world, bad):
    """A new variant comes in with its product through the API."""
    body = {**PRODUCT, "shop_id": world["shop"].pk, "variants": [{**VARIANT, "stock_on_hand": 3, **bad}]}
    return _api(world, "post", "products/", body)


def _variant_admin_inline(client, world, bad):
    data = {**PRODUCT, "shop": world["shop"].pk, "status": "draft"}
    row = {**VARIANT, "stock_on_hand": 3, **bad}
    return _admin(client, world, reverse("admin:marketplace_product_add"), {**data, **_inline([row])})


def _variant_admin(client, world, bad):
    if "stock_on_hand" in bad:
        pytest.skip("a variant's own form has no opening stock: stock arrives as a stock change")
    data = {**VARIANT, **bad, "product": world["variant"].product_id, **_NO_AUDIT}
    return _admin(client, world, reverse("admin:marketplace_variant_add"), data)


_NO_AUDIT = {"adjustments-TOTAL_FORMS": 0, "adjustments-INITIAL_FORMS": 0}


def _variant_import(client, world, bad):
    values = {**VARIANT, "stock_on_hand": 3, **bad}
    headers = ["sku", "product_id", "name", "price", "weight_grams", "stock_on_hand", "max_per_order"]
    if values["sku"] == "DIPAKAI":
        pytest.skip("an import names variants by SKU: another seller's SKU is a new row that the rule refuses")
    row = [values["sku"], world["variant"].product_id] + [values[key] for key in headers[2:]]
    return _imported(world, VariantResource, headers, [row])


@pytest.mark.parametrize(
    "door",
    [_variant_api, _variant_admin_inline, _variant_admin, _variant_import],
    ids=["api", "admin-inline", "admin", "import"],
)
@pytest.mark.parametrize("rule", VARIANT_RULES)
def test_a_bad_variant_is_refused_alike_by_every_door(client, world, door, rule):
    bad, expected = VARIANT_RULES[rule]
    before = _written()

    shown = door(client, world, bad)

    assert expected in (shown if isinstance(shown, str) else " ".join(shown))
    assert _written() == before


def test_an_import_refuses_another_sellers_sku_with_the_rule(world):
    headers = ["sku", "product_id", "name", "price", "weight_grams", "stock_on_hand", "max_per_order"]
    row = ["DIPAKAI", world["variant"].product_id, "L", 60_000, 300, 0, 10]
    before = _written()

    shown = _imported(world, VariantResource, headers, [row])

    assert shown == ["Enter a SKU no other variant uses."]
    assert _written() == before


def test_opening_stock_through_the_api_is_in_the_audit(world):
    body = {**PRODUCT, "shop_id": world["shop"].pk, "variants": [{**VARIANT, "stock_on_hand": 7}]}

    created = client_for(world["seller"]).post("/api/v1/seller/products/", body, format="json")

    assert created.status_code == 201
    variant = Variant.objects.get(sku="BARU-L")
    audit = list(StockAdjustment.objects.filter(variant=variant).values_list("delta", "on_hand_after", "actor_user_id"))
    assert (variant.stock_on_hand, audit) == (7, [(7, 7, world["seller"].pk)])


# --- Stock changes --------------------------------------------------------------------------

STOCK_RULES = {
    "below what is reserved": ({"delta": -7}, f"Stock cannot go below the {RESERVED} units reserved for orders."),
    "more than a million": ({"delta": 1_000_001}, "Enter a non-zero whole number of units (at most a million)."),
    "no reason": ({"delta": 5, "reason": ""}, "Say why the stock changes."),
}


def _stock_api(client, world, bad):
    body = {"reason": "Hitung ulang", **bad}
    return _api(world, "post", f"variants/{world['variant'].pk}/stock/", body)


def _stock_admin(client, world, bad):
    variant = world["variant"]
    fields = {key: getattr(variant, key) for key in VARIANT}
    change = {"stock_change": bad["delta"], "stock_reason": bad.get("reason", "Hitung ulang")}
    return _admin(
        client, world, reverse("admin:marketplace_variant_change", args=[variant.pk]), {**fields, **change, **_NO_AUDIT}
    )


def _stock_import(client, world, bad):
    if "reason" in bad or abs(bad["delta"]) > 1_000_000:
        pytest.skip("a file states the count, not a change, and gives the reason itself")
    variant = world["variant"]
    headers = ["sku", "product_id", "name", "price", "weight_grams", "stock_on_hand", "max_per_order"]
    row = [variant.sku, variant.product_id, variant.name, variant.price, variant.weight_grams]
    row += [variant.stock_on_hand + bad["delta"], variant.max_per_order]
    return _imported(world, VariantResource, headers, [row])


@pytest.mark.parametrize("door", [_stock_api, _stock_admin, _stock_import], ids=["api", "admin", "import"])
@pytest.mark.parametrize("rule", STOCK_RULES)
def test_a_bad_stock_change_is_refused_alike_by_every_door(client, world, door, rule):
    bad, expected = STOCK_RULES[rule]
    before = _written()

    shown = door(client, world, bad)

    assert expected in (shown if isinstance(shown, str) else " ".join(shown))
    assert _written() == before


# --- Vouchers -----------------------------------------------------------------------------------

STARTS = timezone.now().replace(microsecond=0, second=0) + timedelta(days=1)
VOUCHER = {
    "code": "HEMAT10",
    "kind": "fixed",
    "value": 10_000,
    "starts_at": STARTS,
    "ends_at": STARTS + timedelta(days=7),
}
VOUCHER_RULES = {
    "percentage above 100": ({"kind": "percent", "value": 150}, "A percentage is between 1 and 100."),
    "amount zero": ({"value": 0}, "Enter an amount between Rp 1 and Rp 100.000.000."),
    "ends before it starts": ({"ends_at": STARTS - timedelta(days=1)}, "The voucher must end after it starts."),
    "starts before 2000": (
        {"starts_at": datetime(1999, 12, 31, 12, tzinfo=UTC)},
        "Choose a date from 1 January 2000 to 31 December 2100.",
    ),
    "ends after 2100": (
        {"ends_at": datetime(2101, 1, 1, 12, tzinfo=UTC)},
        "Choose a date from 1 January 2000 to 31 December 2100.",
    ),
    "code with spaces": ({"code": "HEMAT 10!"}, "Use 1 to 30 letters and digits."),
    "code too long": ({"code": "H" * 31}, "Use 1 to 30 letters and digits."),
    "no use per buyer": ({"per_buyer_limit": 0}, "Enter a whole number from 1 to 1000000."),
}


def _voucher_api(client, world, bad):
    values = {**VOUCHER, **bad}
    body = {**values, "starts_at": values["starts_at"].isoformat(), "ends_at": values["ends_at"].isoformat()}
    return _api(world, "post", "vouchers/", {**body, "shop_id": world["shop"].pk})


def _voucher_admin(client, world, bad):
    values = {"min_spend": 0, "per_buyer_limit": 1, "is_active": "on", **VOUCHER, **bad}
    local = {name: timezone.localtime(values.pop(name)) for name in ("starts_at", "ends_at")}
    for name, moment in local.items():
        values |= {f"{name}_0": moment.date().isoformat(), f"{name}_1": moment.time().isoformat()}
    return _admin(client, world, reverse("admin:marketplace_voucher_add"), {**values, "shop": world["shop"].pk})


@pytest.mark.parametrize("door", [_voucher_api, _voucher_admin], ids=["api", "admin"])
@pytest.mark.parametrize("rule", VOUCHER_RULES)
def test_a_bad_voucher_is_refused_alike_by_every_door(client, world, door, rule):
    bad, expected = VOUCHER_RULES[rule]
    before = _written()

    shown = door(client, world, bad)

    assert expected in (shown if isinstance(shown, str) else " ".join(shown))
    assert _written() == before


@pytest.mark.parametrize("door", [_voucher_api, _voucher_admin], ids=["api", "admin"])
def test_a_good_voucher_passes_every_door(client, world, door):
    """The matrix's inputs differ from a good one only by the rule they break."""
    if door is _voucher_api:
        values = {**VOUCHER, "starts_at": STARTS.isoformat(), "ends_at": VOUCHER["ends_at"].isoformat()}
        response = client_for(world["seller"]).post(
            "/api/v1/seller/vouchers/", {**values, "shop_id": world["shop"].pk}, format="json"
        )
        assert response.status_code == 201
    else:
        with pytest.raises(AssertionError, match="the form is shown again"):
            _voucher_admin(client, world, {})
    assert Voucher.objects.filter(code="HEMAT10").count() == 1
