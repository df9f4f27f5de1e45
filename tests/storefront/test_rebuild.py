"""`rebuild_product_cards`: the read model rebuilt in bulk through MarketplacePort."""

import pytest
from django.core.management import call_command

from marketplace.models import ProductStatus
from storefront.models import ProductCard
from tests.factories import ProductCardFactory, VariantFactory

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


def test_rebuild_writes_every_active_product_and_hides_the_rest(capsys):
    # Given two products of record, one later archived, and a stale card of a product gone upstream
    kept = VariantFactory(price=70_000).product
    archived = VariantFactory(price=90_000).product
    ProductCardFactory(product_id=kept.id, title="Judul lama", price_min=1, price_max=1)
    stale = ProductCardFactory(product_id=999_999)
    archived.status = ProductStatus.ARCHIVED
    archived.save()

    # When the cards are rebuilt, in batches of one
    call_command("rebuild_product_cards", batch_size=1, verbosity=0)

    # Then the kept product's card is current and the others are hidden
    card = ProductCard.objects.get(product_id=kept.id)
    assert (card.title, card.price_min, card.is_visible) == (kept.title, 70_000, True)
    assert set(ProductCard.objects.filter(is_visible=False).values_list("product_id", flat=True)) == {stale.product_id}
    assert not ProductCard.objects.filter(product_id=archived.id).exists()
    assert "1 product cards visible." in capsys.readouterr().out
