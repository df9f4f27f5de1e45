"""Contract tests of the port's shop methods, the same over every transport."""

import pytest

from integration import contracts
from tests.factories import ShopFactory, VariantFactory, VoucherFactory

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])

COMMAND = contracts.ShopOpenCommand(
    owner_user_id=5_001,
    name="Toko Sekar",
    slug="sekar",
    city="Solo",
    province="Jawa Tengah",
    pickup_address="Jl. Slamet Riyadi 1",
    phone="0812 1111 2222",
    declares_local_business=True,
)


def test_opening_a_shop_answers_its_summary(port):
    summary = port.open_shop(COMMAND)

    assert summary == contracts.ShopSummary(
        shop_id=summary.shop_id,
        name="Toko Sekar",
        slug="sekar",
        city="Solo",
        province="Jawa Tengah",
        is_local_business=True,
        is_verified=False,
        rating=0,
        review_count=0,
        sold_count=0,
        revision=1,
    )
    assert not summary.shows_local_badge


def test_a_refused_shop_names_its_fields(port):
    ShopFactory(slug="sekar")

    with pytest.raises(contracts.InvalidRequest) as refused:
        port.open_shop(contracts.ShopOpenCommand(**{**COMMAND.__dict__, "phone": "12"}))

    assert refused.value.fields == {
        "slug": ["Another shop already uses this address."],
        "phone": ["Enter a phone number of 8 to 15 digits, e.g. 0812 3456 7890."],
    }


def test_a_shops_open_vouchers_and_the_summaries_for_a_rebuild(port):
    shop = ShopFactory(name="Toko A")
    other = ShopFactory(name="Toko B")
    VariantFactory(product__shop=shop, product__sold_count=3)
    VoucherFactory(shop=shop, code="HEMAT10", max_discount=25_000)
    VoucherFactory(shop=shop, code="MATI", is_active=False)

    vouchers = port.list_shop_vouchers(shop_id=shop.id)
    first = port.list_shop_summaries(after_id=0, limit=1)
    rest = port.list_shop_summaries(after_id=first[-1].shop_id, limit=10)

    assert [(v.code, v.kind, v.value, v.max_discount) for v in vouchers] == [("HEMAT10", "percent", 10, 25_000)]
    assert [(s.name, s.sold_count) for s in [*first, *rest]] == [("Toko A", 3), ("Toko B", 0)]
    assert port.list_shop_vouchers(shop_id=other.id) == []
