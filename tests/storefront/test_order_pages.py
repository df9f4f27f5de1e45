"""The shopper's order pages: pay now, status timeline, shipping facts, confirming delivery, reviews."""

import pytest
from django.urls import reverse

from marketplace import services
from marketplace.models import Order, Payment, Review
from tests.factories import UserFactory, VariantFactory
from tests.marketplace.conftest import place

pytestmark = pytest.mark.django_db(databases="__all__")


def _shipped_order(shopper) -> Order:
    variant = VariantFactory(stock_on_hand=5, product__title="Kain Tenun")
    (order,) = place(shopper.id, (variant, 1), method="cod")
    services.order_pack(order_id=order.id)
    services.order_ship(order_id=order.id, courier="jne-reg", tracking_number="JNE0012345")
    return order


def test_a_pending_order_offers_pay_now_which_opens_the_gateways_page(client, shopper):
    (order,) = place(shopper.id, (VariantFactory(stock_on_hand=5), 1), method="virtual_account")

    page = client.get(reverse("storefront:order_detail", args=[order.id]))
    paying = client.post(reverse("storefront:order_pay", args=[order.id]))

    assert reverse("storefront:order_pay", args=[order.id]) in page.content.decode()
    assert paying.status_code == 302
    assert paying.url == f"/gateway/sim/{Payment.objects.get().reference}/"


def test_pay_now_on_a_cash_on_delivery_order_is_refused_with_a_message(client, shopper):
    (order,) = place(shopper.id, (VariantFactory(stock_on_hand=5), 1), method="cod")

    answer = client.post(reverse("storefront:order_pay", args=[order.id]), follow=True)

    assert [str(m) for m in answer.context["messages"]] == ["This order is paid on delivery."]


def test_a_shipped_order_shows_invoice_courier_tracking_and_its_timeline(client, shopper):
    order = _shipped_order(shopper)

    page = client.get(reverse("storefront:order_detail", args=[order.id]))

    body = page.content.decode()
    number = Order.objects.get(id=order.id).number
    assert f'<dd class="invoice">{number}</dd>' in body
    assert '<dd class="courier">jne-reg</dd>' in body
    assert '<dd class="tracking">JNE0012345</dd>' in body
    assert [change.status for change in page.context["order"].timeline] == [
        "pending_payment",
        "paid",
        "packed",
        "shipped",
    ]
    assert reverse("storefront:order_confirm_delivery", args=[order.id]) in body


def test_confirming_delivery_then_reviewing_each_line(client, shopper):
    order = _shipped_order(shopper)
    line = order.lines.get()

    confirmed = client.post(reverse("storefront:order_confirm_delivery", args=[order.id]), follow=True)
    reviewed = client.post(
        reverse("storefront:review_create", args=[order.id, line.id]),
        {f"line-{line.id}-stars": "5", f"line-{line.id}-text": "Kainnya halus."},
        follow=True,
    )

    assert confirmed.context["order"].status == "delivered"
    assert [str(m) for m in confirmed.context["messages"]] == ["Thank you! You confirmed the delivery."]
    assert [str(m) for m in reviewed.context["messages"]] == ["Thank you for your review."]
    assert list(Review.objects.values_list("stars", "text")) == [(5, "Kainnya halus.")]
    assert "You reviewed Kain Tenun. Thank you!" in reviewed.content.decode()


def test_a_review_without_stars_shows_the_error_and_writes_nothing(client, shopper):
    order = _shipped_order(shopper)
    services.order_deliver(order_id=order.id, buyer_id=shopper.id)
    line = order.lines.get()

    answer = client.post(reverse("storefront:review_create", args=[order.id, line.id]), {f"line-{line.id}-text": "?"})

    assert answer.status_code == 400
    assert f'id="id_line-{line.id}-stars_error"' in answer.content.decode()
    assert Review.objects.count() == 0


def test_reviewing_before_delivery_or_twice_is_refused_with_a_message(client, shopper):
    order = _shipped_order(shopper)
    line = order.lines.get()
    url = reverse("storefront:review_create", args=[order.id, line.id])

    early = client.post(url, {f"line-{line.id}-stars": "4"}, follow=True)
    services.order_deliver(order_id=order.id, buyer_id=shopper.id)
    client.post(url, {f"line-{line.id}-stars": "4"})
    again = client.post(url, {f"line-{line.id}-stars": "2"}, follow=True)

    assert [str(m) for m in early.context["messages"]] == ["You can review an item once it has been delivered."]
    assert [str(m) for m in again.context["messages"]] == [
        "Thank you for your review.",
        "You have already reviewed this item.",
    ]
    assert list(Review.objects.values_list("stars", flat=True)) == [4]


def test_another_shoppers_order_is_not_found(client, shopper):
    order = _shipped_order(UserFactory())

    assert client.get(reverse("storefront:order_detail", args=[order.id])).status_code == 404
    assert client.post(reverse("storefront:order_confirm_delivery", args=[order.id])).status_code == 404
