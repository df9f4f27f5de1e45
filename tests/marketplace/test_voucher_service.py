"""The voucher services themselves: what a seller creates or edits is what is stored, field by field;
a refusal or someone else's voucher stores nothing."""

from datetime import UTC, datetime

import pytest

from integration import contracts
from marketplace import services
from marketplace.models import Voucher, VoucherKind
from tests.factories import ShopFactory, VoucherFactory
from tests.transactions import one_transaction_on

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
OWNER = 7001
STARTS = datetime(2026, 8, 1, tzinfo=UTC)
ENDS = datetime(2026, 8, 31, tzinfo=UTC)


def _stored(voucher_id):
    return Voucher.objects.values(
        "shop_id",
        "code",
        "kind",
        "value",
        "min_spend",
        "max_discount",
        "starts_at",
        "ends_at",
        "usage_limit",
        "per_buyer_limit",
        "is_active",
    ).get(id=voucher_id)


def test_a_voucher_is_created_with_every_field_it_was_given():
    shop = ShopFactory(owner_user_id=OWNER)

    voucher = services.voucher_create(
        shop_id=shop.id,
        owner_user_id=OWNER,
        code=" merdeka17 ",
        kind=VoucherKind.PERCENT,
        value=17,
        starts_at=STARTS,
        ends_at=ENDS,
        min_spend=170_000,
        max_discount=17_000,
        usage_limit=170,
        per_buyer_limit=3,
        is_active=False,
    )

    assert _stored(voucher.id) == {
        "shop_id": shop.id,
        "code": "MERDEKA17",
        "kind": "percent",
        "value": 17,
        "min_spend": 170_000,
        "max_discount": 17_000,
        "starts_at": STARTS,
        "ends_at": ENDS,
        "usage_limit": 170,
        "per_buyer_limit": 3,
        "is_active": False,
    }


def test_a_voucher_created_with_only_what_is_required_gets_the_stated_defaults():
    shop = ShopFactory()

    voucher = services.voucher_create(
        shop_id=shop.id, code="ONGKIR", kind=VoucherKind.FIXED, value=5_000, starts_at=STARTS, ends_at=ENDS
    )

    stored = _stored(voucher.id)
    assert (stored["min_spend"], stored["max_discount"], stored["usage_limit"]) == (0, None, None)
    assert (stored["per_buyer_limit"], stored["is_active"]) == (1, True)


def test_a_refused_voucher_says_why_by_field_and_stores_nothing():
    shop = ShopFactory()

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.voucher_create(
            shop_id=shop.id, code="TERBALIK", kind=VoucherKind.FIXED, value=5_000, starts_at=ENDS, ends_at=STARTS
        )

    assert refused.value.message == "Please correct the voucher."
    assert refused.value.fields == {"ends_at": ["The voucher must end after it starts."]}
    assert Voucher.objects.count() == 0


def test_a_voucher_is_created_only_in_the_owners_own_shop():
    others = ShopFactory(owner_user_id=OWNER + 1)

    with pytest.raises(contracts.NotFound) as missing:
        services.voucher_create(
            shop_id=others.id,
            owner_user_id=OWNER,
            code="CURI",
            kind=VoucherKind.FIXED,
            value=5_000,
            starts_at=STARTS,
            ends_at=ENDS,
        )

    assert missing.value.message == "Shop not found."
    assert Voucher.objects.count() == 0


def test_an_edit_changes_the_fields_given_and_keeps_the_others():
    voucher = VoucherFactory(
        shop=ShopFactory(owner_user_id=OWNER),
        code="LAMA",
        kind=VoucherKind.PERCENT,
        value=10,
        min_spend=50_000,
        max_discount=25_000,
        starts_at=STARTS,
        ends_at=ENDS,
        usage_limit=100,
        per_buyer_limit=1,
    )
    later = datetime(2026, 9, 30, tzinfo=UTC)

    services.voucher_update(
        voucher_id=voucher.id,
        owner_user_id=OWNER,
        code="baru",
        kind=VoucherKind.FIXED,
        value=20_000,
        min_spend=100_000,
        max_discount=None,
        starts_at=ENDS,
        ends_at=later,
        usage_limit=None,
        per_buyer_limit=2,
        is_active=False,
    )

    assert _stored(voucher.id) == {
        "shop_id": voucher.shop_id,
        "code": "BARU",
        "kind": "fixed",
        "value": 20_000,
        "min_spend": 100_000,
        "max_discount": None,
        "starts_at": ENDS,
        "ends_at": later,
        "usage_limit": None,
        "per_buyer_limit": 2,
        "is_active": False,
    }


def test_an_edit_of_one_field_leaves_the_rest_as_they_were():
    voucher = VoucherFactory(code="TETAP", value=10, min_spend=50_000, max_discount=25_000, usage_limit=9)
    before = _stored(voucher.id)

    services.voucher_update(voucher_id=voucher.id, value=15)

    assert _stored(voucher.id) == {**before, "value": 15}


def test_an_edit_is_checked_with_the_fields_the_voucher_keeps_and_a_refusal_changes_nothing():
    voucher = VoucherFactory(kind=VoucherKind.PERCENT, value=10, starts_at=STARTS, ends_at=ENDS)
    before = _stored(voucher.id)

    with pytest.raises(contracts.InvalidRequest) as refused:
        services.voucher_update(voucher_id=voucher.id, starts_at=datetime(2026, 9, 1, tzinfo=UTC))

    assert refused.value.fields == {"ends_at": ["The voucher must end after it starts."]}
    assert _stored(voucher.id) == before


def test_another_sellers_voucher_is_not_found_and_stays_as_it_was():
    voucher = VoucherFactory(shop=ShopFactory(owner_user_id=OWNER + 1), value=10)

    with pytest.raises(contracts.NotFound) as missing:
        services.voucher_update(voucher_id=voucher.id, owner_user_id=OWNER, value=50)

    assert missing.value.message == "Voucher not found."
    assert Voucher.objects.get(id=voucher.id).value == 10


def test_a_voucher_is_created_and_edited_each_in_one_marketplace_transaction():
    shop = ShopFactory(owner_user_id=OWNER)

    with one_transaction_on("marketplace"):
        voucher = services.voucher_create(
            shop_id=shop.id, code="SATU", kind=VoucherKind.FIXED, value=5_000, starts_at=STARTS, ends_at=ENDS
        )
    with one_transaction_on("marketplace"):
        services.voucher_update(voucher_id=voucher.id, value=6_000)

    assert Voucher.objects.get(id=voucher.id).value == 6_000
