"""Integration events: the envelope, the documented catalogue and the subscriber registry.

An event is a versioned, frozen dataclass with class attributes `TYPE` and
`VERSION`, made of plain values and payload classes of its own (never a port
DTO: the port and the events change on their own schedules). It travels inside
an `Envelope` (id, type, version, occurred_at, payload) written to the
publisher's outbox in the same transaction as the change it reports; the
payload is the event encoded by `integration.codec`. Subscribers receive the
typed event back, decoded by (type, version) and checked against its types; an
unknown version or a payload that does not fit is refused, and the relay
retries it until it is dead-lettered. Delivery is at least once; handlers are
made idempotent by the inbox (see `integration.relay.handle_once`).

Adding a field with a default to an event is compatible; renaming, removing or
retyping one needs a new VERSION, published beside the old one until every
subscriber has moved. `tests/integration/golden/` holds each version's wire
format.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol

from . import codec


@dataclass(frozen=True)
class Envelope:
    id: uuid.UUID
    type: str
    version: int
    occurred_at: datetime
    payload: dict[str, Any]
    # The W3C trace context the event was published in ("" when tracing was off): its
    # subscribers' handler spans continue that trace (integration.tracing).
    traceparent: str = ""


class Event(Protocol):
    """What every event class has: its type and version on the wire."""

    TYPE: ClassVar[str]
    VERSION: ClassVar[int]


class UnknownEvent(LookupError):
    """No event class of this type and version is known here."""


# --- Catalogue -------------------------------------------------------------------


@dataclass(frozen=True)
class ProductCardFacts:
    """Everything a product's card shows, as the product events carry it."""

    product_id: int
    shop_id: int
    shop_name: str
    shop_slug: str
    shop_city: str
    shop_province: str
    is_local_business: bool
    title: str
    image_url: str
    category_id: int | None
    category_name: str
    price_min: int
    price_max: int
    currency: str
    in_stock: bool
    rating: int  # average stars x 100, 0 when unrated
    review_count: int
    sold_count: int
    commission_bp: int  # affiliate commission in basis points (1% = 100)
    status: str
    # The product's card revision: grows with every card event, so a later card wins.
    revision: int = 0


@dataclass(frozen=True)
class ProductPublished:
    """A product became visible to shoppers (status active). Payload: its card."""

    TYPE: ClassVar[str] = "marketplace.product.published"
    VERSION: ClassVar[int] = 1
    product: ProductCardFacts


@dataclass(frozen=True)
class ProductUpdated:
    """Something shown on a product card changed (title, price, stock state, rating...)."""

    TYPE: ClassVar[str] = "marketplace.product.updated"
    VERSION: ClassVar[int] = 1
    product: ProductCardFacts


@dataclass(frozen=True)
class ProductUnpublished:
    """A product was archived or moved back to draft: hide it everywhere."""

    TYPE: ClassVar[str] = "marketplace.product.unpublished"
    VERSION: ClassVar[int] = 1
    product_id: int
    revision: int = 0  # the product's card revision (see ProductCardFacts.revision)


@dataclass(frozen=True)
class ShopFacts:
    """Everything a shop's page header shows, as the shop events carry it."""

    shop_id: int
    name: str
    slug: str
    city: str
    province: str
    is_local_business: bool  # declared by the seller
    is_verified: bool  # checked by the platform; the "Usaha lokal" mark needs both
    rating: int  # average stars x 100, 0 when unrated
    review_count: int
    sold_count: int  # units sold over the shop's products when the event was written
    revision: int = 0  # the shop's card revision: grows with every shop event, so a later one wins


@dataclass(frozen=True)
class ShopChanged:
    """A shop was opened, verified or edited. Payload: its facts. Its products' cards
    show the new name, place and local mark."""

    TYPE: ClassVar[str] = "marketplace.shop.changed"
    VERSION: ClassVar[int] = 1
    shop: ShopFacts


@dataclass(frozen=True)
class OrderLineFact:
    product_id: int
    variant_id: int
    quantity: int
    unit_price: int
    attribution_source: str = ""
    creator_id: int | None = None
    post_id: int | None = None
    campaign_id: int | None = None


@dataclass(frozen=True)
class OrderPlaced:
    """An order was created at checkout (one per shop). Stock is reserved for it."""

    TYPE: ClassVar[str] = "marketplace.order.placed"
    VERSION: ClassVar[int] = 1
    order_id: int
    number: str
    buyer_id: int
    shop_id: int
    status: str
    total: int
    currency: str
    lines: tuple[OrderLineFact, ...]


@dataclass(frozen=True)
class StockChanged:
    """A product crossed between in stock and out of stock (not every unit moved)."""

    TYPE: ClassVar[str] = "marketplace.stock.changed"
    VERSION: ClassVar[int] = 1
    product_id: int
    in_stock: bool
    revision: int = 0  # the product's card revision (see ProductCardFacts.revision)


@dataclass(frozen=True)
class OrderPaid:
    """The buyer paid (or, for cash on delivery, the order was accepted). Stock is committed."""

    TYPE: ClassVar[str] = "marketplace.order.paid"
    VERSION: ClassVar[int] = 1
    order_id: int
    number: str
    buyer_id: int
    shop_id: int
    total: int
    currency: str
    lines: tuple[OrderLineFact, ...]


@dataclass(frozen=True)
class OrderShipped:
    TYPE: ClassVar[str] = "marketplace.order.shipped"
    VERSION: ClassVar[int] = 1
    order_id: int
    buyer_id: int
    shop_id: int
    courier: str
    tracking_number: str


@dataclass(frozen=True)
class OrderDelivered:
    TYPE: ClassVar[str] = "marketplace.order.delivered"
    VERSION: ClassVar[int] = 1
    order_id: int
    buyer_id: int
    shop_id: int


@dataclass(frozen=True)
class OrderCompleted:
    """The order is final: commissions on its lines are earned now."""

    TYPE: ClassVar[str] = "marketplace.order.completed"
    VERSION: ClassVar[int] = 1
    order_id: int
    buyer_id: int
    shop_id: int


@dataclass(frozen=True)
class OrderCancelled:
    """Cancelled by the buyer or the seller; `refunded` when it had been paid. Lines say
    what to take back out of sold counts.

    Also published, with `refunded` true, when a delivered or completed order is
    refunded (status "refunded"); its earned commissions are reversed alongside."""

    TYPE: ClassVar[str] = "marketplace.order.cancelled"
    VERSION: ClassVar[int] = 1
    order_id: int
    buyer_id: int
    shop_id: int
    reason: str
    refunded: bool
    lines: tuple[OrderLineFact, ...]
    # True when an OrderPaid was published for it (paid online, or cash on delivery):
    # subscribers take back what they counted on payment.
    was_paid: bool = False


@dataclass(frozen=True)
class OrderExpired:
    """Not paid within the payment window; its stock was released."""

    TYPE: ClassVar[str] = "marketplace.order.expired"
    VERSION: ClassVar[int] = 1
    order_id: int
    buyer_id: int
    shop_id: int
    lines: tuple[OrderLineFact, ...]


@dataclass(frozen=True)
class ReviewPosted:
    """A buyer reviewed an order line; carries the new aggregates so no one recounts."""

    TYPE: ClassVar[str] = "marketplace.review.posted"
    VERSION: ClassVar[int] = 1
    review_id: int
    product_id: int
    shop_id: int
    stars: int
    product_rating: int  # average stars x 100
    product_review_count: int
    shop_rating: int
    shop_review_count: int


@dataclass(frozen=True)
class CommissionFact:
    """What both commission events carry: the attributed line and the amount in rupiah."""

    commission_id: int
    order_id: int
    order_line_id: int
    product_id: int
    creator_id: int | None
    post_id: int | None
    campaign_id: int | None
    source: str
    sale_amount: int
    amount: int


@dataclass(frozen=True)
class CommissionEarned(CommissionFact):
    """An attributed order line completed: the creator earned `amount` rupiah."""

    TYPE: ClassVar[str] = "marketplace.commission.earned"
    VERSION: ClassVar[int] = 1


@dataclass(frozen=True)
class CommissionReversed(CommissionFact):
    """An earned commission was taken back (the order was refunded)."""

    TYPE: ClassVar[str] = "marketplace.commission.reversed"
    VERSION: ClassVar[int] = 1


EVENT_TYPES: dict[tuple[str, int], type[Event]] = {
    (cls.TYPE, cls.VERSION): cls
    for cls in (
        ProductPublished,
        ProductUpdated,
        ProductUnpublished,
        StockChanged,
        ShopChanged,
        OrderPlaced,
        OrderPaid,
        OrderShipped,
        OrderDelivered,
        OrderCompleted,
        OrderCancelled,
        OrderExpired,
        ReviewPosted,
        CommissionEarned,
        CommissionReversed,
    )
}


# --- Payload <-> dataclass ------------------------------------------------------------


def to_payload(event: object) -> dict[str, Any]:
    """The event as the JSON object its outbox row stores."""
    payload = codec.to_builtins(event)
    assert isinstance(payload, dict), "an event is a dataclass"
    return payload


def class_of(event_type: str, version: int) -> type[Event]:
    cls = EVENT_TYPES.get((event_type, version))
    if cls is None:
        raise UnknownEvent(f"unknown event {event_type} v{version}")
    return cls


def decode(envelope: Envelope) -> Any:
    """The typed event of `envelope`: `UnknownEvent` for a type or version not known here,
    `codec.CodecError` for a payload that does not fit its class."""
    return codec.convert(envelope.payload, class_of(envelope.type, envelope.version))


# --- Subscribers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    name: str  # stable, recorded in the inbox: rename only with care
    event_class: type[Event]
    handler: Callable[[Any], None]
    inbox: str  # model label of the subscriber's inbox, e.g. "storefront.InboxEvent"


_subscriptions: dict[tuple[str, int], list[Subscription]] = defaultdict(list)


def subscribe(event_class: type[Event], handler: Callable[[Any], None], *, inbox: str, name: str | None = None) -> None:
    """Registers `handler` for `event_class`. Called from a context's AppConfig.ready()."""
    name = name or f"{handler.__module__}.{handler.__qualname__}"
    key = (event_class.TYPE, event_class.VERSION)
    if any(s.name == name for s in _subscriptions[key]):
        return  # ready() may run more than once in tests
    _subscriptions[key].append(Subscription(name, event_class, handler, inbox))


def subscriptions_for(event_type: str, version: int) -> list[Subscription]:
    return list(_subscriptions.get((event_type, version), ()))


def all_subscriptions() -> list[Subscription]:
    return [subscription for registered in _subscriptions.values() for subscription in registered]
