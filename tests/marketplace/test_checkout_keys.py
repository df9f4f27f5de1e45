"""Retention of checkout idempotency keys: honoured for days, then forgotten."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace import services
from marketplace.models import Checkout, Order, OrderStatus
from marketplace.tasks import purge_checkout_keys
from tests.factories import VariantFactory
from tests.marketplace.conftest import command, fill_cart, place

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])
BUYER = 701


def _aged(orders, age: timedelta) -> Checkout:
    checkout_id = orders[0].checkout_id
    Checkout.objects.filter(id=checkout_id).update(created_at=timezone.now() - age)
    return Checkout.objects.get(id=checkout_id)


def _keys() -> list:
    return list(Checkout.objects.order_by("id").values_list("idempotency_key", flat=True))


def test_only_keys_past_the_default_seven_days_are_forgotten(settings):
    # Given two paid (cash on delivery) checkouts, six and eight days old
    assert settings.CHECKOUT_KEY_RETENTION_DAYS == 7
    variant = VariantFactory(stock_on_hand=10)
    _aged(place(BUYER, (variant, 1), key="six-days", method="cod"), timedelta(days=6, hours=23))
    old = _aged(place(BUYER, (variant, 1), key="eight-days", method="cod"), timedelta(days=8))

    # When the beat task runs, twice
    assert purge_checkout_keys() == 1
    assert purge_checkout_keys() == 0

    # Then only the older key is gone; its checkout still groups its order
    assert _keys() == ["six-days", None]
    old.refresh_from_db()
    assert (old.request_fingerprint, old.orders.count()) == ("", 1)


def test_a_forgotten_key_starts_a_new_checkout():
    variant = VariantFactory(stock_on_hand=10)
    (first,) = place(BUYER, (variant, 1), key="again", method="cod")
    _aged([first], timedelta(days=8))
    purge_checkout_keys()

    fill_cart(BUYER, (variant, 2))
    (second,) = services.checkout_place(command=command(BUYER, key="again", method="cod"))

    assert second.id != first.id
    assert [(o.id, o.checkout.idempotency_key) for o in Order.objects.order_by("id")] == [
        (first.id, None),
        (second.id, "again"),
    ]


def test_a_key_with_an_order_awaiting_payment_is_kept_and_still_replays():
    # Given an online checkout still awaiting payment, long past the retention period
    variant = VariantFactory(stock_on_hand=10)
    orders = place(BUYER, (variant, 1), key="unpaid")
    _aged(orders, timedelta(days=30))

    # When the keys are purged
    assert purge_checkout_keys() == 0

    # Then the same request still answers with the same orders
    assert orders[0].status == OrderStatus.PENDING_PAYMENT
    assert services.checkout_place(command=command(BUYER, key="unpaid")) == orders


def test_a_key_is_honoured_for_a_day_even_when_the_setting_says_less(settings):
    # Given a retention set to zero days and a checkout 23 hours old
    settings.CHECKOUT_KEY_RETENTION_DAYS = 0
    variant = VariantFactory(stock_on_hand=10)
    orders = place(BUYER, (variant, 1), key="recent", method="cod")
    _aged(orders, timedelta(hours=23))

    # When the keys are purged, the key stays and replays
    assert purge_checkout_keys() == 0
    assert services.checkout_place(command=command(BUYER, key="recent", method="cod")) == orders

    # Once it is a day and more old, it goes
    _aged(orders, timedelta(hours=25))
    assert purge_checkout_keys() == 1
    assert _keys() == [None]


def test_the_purge_takes_the_oldest_keys_first_and_at_most_its_limit():
    variant = VariantFactory(stock_on_hand=10)
    _aged(place(BUYER, (variant, 1), key="nine", method="cod"), timedelta(days=9))
    _aged(place(BUYER, (variant, 1), key="ten", method="cod"), timedelta(days=10))

    purged = services.checkout_keys_purge(created_before=timezone.now() - timedelta(days=7), limit=1)

    assert (purged, _keys()) == (1, ["nine", None])


def test_beat_runs_the_purge_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["marketplace-purge-checkout-keys"]

    assert (entry["task"], entry["schedule"]) == (purge_checkout_keys.name, 3600.0)


def test_the_purge_forgets_at_most_a_thousand_keys_by_default():
    Checkout.objects.bulk_create([Checkout(buyer_id=BUYER, idempotency_key=f"k-{n}") for n in range(1_001)])
    Checkout.objects.update(created_at=timezone.now() - timedelta(days=10))

    purged = services.checkout_keys_purge(created_before=timezone.now() - timedelta(days=7))

    assert purged == 1_000
    assert Checkout.objects.filter(idempotency_key__isnull=False).count() == 1


def test_keys_of_the_same_moment_are_forgotten_in_the_order_they_were_made():
    Checkout.objects.bulk_create([Checkout(buyer_id=BUYER, idempotency_key=k) for k in ("first", "second", "third")])
    Checkout.objects.update(created_at=timezone.now() - timedelta(days=10))

    purged = services.checkout_keys_purge(created_before=timezone.now() - timedelta(days=7), limit=2)

    assert (purged, _keys()) == (2, [None, None, "third"])
