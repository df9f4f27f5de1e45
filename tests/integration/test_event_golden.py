"""The events' wire format, pinned: one golden JSON file per event type and version.

A change to an event that changes its JSON fails here. If it is compatible (a new
field with a default), regenerate the file on purpose; if not, publish a new
VERSION beside the old one and add its own golden file.
"""

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from integration import codec, events

GOLDEN = Path(__file__).parent / "golden"

LINE = events.OrderLineFact(
    product_id=11, variant_id=21, quantity=2, unit_price=45_000, attribution_source="post", creator_id=3, post_id=9
)
PLAIN_LINE = events.OrderLineFact(product_id=12, variant_id=22, quantity=1, unit_price=120_000)
CARD = events.ProductCardFacts(
    product_id=11,
    shop_id=4,
    shop_name="Toko Batik Sekar",
    shop_slug="batik-sekar",
    shop_city="Yogyakarta",
    shop_province="DI Yogyakarta",
    is_local_business=True,
    title="Kemeja Batik Parang",
    image_url="https://img.example/batik.jpg",
    category_id=None,
    category_name="",
    price_min=45_000,
    price_max=60_000,
    currency="IDR",
    in_stock=True,
    rating=450,
    review_count=12,
    sold_count=30,
    commission_bp=500,
    status="active",
    revision=7,
)
COMMISSION = {
    "commission_id": 5,
    "order_id": 101,
    "order_line_id": 201,
    "product_id": 11,
    "creator_id": 3,
    "post_id": 9,
    "campaign_id": None,
    "source": "post",
    "sale_amount": 90_000,
    "amount": 4_500,
}

SAMPLES = [
    events.ProductPublished(product=CARD),
    events.ProductUpdated(product=CARD),
    events.ProductUnpublished(product_id=11, revision=8),
    events.StockChanged(product_id=11, in_stock=False, revision=9),
    events.ShopChanged(
        shop=events.ShopFacts(
            shop_id=4,
            name="Toko Batik Sekar",
            slug="batik-sekar",
            city="Yogyakarta",
            province="DI Yogyakarta",
            is_local_business=True,
            is_verified=False,
            rating=470,
            review_count=40,
            sold_count=120,
            revision=3,
        )
    ),
    events.OrderPlaced(
        order_id=101,
        number="INV/20261128/101",
        buyer_id=7,
        shop_id=4,
        status="pending_payment",
        total=210_000,
        currency="IDR",
        lines=(LINE, PLAIN_LINE),
    ),
    events.OrderPaid(
        order_id=101, number="INV/20261128/101", buyer_id=7, shop_id=4, total=210_000, currency="IDR", lines=(LINE,)
    ),
    events.OrderShipped(order_id=101, buyer_id=7, shop_id=4, courier="jne-reg", tracking_number="JNE123"),
    events.OrderDelivered(order_id=101, buyer_id=7, shop_id=4),
    events.OrderCompleted(order_id=101, buyer_id=7, shop_id=4),
    events.OrderCancelled(
        order_id=101, buyer_id=7, shop_id=4, reason="Stok habis", refunded=True, lines=(LINE,), was_paid=True
    ),
    events.OrderExpired(order_id=102, buyer_id=7, shop_id=4, lines=(PLAIN_LINE,)),
    events.ReviewPosted(
        review_id=31,
        product_id=11,
        shop_id=4,
        stars=5,
        product_rating=460,
        product_review_count=13,
        shop_rating=470,
        shop_review_count=40,
    ),
    events.CommissionEarned(**COMMISSION),
    events.CommissionReversed(**COMMISSION),
]


def _golden_path(event_class: type) -> Path:
    return GOLDEN / f"{event_class.TYPE}.v{event_class.VERSION}.json"


def test_every_event_type_and_version_has_a_sample_and_a_golden_file():
    sampled = {(type(sample).TYPE, type(sample).VERSION) for sample in SAMPLES}
    files = {path.name for path in GOLDEN.glob("*.json")}

    assert sampled == set(events.EVENT_TYPES)
    assert files == {_golden_path(cls).name for cls in events.EVENT_TYPES.values()}


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: type(sample).TYPE)
def test_todays_encoding_equals_the_golden_file(sample):
    golden = json.loads(_golden_path(type(sample)).read_text())

    assert json.loads(codec.encode(sample)) == golden
    assert events.to_payload(sample) == golden


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: type(sample).TYPE)
def test_the_golden_file_decodes_to_its_event(sample):
    cls = type(sample)
    payload = json.loads(_golden_path(cls).read_text())
    envelope = events.Envelope(uuid.uuid4(), cls.TYPE, cls.VERSION, datetime(2026, 11, 28, tzinfo=UTC), payload)

    assert events.decode(envelope) == sample


def test_a_field_unknown_to_this_version_is_ignored():
    payload = {**json.loads(_golden_path(events.OrderDelivered).read_text()), "delivered_by": "courier"}
    envelope = events.Envelope(uuid.uuid4(), events.OrderDelivered.TYPE, 1, datetime(2026, 11, 28, tzinfo=UTC), payload)

    assert events.decode(envelope) == events.OrderDelivered(order_id=101, buyer_id=7, shop_id=4)


def test_an_unknown_version_is_refused():
    envelope = events.Envelope(uuid.uuid4(), events.OrderDelivered.TYPE, 2, datetime(2026, 11, 28, tzinfo=UTC), {})

    with pytest.raises(events.UnknownEvent):
        events.decode(envelope)
