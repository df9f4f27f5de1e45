"""A shopper's journey in a real browser, at phone and desktop width, in Indonesian and English."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from integration.transport import marketplace
from marketplace import services
from marketplace.models import Order, Review
from storefront.services import post_create, product_cards_rebuild
from tests.factories import (
    ADDRESS_VALUES,
    CreatorFactory,
    ProductFactory,
    ShopFactory,
    UserFactory,
    VariantFactory,
    VoucherFactory,
)
from tests.marketplace.conftest import place

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, databases="__all__")]

PASSWORD = "jalin-test-pw"
ADDRESS = ADDRESS_VALUES
TEXT = {
    "id": {
        "feed": "Untuk Anda",
        "added": "Ditambahkan ke keranjang Anda.",
        "cart": "Keranjang",
        "checkout": "Checkout",
        "place": "Buat pesanan",
        "recalculate": "Hitung ulang",
        "paid": "Dibayar",
        "received": "Pesanan sudah saya terima",
        "delivered": "Diterima",
        "reviewed": "Terima kasih atas ulasan Anda.",
        "postal": "Kode pos terdiri dari lima digit.",
        "stock": "Stok tinggal 8.",
        "no_voucher": "Voucher ini tidak ada untuk toko ini.",
        "stars": "Kolom ini wajib diisi.",
    },
    "en": {
        "feed": "For you",
        "added": "Added to your cart.",
        "cart": "Cart",
        "checkout": "Checkout",
        "place": "Place order",
        "recalculate": "Recalculate",
        "paid": "Paid",
        "received": "I have received my order",
        "delivered": "Delivered",
        "reviewed": "Thank you for your review.",
        "postal": "A postal code has five digits.",
        "stock": "Only 8 left in stock.",
        "no_voucher": "This voucher does not exist for this shop.",
        "stars": "This field is required.",
    },
}


@pytest.fixture
def world():
    """Two shops with a voucher each, a product with two variants and one with one,
    a post with a picture tagging both."""
    shopper = UserFactory(username="ayu", email="ayu@example.id")
    sekar = ShopFactory(name="Batik Sekar", city="Solo")
    gayo = ShopFactory(name="Kopi Gayo Aceh", city="Takengon")
    for shop in (sekar, gayo):
        VoucherFactory(shop=shop, code="HEMAT10", value=10)
    batik = ProductFactory(shop=sekar, title="Batik Tulis Parang")
    VariantFactory(product=batik, name="M", price=125_000, stock_on_hand=8)
    large = VariantFactory(product=batik, name="L", price=135_000, stock_on_hand=8)
    kopi = ProductFactory(shop=gayo, title="Kopi Gayo 250 g")
    beans = VariantFactory(product=kopi, name="250 g", price=85_000, stock_on_hand=8)
    product_cards_rebuild(port=marketplace())
    creator = CreatorFactory(display_name="Sari Wastra", handle="sariwastra")
    post = post_create(
        creator=creator,
        caption="Batik dan kopi favorit #belilokal",
        product_ids=[batik.id, kopi.id],
        image_url="/static/img/post-0.svg",
    )
    return {"shopper": shopper, "large": large, "beans": beans, "post": post, "sekar": sekar}


def _start(page, shot, language: str) -> None:
    page.goto("/accounts/login/")
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_selector("html[lang=en]")
    shot("sign-in")


def _sign_in(page, username: str = "ayu", password: str = PASSWORD) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()


def _add_from_product_page(page, shot, text, *, name: str, variant_label: str | None = None) -> None:
    page.get_by_role("link", name=name).first.click()
    page.wait_for_selector(f"h1:has-text('{name}')")
    shot("product")
    if variant_label:
        page.get_by_label(re.compile("^" + re.escape(variant_label))).check()
        shot("variant-picked")
    page.locator("form[action$='/cart/add/'] button[type=submit]").first.click()
    # htmx puts the answer next to the button without leaving the page.
    page.wait_for_selector(f"#cart-status:has-text('{text['added']}')")
    shot("added-to-cart")


def _fill_address(page) -> None:
    for name, value in ADDRESS.items():
        page.fill(f"#id_{name}", value)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_shopper_buys_from_two_shops_pays_and_reviews(page_at, world, viewport, language):
    page, shot = page_at(viewport)
    text = TEXT[language]

    # Given a signed-in shopper on the feed
    _start(page, shot, language)
    _sign_in(page)
    page.wait_for_selector(f"main h1:has-text('{text['feed']}')")
    assert page.locator("html").get_attribute("lang") == language
    shot("feed")

    # When she opens the post's picture, then the L batik and the coffee it tags, from two shops
    page.locator(f"a[href='/posts/{world['post'].id}/'] img.poster").click()
    page.wait_for_url(re.compile(rf"/posts/{world['post'].id}/$"))
    assert page.locator("main img.poster").evaluate("img => img.complete && img.naturalWidth > 0")
    shot("post")
    _add_from_product_page(page, shot, text, name="Batik Tulis Parang", variant_label="L — Rp 135.000")
    page.go_back()
    page.wait_for_url(re.compile(r"/posts/\d+/$"))
    _add_from_product_page(page, shot, text, name="Kopi Gayo 250 g")

    page.get_by_role("link", name=text["cart"], exact=True).click()
    page.wait_for_url("**/cart/")
    assert page.locator(".shop-group h2").all_inner_texts() == ["Batik Sekar", "Kopi Gayo Aceh"]
    shot("cart")

    # ...checks out with a new address and the batik shop's voucher, and recalculates
    page.get_by_role("link", name=text["checkout"], exact=True).last.click()
    page.wait_for_url("**/checkout/")
    _fill_address(page)
    page.fill(f"#id_voucher_{world['sekar'].id}", "hemat10")
    page.get_by_role("button", name=text["recalculate"]).click()
    page.wait_for_selector(".discount")
    # Batik 135.000 - 13.500 + Kopi 85.000, each with JNE Reguler within the province (15.000)
    page.wait_for_selector("#checkout-total:has-text('Rp 236.500')")
    shot("checkout-with-voucher")
    page.check("input[name=payment_method][value=virtual_account]")
    page.get_by_role("button", name=text["place"]).click()

    # Then she pays on the gateway's page and sees two paid orders
    page.wait_for_url(re.compile(r"/gateway/sim/\w+/$"))
    assert "236.500" in page.locator(".total").inner_text()
    shot("gateway")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/orders/")
    orders = page.locator(".orders li")
    assert orders.count() == 2
    assert all(text["paid"] in t for t in orders.all_inner_texts())
    shot("orders-paid")
    placed = Order.objects.filter(buyer_id=world["shopper"].id)
    assert sorted(placed.values_list("total", "discount")) == [(100_000, 0), (136_500, 13_500)]

    # When the batik shop ships (no admin action for it yet: the seller's service directly)
    batik_order = placed.get(shop=world["sekar"])
    services.order_pack(order_id=batik_order.id)
    services.order_ship(order_id=batik_order.id, courier="jne-reg", tracking_number="JNE0099887766")

    # Then she confirms the delivery and reviews the batik
    page.goto(f"/orders/{batik_order.id}/")
    assert page.locator(".tracking").inner_text() == "JNE0099887766"
    shot("order-shipped")
    page.get_by_role("button", name=text["received"]).click()
    page.wait_for_selector(f".status:has-text('{text['delivered']}')")
    page.locator(".review-form input[value='5']").check()
    page.locator(".review-form textarea").fill("Kainnya halus, warnanya cantik.")
    shot("review")
    page.locator(".review-form button[type=submit]").click()
    page.wait_for_selector(f".messages:has-text('{text['reviewed']}')")
    shot("reviewed")
    assert list(Review.objects.values_list("stars", "text")) == [(5, "Kainnya halus, warnanya cantik.")]


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_form_shows_its_errors_next_to_the_field(page_at, world, language):
    page, shot = page_at("phone")
    text = TEXT[language]
    _start(page, shot, language)

    # Sign in with a wrong password: an error above the form, nothing else happens
    _sign_in(page, password="wrong-password")
    page.wait_for_selector(".form-errors .errorlist")
    shot("sign-in-error")

    # Sign up: a taken username, a bad e-mail, passwords that differ
    page.goto("/accounts/sign-up/")
    page.fill("#id_username", "ayu")
    page.fill("#id_email", "not-an-email")
    page.fill("#id_password1", "batik-tulis-99")
    page.fill("#id_password2", "batik-tulis-98")
    page.locator("main form button[type=submit]").click()
    for field in ("username", "email", "password2"):
        assert page.locator(f"#id_{field}_error").is_visible(), field
    assert page.locator("#id_username").get_attribute("aria-invalid") == "true"
    shot("sign-up-errors")

    # Password reset: a bad e-mail address
    page.goto("/accounts/password_reset/")
    page.fill("#id_email", "ayu@")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#id_email_error")
    shot("password-reset-error")

    # ...then the link it mails, with two new passwords that differ
    page.fill("#id_email", "ayu@example.id")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/password_reset/done/")
    page.goto(re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1))
    page.fill("#id_new_password1", "kopi-susu-42")
    page.fill("#id_new_password2", "kopi-susu-43")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#id_new_password2_error")
    shot("password-reset-confirm-error")

    # Address book: a bad postal code and phone
    page.goto("/accounts/login/?next=/account/")
    _sign_in(page)
    page.wait_for_url("**/account/")
    for name, value in {**ADDRESS, "postal_code": "552", "phone": "abc"}.items():
        page.fill(f"#id_{name}", value)
    page.locator("main form[action$='/account/addresses/'] button[type=submit]").click()
    page.wait_for_selector(f"#id_postal_code_error:has-text('{text['postal']}')")
    assert page.locator("#id_phone_error").is_visible()
    shot("address-errors")

    # Password change: a wrong old password
    page.goto("/accounts/password_change/")
    page.fill("#id_old_password", "not-my-password")
    page.fill("#id_new_password1", "kopi-susu-42")
    page.fill("#id_new_password2", "kopi-susu-42")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#id_old_password_error")
    shot("password-change-error")

    # Add to cart: more than the stock, answered in place
    page.goto(f"/posts/{world['post'].id}/")
    page.get_by_role("link", name="Kopi Gayo 250 g").first.click()
    page.fill("#id_quantity", "50")
    page.locator("form[action$='/cart/add/'] button[type=submit]").first.click()
    page.wait_for_selector(f"#cart-status:has-text('{text['stock']}')")
    shot("add-to-cart-error")

    # Cart: a quantity above the stock
    page.fill("#id_quantity", "1")
    page.locator("form[action$='/cart/add/'] button[type=submit]").first.click()
    page.wait_for_selector(f"#cart-status:has-text('{text['added']}')")
    page.goto("/cart/")
    page.locator(".qty input[name=quantity]").fill("50")
    page.locator(".qty button").click()
    page.wait_for_selector(f".messages .error:has-text('{text['stock']}')")
    shot("cart-error")

    # Checkout: nothing filled in
    page.goto("/checkout/")
    page.get_by_role("button", name=text["place"]).click()
    page.wait_for_selector("#id_recipient_error")  # the answer is a new page: wait for it
    for field in ("recipient", "phone", "street", "city", "province", "postal_code", "payment_method"):
        assert page.locator(f"#id_{field}_error").is_visible(), field
    shot("checkout-errors")

    # Checkout: a voucher the shop does not have, reported on recalculating
    page.fill(f"#id_voucher_{world['beans'].product.shop_id}", "NOPE")
    page.get_by_role("button", name=text["recalculate"]).click()
    page.wait_for_selector(f".changes:has-text('{text['no_voucher']}')")
    shot("voucher-error")
    assert Order.objects.count() == 0
    assert get_user_model().objects.count() == 1

    # Review: no stars given
    # (the coffee still in the cart becomes a second order of the same checkout)
    order = place(world["shopper"].id, (world["large"], 1), method="cod")[0]
    services.order_pack(order_id=order.id)
    services.order_ship(order_id=order.id, courier="jne-reg", tracking_number="JNE1")
    services.order_deliver(order_id=order.id)
    page.goto(f"/orders/{order.id}/")
    page.locator(".review-form textarea").fill("Bagus.")
    page.locator(".review-form button[type=submit]").click()
    page.wait_for_selector(f".review-form .errorlist:has-text('{text['stars']}')")
    shot("review-error")
    assert Review.objects.count() == 0


def test_submitting_the_checkout_page_twice_places_one_set_of_orders(page_at, world):
    page, shot = page_at("desktop")
    _start(page, shot, "id")
    _sign_in(page)
    page.wait_for_selector("form[action$='/accounts/logout/']")  # signed in
    for variant in (world["large"], world["beans"]):
        page.goto(f"/products/{variant.product_id}/")
        page.check(f"#variant-{variant.id}")
        page.locator("form[action$='/cart/add/'] button[type=submit]").first.click()
        page.wait_for_selector("#cart-status p")
    page.goto("/checkout/")
    for name, value in ADDRESS.items():
        page.fill(f"#id_{name}", value)
    page.check("input[name=payment_method][value=cod]")

    # The same page, with the same key, posted twice before the shopper clicks once more
    statuses = page.evaluate(
        """async () => {
            const form = document.querySelector("main form[method=post]");
            const send = () => fetch(form.action, {method: "POST", body: new FormData(form), redirect: "manual"});
            return [(await send()).type, (await send()).type];
        }"""
    )
    page.get_by_role("button", name="Buat pesanan").click()
    page.wait_for_url("**/orders/")
    shot("orders-after-double-submit")

    assert statuses == ["opaqueredirect", "opaqueredirect"]
    assert Order.objects.filter(buyer_id=world["shopper"].id).count() == 2
    assert page.locator(".orders li").count() == 2


def test_without_javascript_buy_now_recalculate_and_pay_still_work(page_at, world):
    page, shot = page_at("phone", javascript=False)
    _start(page, shot, "id")
    _sign_in(page)
    page.wait_for_selector("form[action$='/accounts/logout/']")  # signed in

    # Without htmx, Buy now posts the form and lands on checkout
    page.goto(f"/products/{world['beans'].product_id}/")
    page.get_by_role("button", name="Beli sekarang").click()
    page.wait_for_url("**/checkout/")
    _fill_address(page)
    page.check(f"input[name=shipping_{world['beans'].product.shop_id}][value=jne-yes]")
    page.get_by_role("button", name="Hitung ulang").click()
    # "Recalculate" asks the marketplace again: JNE YES within the province is 28.000
    page.wait_for_selector("#checkout-total:has-text('Rp 113.000')")
    shot("recalculated-without-javascript")
    page.check("input[name=payment_method][value=ewallet]")
    page.get_by_role("button", name="Buat pesanan").click()

    page.wait_for_url(re.compile(r"/gateway/sim/\w+/$"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/orders/")
    shot("orders-without-javascript")
    order = Order.objects.get(buyer_id=world["shopper"].id)
    assert (order.total, order.courier, order.status) == (113_000, "jne-yes", "paid")
