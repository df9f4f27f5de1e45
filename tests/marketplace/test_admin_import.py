"""Bulk import of products and variants in the seller centre: preview, then all rows or none."""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.models import OutboxEvent, Product, ProductStatus, StockAdjustment, Variant
from marketplace.resources import ProductResource
from tests.admin_world import build_world

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])  # the world has creators too
CSV, XLSX = 0, 1  # positions of the formats in the import form


@pytest.fixture
def world(settings):
    settings.LANGUAGE_CODE = "en"  # messages are asserted by their English msgids
    return build_world()


def _preview(client, kind, content, *, name="file.csv", file_format=CSV):
    return client.post(
        reverse(f"admin:marketplace_{kind}_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": file_format, "resource": 0},
    )


def _confirm(client, kind, preview):
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', preview.content.decode()))
    fields = ("import_file_name", "original_file_name", "format", "resource")
    return client.post(reverse(f"admin:marketplace_{kind}_process_import"), {k: hidden.get(k, "") for k in fields})


def _csv(*lines):
    return ("\n".join(lines) + "\n").encode()


PRODUCT_HEADER = "id,shop,title,description,category,status,commission_bp,image_url"


def _own_titles(user):
    return sorted(Product.objects.filter(shop__owner_user_id=user.pk).values_list("title", flat=True))


def test_a_good_file_creates_exactly_its_rows_after_a_preview(client, world):
    # Given seller A's draft product, and a file of two new products for A's shop that also publishes it
    seller = world["seller_a"]
    client.force_login(seller)
    own = Product.objects.get(shop__owner_user_id=seller.pk)
    Product.objects.filter(pk=own.pk).update(status=ProductStatus.DRAFT)
    category = own.category.slug
    content = _csv(
        PRODUCT_HEADER,
        f",toko-penjual-a,Kopi Gayo 250 g,Biji kopi,{category},draft,500,",
        f",toko-penjual-a,Teh Melati,Teh tubruk,{category},draft,0,",
        f"{own.pk},toko-penjual-a,{own.title},,{category},active,0,",
    )

    # When A uploads it, the preview lists the rows and writes nothing
    preview = _preview(client, "product", content)
    assert preview.status_code == 200
    assert 'name="import_file_name"' in preview.content.decode()  # the confirm form
    assert _own_titles(seller) == ["Produk penjual-a"]

    # ...and confirming writes exactly those rows, publishing the card of the product made active
    events_before = OutboxEvent.objects.filter(type="marketplace.product.published").count()
    done = _confirm(client, "product", preview)
    assert done.status_code == 302
    assert _own_titles(seller) == ["Kopi Gayo 250 g", "Produk penjual-a", "Teh Melati"]
    kopi = Product.objects.get(title="Kopi Gayo 250 g")
    assert (kopi.status, kopi.commission_bp, kopi.shop.slug) == (ProductStatus.DRAFT, 500, "toko-penjual-a")
    assert Product.objects.get(pk=own.pk).status == ProductStatus.ACTIVE
    published = OutboxEvent.objects.filter(type="marketplace.product.published").order_by("id")
    assert [e.payload["product"]["product_id"] for e in published[events_before:]] == [own.pk]


def test_a_new_product_cannot_be_published_by_a_file_before_it_has_variants(client, world):
    seller = world["seller_a"]
    client.force_login(seller)

    preview = _preview(client, "product", _csv(PRODUCT_HEADER, ",toko-penjual-a,Kopi Gayo,,,active,500,"))

    page = preview.content.decode()
    assert 'name="import_file_name"' not in page
    assert "Add at least one variant before publishing." in page
    assert _own_titles(seller) == ["Produk penjual-a"]


def test_a_file_with_one_bad_row_writes_nothing_and_names_the_row(client, world):
    seller = world["seller_a"]
    client.force_login(seller)
    content = _csv(
        PRODUCT_HEADER,
        ",toko-penjual-a,Kopi Gayo,,,active,500,",
        ",toko-penjual-a,Teh Melati,,,active,9000,",
        ",toko-penjual-a,Sambal Bawang,,tidak-ada,active,0,",
    )

    preview = _preview(client, "product", content)

    page = preview.content.decode()
    assert preview.status_code == 200
    assert 'name="import_file_name"' not in page  # nothing to confirm
    assert "Commission is between 0 and 8000 basis points (at most 80 percent)." in page
    assert "No category has the code “tidak-ada”." in page
    assert _own_titles(seller) == ["Produk penjual-a"]


def test_a_confirmed_import_with_a_bad_row_rolls_back_every_row(world):
    # The confirm step cannot be tricked into writing the good rows of a bad file.
    import tablib

    seller = world["seller_a"]
    dataset = tablib.Dataset(headers=PRODUCT_HEADER.split(","))
    dataset.append(["", "toko-penjual-a", "Kopi Gayo", "", "", "draft", 500, ""])
    dataset.append(["", "toko-penjual-a", "Teh Melati", "", "", "draft", 9000, ""])

    result = ProductResource(user=seller).import_data(
        dataset, dry_run=False, user=seller, rollback_on_validation_errors=True
    )

    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [2]
    assert _own_titles(seller) == ["Produk penjual-a"]


def test_a_file_naming_another_sellers_shop_is_refused(client, world):
    seller = world["seller_a"]
    client.force_login(seller)
    content = _csv(PRODUCT_HEADER, ",toko-penjual-b,Kopi Gayo,,,active,500,")

    preview = _preview(client, "product", content)

    page = preview.content.decode()
    assert "You have no shop with the code “toko-penjual-b”." in page
    assert 'name="import_file_name"' not in page
    assert Product.objects.filter(title="Kopi Gayo").count() == 0


def test_a_file_naming_another_sellers_product_id_is_refused(client, world):
    seller = world["seller_a"]
    theirs = Product.objects.get(shop__owner_user_id=world["seller_b"].pk)
    client.force_login(seller)
    content = _csv(PRODUCT_HEADER, f"{theirs.pk},toko-penjual-a,Dibajak,,,active,500,")

    preview = _preview(client, "product", content)

    assert f"Product {theirs.pk} is not one of your products." in preview.content.decode()
    assert Product.objects.get(pk=theirs.pk).title == "Produk Rahasia penjual-b"


def test_variants_import_from_xlsx_by_sku_and_refuse_stock_below_reserved(client, world):
    # Given seller A's variant with 3 units reserved, and an XLSX updating it and adding a size
    seller = world["seller_a"]
    variant = Variant.objects.get(product__shop__owner_user_id=seller.pk)
    Variant.objects.filter(pk=variant.pk).update(stock_reserved=3)
    client.force_login(seller)

    def workbook(rows):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["sku", "product_id", "name", "price", "weight_grams", "stock_on_hand", "max_per_order"])
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    # When the stock would fall below what is reserved, the file is refused
    bad = workbook([[variant.sku, variant.product_id, "M", 99_000, 500, 2, 10]])
    refused = _preview(client, "variant", bad, name="v.xlsx", file_format=XLSX)
    assert "Stock cannot go below the 3 units reserved for orders." in refused.content.decode()

    # ...and a good file updates by SKU and adds the new size
    good = workbook(
        [
            [variant.sku, variant.product_id, "M", 99_000, 500, 20, 10],
            ["SKU-NEW-L", variant.product_id, "L", 101_000, 600, 5, 10],
        ]
    )
    _confirm(client, "variant", _preview(client, "variant", good, name="v.xlsx", file_format=XLSX))
    rows = (
        Variant.objects.filter(product=variant.product_id).order_by("sku").values_list("sku", "price", "stock_on_hand")
    )
    assert list(rows) == [("SKU-NEW-L", 101_000, 5), (variant.sku, 99_000, 20)]
    # Every unit the file moved is in the audit, with who and why.
    audit = StockAdjustment.objects.filter(variant__product=variant.product_id).exclude(reason="Datang")
    assert sorted(audit.values_list("variant__sku", "delta", "on_hand_after", "reason")) == [
        ("SKU-NEW-L", 5, 5, "Opening stock from an imported file"),
        (variant.sku, 10, 20, "Stock count from an imported file"),
    ]


def test_export_holds_only_the_sellers_own_products(client, world):
    client.force_login(world["seller_a"])

    response = client.post(
        reverse("admin:marketplace_product_export"),
        {"format": CSV, "resource": 0, "productresource_id": "on", "productresource_title": "on"},
    )

    assert response.status_code == 200
    assert response.content.decode().splitlines() == ["id,title", f"{_own_id(world)},Produk penjual-a"]


def _own_id(world):
    return Product.objects.get(shop__owner_user_id=world["seller_a"].pk).pk
