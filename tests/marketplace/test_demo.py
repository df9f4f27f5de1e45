import pytest

from marketplace import demo
from marketplace.models import Courier, Product, Shop, Voucher

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])


def test_the_demo_seed_is_idempotent_and_has_vouchers_and_couriers(django_assert_max_num_queries):
    first = demo.seed_catalogue(owner_ids=[1, 2, 3], products=12)

    with django_assert_max_num_queries(12):
        again = demo.seed_catalogue(owner_ids=[1, 2, 3], products=12)

    assert first == {"shops": 3, "products": 12, "vouchers": 6}
    assert again == {"shops": 0, "products": 0, "vouchers": 0}
    assert (Shop.objects.count(), Product.objects.count()) == (3, 12)
    assert Voucher.objects.filter(code="HEMAT10").count() == 3
    assert list(Courier.objects.values_list("code", flat=True)) == ["jne-reg", "sicepat-reg", "jnt-ez", "jne-yes"]
