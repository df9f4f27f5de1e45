import pytest

from integration import contracts
from marketplace import services
from marketplace.models import OutboxEvent, Product, Review, Shop
from tests.factories import ProductFactory, VariantFactory
from tests.marketplace.conftest import place

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 801


def _delivered_line(variant, buyer=BUYER):
    (order,) = place(buyer, (variant, 1), method="cod")
    services.order_pack(order_id=order.id)
    services.order_ship(order_id=order.id, courier="jne-reg", tracking_number="T1")
    services.order_deliver(order_id=order.id, buyer_id=buyer)
    return order.lines.get()


def test_reviews_keep_product_and_shop_aggregates():
    variant = VariantFactory()
    sibling = VariantFactory(product=ProductFactory(shop=variant.product.shop))
    first, second, third = _delivered_line(variant), _delivered_line(variant, BUYER + 1), _delivered_line(sibling)

    services.review_submit(buyer_id=BUYER, order_line_id=first.id, stars=5, text=" Bagus ")
    services.review_submit(buyer_id=BUYER + 1, order_line_id=second.id, stars=4, text="")
    services.review_submit(buyer_id=BUYER, order_line_id=third.id, stars=2, text="Kurang")

    product, shop = Product.objects.get(id=variant.product_id), Shop.objects.get(id=variant.product.shop_id)
    assert (product.rating, product.review_count) == (450, 2)
    assert (shop.rating, shop.review_count) == (367, 3)
    assert Review.objects.get(order_line=first).text == "Bagus"
    last = OutboxEvent.objects.filter(type="marketplace.review.posted").last()
    assert (last.payload["stars"], last.payload["shop_rating"], last.payload["shop_review_count"]) == (2, 367, 3)


def test_a_line_is_reviewed_once_only_after_delivery_and_only_by_its_buyer():
    variant = VariantFactory()
    line = _delivered_line(variant)
    (pending,) = place(BUYER, (variant, 1))

    services.review_submit(buyer_id=BUYER, order_line_id=line.id, stars=5, text="")
    with pytest.raises(contracts.Conflict):
        services.review_submit(buyer_id=BUYER, order_line_id=line.id, stars=1, text="")
    with pytest.raises(contracts.NotFound):
        services.review_submit(buyer_id=BUYER + 9, order_line_id=line.id, stars=1, text="")
    with pytest.raises(contracts.InvalidRequest, match="delivered"):
        services.review_submit(buyer_id=BUYER, order_line_id=pending.lines.get().id, stars=1, text="")
    assert Review.objects.count() == 1


@pytest.mark.parametrize("stars", [0, 6, -1, True, "5", 4.5])
def test_stars_must_be_one_to_five(stars):
    line = _delivered_line(VariantFactory())

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.review_submit(buyer_id=BUYER, order_line_id=line.id, stars=stars, text="")

    assert list(refused.value.fields) == ["stars"]
    assert Review.objects.count() == 0


def test_the_seller_replies_to_a_review_of_their_shop_only():
    variant = VariantFactory()
    line = _delivered_line(variant)
    review = services.review_submit(buyer_id=BUYER, order_line_id=line.id, stars=5, text="")
    owner = variant.product.shop.owner_user_id

    with pytest.raises(contracts.NotFound):
        services.review_reply(review_id=review.id, reply="Terima kasih", owner_user_id=owner + 1)
    services.review_reply(review_id=review.id, reply=" Terima kasih ", owner_user_id=owner)

    assert Review.objects.get(id=review.id).seller_reply == "Terima kasih"
