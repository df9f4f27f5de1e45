import pytest

from marketplace import demo
from marketplace.models import Courier, Product, Shop, Voucher
from tests.queries import count_queries

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])


def _rerun_queries(owner_ids: list[int], products: int) -> tuple[dict, int]:
    with count_queries() as queries:
        again = demo.seed_catalogue(owner_ids=owner_ids, products=products)
    return again, len(queries)


def test_the_demo_seed_is_idempotent_and_has_vouchers_and_couriers():
    # Given a seeded catalogue of 2 shops and 4 products, then topped up to 6 shops and 12
    small = demo.seed_catalogue(owner_ids=[1, 2], products=4)
    small_again, small_queries = _rerun_queries([1, 2], 4)
    large = demo.seed_catalogue(owner_ids=[1, 2, 3, 4, 5, 6], products=12)

    # When the seed runs again on what it made
    large_again, large_queries = _rerun_queries([1, 2, 3, 4, 5, 6], 12)

    # Then it creates nothing, in the same few queries (all databases) whatever the size
    assert small == {"shops": 2, "products": 4, "vouchers": 4}
    assert large == {"shops": 4, "products": 8, "vouchers": 8}
    assert small_again == large_again == {"shops": 0, "products": 0, "vouchers": 0}
    assert small_queries == large_queries == 7
    assert (Shop.objects.count(), Product.objects.count()) == (6, 12)
    assert Voucher.objects.filter(code="HEMAT10").count() == 6
    assert list(Courier.objects.values_list("code", flat=True)) == ["jne-reg", "sicepat-reg", "jnt-ez", "jne-yes"]
