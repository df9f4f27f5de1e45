"""The seller and creator centres in a real browser: a seller's catalogue, import and shipping;
a creator's post with an uploaded image and a tagged product."""

import base64

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from config.roles import CREATORS, SELLERS, roles_sync
from marketplace.models import Order, OrderStatus, Product, ProductStatus, StockAdjustment, Variant
from storefront.models import Post
from tests.factories import (
    CreatorFactory,
    OrderLineFactory,
    ProductCardFactory,
    ShopFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, databases="__all__")]

PASSWORD = "jalin-test-pw"
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _member(username: str, role: str):
    # A transactional test's flush empties the groups the migrations made: make them again.
    roles_sync(apps, using="default")
    user = UserFactory(username=username, is_staff=True)  # password: PASSWORD
    user.groups.add(Group.objects.get(name=role))
    return user


def _sign_in(page, username: str) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_selector("#content-main")


def _fill_variant(page, row: int, name: str, sku: str, price: int, stock: int) -> None:
    for field, value in (("name", name), ("sku", sku), ("price", price), ("stock_on_hand", stock)):
        page.fill(f"#id_variants-{row}-{field}", str(value))


def test_a_seller_adds_a_product_imports_a_file_and_ships_an_order(page_at, settings, tmp_path):
    # Given a seller with a shop and a paid order waiting to ship
    settings.MEDIA_ROOT = tmp_path
    seller = _member("penjual", SELLERS)
    shop = ShopFactory(owner_user_id=seller.pk, name="Batik Sekar", slug="batik-sekar")
    line = OrderLineFactory(order__shop=shop, order__status=OrderStatus.PAID, variant__product__shop=shop)
    page, shot = page_at("desktop")
    _sign_in(page, "penjual")
    shot("dashboard")

    # When they add a product with two variants, published, with an image
    page.goto("/admin/marketplace/product/add/")
    page.select_option("#id_shop", str(shop.pk))
    page.fill("#id_title", "Tas Anyaman Pandan")
    page.select_option("#id_status", "active")
    page.set_input_files("#id_image", files=[{"name": "tas.gif", "mimeType": "image/gif", "buffer": PIXEL}])
    _fill_variant(page, 0, "Kecil", "TAS-S", 85_000, 4)
    page.locator(".add-row a").click()
    _fill_variant(page, 1, "Besar", "TAS-L", 120_000, 2)
    shot("product-form")
    page.locator("input[name=_save]").click()
    page.wait_for_selector(".messagelist .success")
    product = Product.objects.get(title="Tas Anyaman Pandan")
    assert product.status == ProductStatus.ACTIVE and product.image.name.startswith("products/")
    assert sorted(product.variants.values_list("sku", "stock_on_hand")) == [("TAS-L", 2), ("TAS-S", 4)]

    # ...import a CSV of variants that counts the small bag again and adds a medium one
    page.goto("/admin/marketplace/variant/import/")
    csv = (
        "sku,product_id,name,price,weight_grams,stock_on_hand,max_per_order\n"
        f"TAS-S,{product.pk},Kecil,85000,300,10,5\n"
        f"TAS-M,{product.pk},Sedang,99000,400,3,5\n"
    )
    page.set_input_files("#id_import_file", files=[{"name": "v.csv", "mimeType": "text/csv", "buffer": csv.encode()}])
    page.select_option("#id_format", label="csv")
    page.locator("form[enctype] input[type=submit]").click()
    shot("import-preview")
    page.locator("input[name=confirm]").click()
    page.wait_for_selector(".messagelist .success")
    assert Variant.objects.get(sku="TAS-S").stock_on_hand == 10
    assert StockAdjustment.objects.get(variant__sku="TAS-S", delta=6).actor_user_id == seller.pk

    # ...pack the paid order, then ship it with a courier and a tracking number, from the action bar
    page.goto("/admin/marketplace/order/?stage=to_ship")
    page.locator("input.action-select").first.check()
    page.select_option("select[name=action]", "mark_packed")
    page.locator("button[name=index]").click()
    page.wait_for_selector(".messagelist .success")
    page.locator("input.action-select").first.check()
    page.select_option("select[name=action]", "ship")
    page.select_option("select[name=courier]", index=1)
    page.fill("input[name=tracking_number]", "JNE0012345678")
    shot("ship")
    page.locator("button[name=index]").click()
    page.wait_for_selector(".messagelist .success")
    shot("shipped")

    # Then the order is on its way with that tracking number
    order = Order.objects.get(pk=line.order_id)
    assert (order.status, order.tracking_number) == (OrderStatus.SHIPPED, "JNE0012345678")


def test_a_creator_uploads_a_post_and_tags_a_product(page_at, settings, tmp_path):
    # Given a creator and a product on the storefront's read model
    settings.MEDIA_ROOT = tmp_path
    user = _member("kreator", CREATORS)
    creator = CreatorFactory(user_id=user.pk, handle="sariwastra")
    card = ProductCardFactory(title="Batik Tulis Parang", shop_name="Batik Sekar")
    page, shot = page_at("desktop")
    _sign_in(page, "kreator")

    # When they upload an image with a caption and tag the product through the search box
    page.goto("/admin/storefront/post/add/")
    page.fill("#id_caption", "Batik favorit minggu ini #belilokal")
    page.set_input_files("#id_image", files=[{"name": "batik.gif", "mimeType": "image/gif", "buffer": PIXEL}])
    page.select_option("#id_status", "published")
    page.locator("#tags-0 .select2-selection").click()
    page.locator(".select2-search__field").fill("Parang")
    page.locator(".select2-results__option", has_text="Batik Tulis Parang").click()
    shot("post-form")
    page.locator("input[name=_save]").click()
    page.wait_for_selector(".messagelist .success")
    shot("saved")

    # Then the post is theirs, published, with the image and the tag
    post = Post.objects.get(creator=creator)
    assert post.caption == "Batik favorit minggu ini #belilokal"
    assert post.image.name.startswith("posts/")
    assert list(post.tags.values_list("product_id", flat=True)) == [card.product_id]
