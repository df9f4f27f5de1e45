"""When the marketplace cannot answer, discovery still renders and buying says so plainly."""

import pytest
from django.urls import reverse

from integration import contracts
from storefront.models import ProductCard
from storefront.services import post_create
from tests.factories import CreatorFactory, UserFactory

pytestmark = [pytest.mark.django_db(databases=["default", "storefront"]), pytest.mark.usefixtures("indonesian")]


class DownMarketplace:
    """A marketplace that is out of reach: every call raises `Unavailable`."""

    def __getattr__(self, name):
        def unavailable(*args, **kwargs):
            raise contracts.Unavailable("The marketplace did not answer in time.")

        return unavailable


@pytest.fixture(autouse=True)
def marketplace_down(settings):
    settings.MARKETPLACE_PROVIDER = f"{__name__}.DownMarketplace"


@pytest.fixture
def card():
    return ProductCard.objects.create(
        product_id=41,
        shop_id=1,
        shop_name="Batik Sekar",
        shop_slug="batik-sekar",
        shop_city="Solo",
        shop_province="Jawa Tengah",
        title="Batik Tulis Parang",
        price_min=125_000,
        price_max=135_000,
    )


def test_the_feed_post_and_product_pages_still_render(client, card):
    post = post_create(creator=CreatorFactory(), caption="Batik favorit", product_ids=[card.product_id])

    feed = client.get(reverse("storefront:feed"))
    post_page = client.get(reverse("storefront:post_detail", args=[post.id]))
    product = client.get(reverse("storefront:product_detail", args=[card.product_id]))

    assert (feed.status_code, post_page.status_code, product.status_code) == (200, 200, 200)
    assert "Rp 125.000 – Rp 135.000" in product.content.decode()
    assert "Pembelian sedang tidak tersedia" in product.content.decode()


@pytest.mark.parametrize("page", ["storefront:cart", "storefront:checkout", "storefront:order_list"])
def test_cart_checkout_and_orders_say_checkout_is_unavailable_for_a_moment(client, page):
    client.force_login(UserFactory(username="putri"))

    response = client.get(reverse(page))

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Checkout sedang tidak tersedia" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_adding_to_the_cart_says_checkout_is_unavailable(client):
    client.force_login(UserFactory(username="rudi"))

    response = client.post(reverse("storefront:cart_add"), {"variant_id": 5, "quantity": 1})

    assert response.status_code == 503
    assert "Checkout sedang tidak tersedia" in response.content.decode()


def test_adding_to_the_cart_through_htmx_says_so_in_place(client):
    client.force_login(UserFactory(username="sinta"))

    response = client.post(reverse("storefront:cart_add"), {"variant_id": 5, "quantity": 1}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.templates[0].name == "storefront/_cart_status.html"
    assert "Checkout sedang tidak tersedia sebentar. Silakan coba lagi sebentar lagi." in response.content.decode()
