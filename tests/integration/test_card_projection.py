"""The storefront's product cards agree with the marketplace whatever order its events arrive in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace import services
from marketplace.models import OutboxEvent, Product
from storefront import handlers
from storefront.models import ProductCard
from tests.factories import VariantFactory
from tests.marketplace.conftest import place

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])
BUYER = 4_001


def _hold(event_type: str) -> None:
    """Keeps the rows of one type back, as a retry's backoff would."""
    OutboxEvent.objects.filter(type=event_type).update(available_at=timezone.now() + timedelta(hours=1))


def _release_all() -> None:
    OutboxEvent.objects.filter(status="pending").update(available_at=timezone.now())


def _card(product_id: int) -> ProductCard:
    return ProductCard.objects.get(product_id=product_id)


def test_a_retried_sale_after_a_newer_card_counts_once(relay, rebuild_cards, monkeypatch):
    # Given a product with 4 sold and its last unit, whose card the storefront shows
    variant = VariantFactory(stock_on_hand=1, product__sold_count=4)
    rebuild_cards()
    # and a checkout of that unit, then a new title (a snapshot that already counts the sale)
    place(BUYER, (variant, 1))
    services.product_update(product_id=variant.product_id, title="Kopi Gayo Baru")
    # When the card's sold handler fails once, so the sale is retried after the snapshot
    failed = []
    move = handlers._move_sold_counts

    def fail_once(lines, sign):
        if not failed:
            failed.append(True)
            raise RuntimeError("storefront database unavailable")
        move(lines, sign)

    monkeypatch.setattr(handlers, "_move_sold_counts", fail_once)
    relay()
    _release_all()
    relay()

    # Then the card counts the sale once, like the marketplace, and shows the newest card
    card = _card(variant.product_id)
    assert failed == [True]
    assert (card.sold_count, Product.objects.get(id=variant.product_id).sold_count) == (5, 5)
    assert (card.title, card.in_stock) == ("Kopi Gayo Baru", False)


def test_a_late_update_does_not_show_an_unpublished_product_again(relay, rebuild_cards):
    # Given a shown product that is renamed, then archived
    variant = VariantFactory()
    rebuild_cards()
    services.product_update(product_id=variant.product_id, title="Nama Lama")
    services.product_set_status(product_id=variant.product_id, status="archived")

    # When the unpublish arrives before the (older) update
    _hold("marketplace.product.updated")
    relay()
    _release_all()
    relay()

    # Then the card stays hidden
    assert _card(variant.product_id).is_visible is False


def test_an_older_card_does_not_undo_a_newer_stock_crossing(relay, rebuild_cards):
    # Given a shown product that is renamed (in stock), then emptied (out of stock)
    variant = VariantFactory(stock_on_hand=2)
    rebuild_cards()
    services.product_update(product_id=variant.product_id, title="Kopi Lama")
    services.stock_adjust(variant_id=variant.id, actor_user_id=1, delta=-2, reason="rusak")

    # When the crossing arrives before the rename
    _hold("marketplace.product.updated")
    relay()
    _release_all()
    relay()

    # Then the rename is shown, and the product stays out of stock
    card = _card(variant.product_id)
    assert (card.title, card.in_stock, card.is_visible) == ("Kopi Lama", False, True)
