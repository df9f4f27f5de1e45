"""The origins a buyer claims at checkout are checked by the storefront, whichever door
they come through: one that does not hold is dropped (the purchase goes on), one that
holds reaches the order line."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from marketplace.models import Commission, OrderLine
from storefront.models import PostStatus, ProductCard
from storefront.services import post_create, post_set_status
from tests.api.conftest import client_for
from tests.factories import CampaignFactory, CreatorFactory, ShowcaseItemFactory, UserFactory, VariantFactory
from tests.integration.test_purchase_flow import ADDRESS
from tests.storefront.test_attribution import _complete

JAKARTA = ZoneInfo("Asia/Jakarta")
NO_ORIGIN = ("", None, None, None)
pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


@pytest.fixture
def product(rebuild_cards):
    variant = VariantFactory(price=80_000, stock_on_hand=10)  # the factory's shop is a local business
    VariantFactory(price=50_000, stock_on_hand=10)  # another product, in the read model too
    rebuild_cards()
    return variant.product


def _origin(line: OrderLine) -> tuple:
    return (line.attribution_source, line.creator_id, line.post_id, line.campaign_id)


def _line(buyer) -> OrderLine:
    return OrderLine.objects.get(order__buyer_id=buyer.id)


def _through_api(product, claim: dict, username: str = "api-buyer") -> OrderLine:
    buyer = UserFactory(username=username)
    client = client_for(buyer)
    variant = product.variants.get()
    assert (
        client.post("/api/v1/cart/items/", {"variant_id": variant.id, "quantity": 1}, format="json").status_code == 201
    )
    body = {"address": ADDRESS, "payment_method": "ewallet", "attributions": [{"product_id": product.id, **claim}]}
    response = client.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-origin")
    assert response.status_code == 201
    return _line(buyer)


def _through_page(client, product, claim: dict, username: str = "page-buyer") -> OrderLine:
    """The claim waits in the session as if a product page had remembered it."""
    buyer = UserFactory(username=username)
    client.force_login(buyer)
    client.post(reverse("storefront:cart_add"), {"variant_id": product.variants.get().id, "quantity": 1})
    session = client.session
    session["attribution"] = {str(product.id): claim}
    session.save()
    placed = client.post(
        reverse("storefront:checkout"), {**ADDRESS, "payment_method": "ewallet", "idempotency_key": "k-origin"}
    )
    assert placed.status_code == 302
    return _line(buyer)


def _forged(kind: str, product) -> dict:
    """A claimed origin of `kind` that does not hold for `product`."""
    creator = CreatorFactory()
    if kind == "post not tagging the product":
        other = ProductCard.objects.exclude(product_id=product.id).values_list("product_id", flat=True).get()
        return {"source": "post", "post_id": post_create(creator=creator, caption="x", product_ids=[other]).id}
    if kind == "post hidden by moderation":
        post = post_create(creator=creator, caption="x", product_ids=[product.id])
        post_set_status(post_id=post.id, status=PostStatus.HIDDEN)
        return {"source": "post", "post_id": post.id, "creator_id": creator.id}
    if kind == "post credited to another creator":
        post = post_create(creator=creator, caption="x", product_ids=[product.id])
        return {"source": "post", "post_id": post.id, "creator_id": CreatorFactory().id}
    if kind == "showcase without the product":
        ShowcaseItemFactory(creator=creator)  # showcases something else
        return {"source": "showcase", "creator_id": creator.id}
    if kind == "campaign that does not exist":
        return {"source": "campaign", "campaign_id": 987_654}
    if kind == "campaign that ended":
        ended = CampaignFactory(
            starts_at=datetime(2020, 1, 1, tzinfo=JAKARTA), ends_at=datetime(2020, 2, 1, tzinfo=JAKARTA)
        )
        return {"source": "campaign", "campaign_id": ended.id}
    if kind == "campaign without the product":
        return {"source": "campaign", "campaign_id": CampaignFactory(local_business_only=False).id}
    if kind == "campaign credited to a creator":
        return {"source": "campaign", "campaign_id": CampaignFactory().id, "creator_id": creator.id}
    raise AssertionError(kind)


FORGED = [
    "post not tagging the product",
    "post hidden by moderation",
    "post credited to another creator",
    "showcase without the product",
    "campaign that does not exist",
    "campaign that ended",
    "campaign without the product",
    "campaign credited to a creator",
]


@pytest.mark.parametrize("kind", FORGED)
def test_a_forged_origin_through_the_api_is_dropped_and_the_purchase_goes_on(product, kind):
    line = _through_api(product, _forged(kind, product))

    assert _origin(line) == NO_ORIGIN
    assert line.commission_bp == 0


@pytest.mark.parametrize("kind", FORGED)
def test_a_forged_origin_through_the_page_is_dropped_and_the_purchase_goes_on(client, product, kind):
    line = _through_page(client, product, _forged(kind, product))

    assert _origin(line) == NO_ORIGIN
    assert line.commission_bp == 0


@pytest.mark.parametrize("kind", FORGED)
def test_page_and_api_treat_the_same_forged_origin_alike(client, product, kind):
    claim = _forged(kind, product)

    by_page = _through_page(client, product, claim)
    by_api = _through_api(product, claim)

    assert _origin(by_page) == _origin(by_api) == NO_ORIGIN


def _genuine(kind: str, product) -> tuple[dict, tuple]:
    """A claim of `kind` that holds for `product`, and the origin the order line should keep."""
    creator = CreatorFactory()
    if kind == "post":
        post = post_create(creator=creator, caption="Wajib coba", product_ids=[product.id])
        return {"source": "post", "post_id": post.id}, ("post", creator.id, post.id, None)
    if kind == "showcase":
        ShowcaseItemFactory(creator=creator, product_id=product.id)
        return {"source": "showcase", "creator_id": creator.id}, ("showcase", creator.id, None, None)
    campaign = CampaignFactory(local_business_only=False, product_ids=[product.id])
    return {"source": "campaign", "campaign_id": campaign.id}, ("campaign", None, None, campaign.id)


@pytest.mark.parametrize("kind", ["post", "showcase", "campaign"])
def test_a_genuine_origin_is_kept_through_either_door(client, product, kind):
    claim, expected = _genuine(kind, product)

    by_page = _through_page(client, product, claim)
    by_api = _through_api(product, claim)

    assert _origin(by_page) == _origin(by_api) == expected
    assert by_api.commission_bp == by_page.commission_bp == 500  # the product factory's rate


def test_a_post_hidden_after_the_visit_no_longer_earns_at_checkout(client, product):
    # Given a shopper who reached the product from a published post
    post = post_create(creator=CreatorFactory(), caption="Wajib coba", product_ids=[product.id])
    client.force_login(UserFactory(username="ayu"))
    assert client.get(f"/products/{product.id}/?post={post.id}").status_code == 200
    client.post(reverse("storefront:cart_add"), {"variant_id": product.variants.get().id, "quantity": 1})

    # When moderation hides the post before the shopper checks out
    post_set_status(post_id=post.id, status=PostStatus.HIDDEN)
    client.post(reverse("storefront:checkout"), {**ADDRESS, "payment_method": "ewallet", "idempotency_key": "k-1"})

    # Then the order is placed without the origin
    assert _origin(OrderLine.objects.get()) == NO_ORIGIN


def test_no_commission_is_earned_on_completing_an_order_with_a_forged_origin(product, relay):
    stranger = CreatorFactory()
    line = _through_api(product, {"source": "showcase", "creator_id": stranger.id})

    _complete(line)
    relay()

    stranger.refresh_from_db()
    assert Commission.objects.count() == 0
    assert (stranger.attributed_orders, stranger.attributed_sales, stranger.commission_earned) == (0, 0, 0)


def test_a_dropped_origin_is_logged_with_the_buyer_the_product_and_the_claim(product, caplog):
    stranger = CreatorFactory()
    claim = {"source": "showcase", "creator_id": stranger.id}

    with caplog.at_level(logging.WARNING, logger="storefront.services.checkout"):
        line = _through_api(product, claim)

    [record] = [r for r in caplog.records if r.name == "storefront.services.checkout"]
    assert (record.buyer_id, record.product_id) == (line.order.buyer_id, product.id)
    assert record.claimed_origin == {
        "product_id": product.id,
        "source": "showcase",
        "creator_id": stranger.id,
        "post_id": None,
        "campaign_id": None,
    }


def test_only_the_first_origin_that_holds_is_kept_for_a_product(product):
    creator = CreatorFactory()
    ShowcaseItemFactory(creator=creator, product_id=product.id)
    post = post_create(creator=creator, caption="Dua jalan", product_ids=[product.id])
    buyer = UserFactory(username="dua")
    client = client_for(buyer)
    client.post("/api/v1/cart/items/", {"variant_id": product.variants.get().id, "quantity": 1}, format="json")
    claims = [
        {"product_id": product.id, "source": "showcase", "creator_id": CreatorFactory().id},  # does not hold
        {"product_id": product.id, "source": "post", "post_id": post.id},
        {"product_id": product.id, "source": "showcase", "creator_id": creator.id},
    ]
    body = {"address": ADDRESS, "payment_method": "ewallet", "attributions": claims}

    assert client.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201

    assert _origin(_line(buyer)) == ("post", creator.id, post.id, None)
