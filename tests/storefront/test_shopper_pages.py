"""The shell every page shares: language, money, time, error pages, accessibility basics."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views import defaults

from marketplace.models import Order
from storefront.templatetags.money import rupiah
from tests.factories import ADDRESS_VALUES, UserFactory, VariantFactory

ADDRESS = ADDRESS_VALUES
# The shell is asserted in the site's default language, Indonesian.
pytestmark = pytest.mark.usefixtures("indonesian")


@pytest.mark.django_db(databases=["default", "storefront"])
def test_pages_are_in_indonesian_by_default(client):
    body = client.get(reverse("storefront:feed")).content.decode()

    assert '<html lang="id">' in body
    assert ">Beranda</a>" in body and ">Masuk</a>" in body
    assert "Langsung ke konten" in body


@pytest.mark.django_db(databases=["default", "storefront"])
def test_the_language_switch_turns_the_site_to_english_and_back(client):
    switched = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("storefront:feed")).content.decode()
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    indonesian = client.get(reverse("storefront:feed")).content.decode()

    assert switched.status_code == 302 and switched.url == "/"
    assert '<html lang="en">' in english and ">Feed</a>" in english and ">Sign in</a>" in english
    assert '<html lang="id">' in indonesian and ">Beranda</a>" in indonesian


@pytest.mark.parametrize(
    ("amount", "shown"), [(0, "Rp 0"), (999, "Rp 999"), (1_250_000, "Rp 1.250.000"), (-15_000, "-Rp 15.000")]
)
def test_rupiah_uses_dots_for_thousands_and_no_decimals(amount, shown):
    assert rupiah(amount) == shown


@pytest.mark.django_db(databases="__all__")
def test_order_times_are_shown_in_jakarta_time(client):
    shopper = UserFactory(username="nina")
    client.force_login(shopper)
    variant = VariantFactory(stock_on_hand=3)
    client.post(reverse("storefront:cart_add"), {"variant_id": variant.id, "quantity": 1})
    client.post(reverse("storefront:checkout"), {**ADDRESS, "payment_method": "cod", "idempotency_key": "k-time"})
    Order.objects.filter(buyer_id=shopper.id).update(placed_at=dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC))

    body = client.get(reverse("storefront:order_list")).content.decode()

    assert "2 Mar 2026 00:30 WIB" in body


@pytest.mark.django_db(databases=["default", "storefront"])
def test_an_unknown_page_gets_the_sites_own_404(client):
    response = client.get("/posts/999999/")

    assert response.status_code == 404
    assert "Kami tidak menemukan halaman itu" in response.content.decode()


@pytest.mark.django_db(databases=["default"])
def test_the_403_and_500_pages_render_without_a_stack_trace():
    request = RequestFactory().get("/")
    request.user = UserFactory.build()

    forbidden = defaults.permission_denied(request, PermissionDenied())
    failed = defaults.server_error(request)

    assert forbidden.status_code == 403 and "Anda tidak dapat membuka halaman ini" in forbidden.content.decode()
    assert failed.status_code == 500 and "Terjadi kesalahan di sistem kami" in failed.content.decode()
    assert "Traceback" not in failed.content.decode()


@pytest.mark.django_db(databases=["default", "storefront"])
def test_a_form_sent_without_its_csrf_token_is_refused_with_a_plain_explanation():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "ayu", "password": "x"})

    assert response.status_code == 403
    assert "Sesi Anda sudah berakhir" in response.content.decode()


@pytest.mark.django_db(databases=["default", "storefront"])
def test_htmx_is_served_by_the_site_itself_and_no_page_loads_from_elsewhere(client):
    body = client.get(reverse("login")).content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert "/static/vendor/htmx/htmx-2.0.11.min.js" in sources
    assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == []


@pytest.mark.django_db(databases=["default", "storefront"])
def test_every_visible_control_of_the_forms_has_a_label(client):
    def unlabelled(page: str) -> set[str]:
        body = client.get(page).content.decode()
        ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', body)
        assert ids, page
        return set(ids) - set(re.findall(r'<label[^>]*\bfor="([^"]+)"', body))

    anonymous = {
        page: unlabelled(page) for page in ("/accounts/login/", "/accounts/sign-up/", "/accounts/password_reset/")
    }
    client.force_login(UserFactory(username="oki"))
    signed_in = {page: unlabelled(page) for page in ("/account/", "/accounts/password_change/")}

    assert {**anonymous, **signed_in} == {
        "/accounts/login/": set(),
        "/accounts/sign-up/": set(),
        "/accounts/password_reset/": set(),
        "/account/": set(),
        "/accounts/password_change/": set(),
    }


def test_timezone_is_jakarta():
    assert str(timezone.get_default_timezone()) == "Asia/Jakarta"


@pytest.mark.django_db(databases="__all__")
def test_a_visitor_sees_the_variants_and_is_asked_to_sign_in_to_buy(client, rebuild_cards):
    variant = VariantFactory(name="L", price=135_000, stock_on_hand=4)
    rebuild_cards()

    body = client.get(reverse("storefront:product_detail", args=[variant.product_id])).content.decode()

    assert "L — Rp 135.000" in body and "sisa 4" in body
    assert f'href="/accounts/login/?next=/products/{variant.product_id}/"' in body
    assert 'name="variant_id"' not in body
