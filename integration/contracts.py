"""What the storefront may ask of the marketplace, and what it gets back.

DTOs are frozen dataclasses of plain values (ids, strings, integers, datetimes,
tuples of other DTOs): never a model instance or a queryset, so that the same
contract can travel over HTTP. Money is an integer number of rupiah plus a
currency code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar, runtime_checkable

# Ids fit the smallest id column of either database (PostgreSQL's integer): a larger id
# names nothing, whichever door it comes through.
ID_MAX = 2**31 - 1

# --- Errors ------------------------------------------------------------------


class PortError(Exception):
    """Base of every error a port raises; `code` is stable, `message` is for people."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.fields = fields or {}


class NotFound(PortError):
    code = "not_found"


class InvalidRequest(PortError):
    """The request is wrong (bad quantity, unknown variant, stock ran out...).

    `fields` maps a field name to its messages so that a form or an API can show
    each next to its input.
    """

    code = "invalid"


class MalformedRequest(InvalidRequest):
    """The call itself is wrong: an unknown, missing or wrongly typed argument.

    Never the caller's user's fault; `fields` names the argument (and the path
    inside it) with what was expected.
    """

    code = "malformed"


class Conflict(PortError):
    """The request clashes with another one (idempotency key reused, still in flight)."""

    code = "conflict"


class Unavailable(PortError):
    """The provider cannot be reached right now; try again later."""

    code = "unavailable"


class VersionMismatch(Unavailable):
    """The provider does not serve this method in this version of its API (a deploy in
    between two releases). Retrying now does not help, but it is not the caller's fault."""

    code = "version_mismatch"


# --- Catalogue -----------------------------------------------------------------


@dataclass(frozen=True)
class VariantDTO:
    id: int
    product_id: int
    name: str
    sku: str
    price: int
    currency: str
    stock_available: int
    max_per_order: int

    @property
    def in_stock(self) -> bool:
        return self.stock_available > 0


@dataclass(frozen=True)
class ProductSummary:
    """Everything the storefront shows about a product on a card.

    This is also the payload of the product events, so the storefront's read
    model is built from one shape whether it arrives by event or by rebuild.
    """

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
class ProductDetail:
    summary: ProductSummary
    description: str
    variants: tuple[VariantDTO, ...]
    free_shipping: bool = False  # its shop is in a free-shipping (Bebas Ongkir) campaign running now


# --- Cart ----------------------------------------------------------------------


@dataclass(frozen=True)
class CartLineDTO:
    id: int
    variant_id: int
    product_id: int
    shop_id: int
    shop_name: str
    title: str
    variant_name: str
    unit_price: int
    price_when_added: int
    quantity: int
    stock_available: int

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity

    @property
    def price_changed(self) -> bool:
        return self.unit_price != self.price_when_added

    @property
    def short_of_stock(self) -> bool:
        return self.quantity > self.stock_available


@dataclass(frozen=True)
class CartDTO:
    buyer_id: int
    lines: tuple[CartLineDTO, ...]
    currency: str = "IDR"

    @property
    def total(self) -> int:
        return sum(line.line_total for line in self.lines)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    def by_shop(self) -> list[tuple[str, list[CartLineDTO]]]:
        groups: dict[int, tuple[str, list[CartLineDTO]]] = {}
        for line in self.lines:
            groups.setdefault(line.shop_id, (line.shop_name, []))[1].append(line)
        return list(groups.values())


# --- Checkout and orders -------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    recipient: str
    phone: str
    street: str
    city: str
    province: str
    postal_code: str


ATTRIBUTION_SOURCES = ("post", "showcase", "campaign")


@dataclass(frozen=True)
class Attribution:
    """Which creator, post, showcase or campaign led the shopper to a product."""

    product_id: int
    source: str  # one of ATTRIBUTION_SOURCES
    creator_id: int | None = None
    post_id: int | None = None
    campaign_id: int | None = None


@dataclass(frozen=True)
class ShippingChoice:
    shop_id: int
    courier: str  # a code from ShippingOption.courier


@dataclass(frozen=True)
class VoucherChoice:
    shop_id: int
    code: str


# The couriers the platform ships with, by their stable codes: what a checkout's shipping
# choice and a seller's shipment may name (the marketplace's default couriers).
COURIER_CODES = ("jne-reg", "sicepat-reg", "jnt-ez", "jne-yes")


@dataclass(frozen=True)
class CourierDTO:
    code: str  # one of COURIER_CODES
    name: str
    etd_days: str  # e.g. "2-3"


@dataclass(frozen=True)
class ShippingOption:
    shop_id: int
    courier: str  # stable code, e.g. "jne-reg"
    name: str  # shown to people, e.g. "JNE Reguler"
    fee: int
    etd_days: str  # e.g. "2-3"


@dataclass(frozen=True)
class CheckoutCommand:
    buyer_id: int
    address: Address
    payment_method: str  # "virtual_account" | "ewallet" | "qris" | "cod"
    idempotency_key: str
    attributions: tuple[Attribution, ...] = ()
    shipping: tuple[ShippingChoice, ...] = ()  # one per shop; a shop left out gets its cheapest option
    vouchers: tuple[VoucherChoice, ...] = ()  # at most one per shop
    platform_voucher: str = ""  # one platform voucher code for the whole checkout, or none


@dataclass(frozen=True)
class StatusChangeDTO:
    status: str
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class OrderLineDTO:
    id: int
    product_id: int
    variant_id: int
    title: str
    variant_name: str
    unit_price: int
    quantity: int
    reviewed: bool = False

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class OrderDTO:
    id: int
    number: str
    buyer_id: int
    shop_id: int
    shop_name: str
    status: str
    subtotal: int
    shipping_fee: int
    total: int
    currency: str
    payment_method: str
    placed_at: datetime
    lines: tuple[OrderLineDTO, ...] = field(default=())
    discount: int = 0
    voucher_code: str = ""
    courier: str = ""
    tracking_number: str = ""
    payment_id: int | None = None
    pay_before: datetime | None = None  # pending_payment orders expire then
    timeline: tuple[StatusChangeDTO, ...] = ()


@dataclass(frozen=True)
class PaymentDTO:
    """A payment covers every order of one checkout (one transfer for a multi-shop cart)."""

    id: int
    method: str
    status: str  # "pending" | "paid" | "failed" | "expired" | "refunded"
    amount: int
    currency: str
    order_ids: tuple[int, ...]
    pay_url: str  # the simulated gateway's hosted page, on this site
    virtual_account: str = ""
    expires_at: datetime | None = None


@dataclass(frozen=True)
class CheckoutResult:
    orders: tuple[OrderDTO, ...]
    payment: PaymentDTO | None = None  # None for cash on delivery

    @property
    def total(self) -> int:
        return sum(order.total for order in self.orders)


@dataclass(frozen=True)
class PromotionShare:
    """One order's share of the checkout's platform promotions (already in shop_totals:
    `platform_discount` in its discount, `shipping_subsidy` off its shipping fee)."""

    shop_id: int
    platform_discount: int  # this order's share of the platform voucher
    shop_funded: int  # of which the shop pays
    shipping_subsidy: int  # free shipping (Bebas Ongkir), paid by the platform


@dataclass(frozen=True)
class CheckoutPreview:
    """What a checkout would cost now, computed by the marketplace (never by the caller)."""

    cart: CartDTO
    shipping_options: tuple[ShippingOption, ...]
    shop_totals: tuple[tuple[int, int, int, int], ...]  # (shop_id, subtotal, shipping_fee, discount)
    total: int
    problems: dict[str, list[str]] = field(default_factory=dict)  # price changes, stock-outs, bad vouchers
    promotions: tuple[PromotionShare, ...] = ()  # one per order a platform promotion reaches


@dataclass(frozen=True)
class ReviewDTO:
    id: int
    product_id: int
    order_line_id: int
    buyer_id: int
    stars: int
    text: str
    created_at: datetime
    seller_reply: str = ""


@dataclass(frozen=True)
class CategoryDTO:
    id: int
    name: str
    slug: str
    parent_id: int | None


# --- Shops ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopSummary:
    """What the storefront shows about a shop. `shows_local_badge` is the "Usaha lokal"
    mark: declared by the seller and verified by the platform."""

    shop_id: int
    name: str
    slug: str
    city: str
    province: str
    is_local_business: bool
    is_verified: bool
    rating: int  # average stars x 100, 0 when unrated
    review_count: int
    sold_count: int
    revision: int = 0  # grows with every shop event: a later summary wins

    @property
    def shows_local_badge(self) -> bool:
        return self.is_local_business and self.is_verified


@dataclass(frozen=True)
class ShopOpenCommand:
    """A signed-in user opens a shop (Buka Toko). The marketplace checks every field."""

    owner_user_id: int
    name: str
    slug: str
    city: str
    province: str
    pickup_address: str
    phone: str
    declares_local_business: bool
    nib: str = ""


@dataclass(frozen=True)
class ShopVoucherDTO:
    """A shop voucher a shopper may use now, as the shop's page lists it."""

    code: str
    kind: str  # "percent" or "fixed"
    value: int  # percent (1-100) or rupiah
    min_spend: int
    max_discount: int | None
    ends_at: datetime


# --- Payees' money: balances, statements, bank accounts, payouts ---------------------------
# A payee is a shop (by its id) or a creator (by the storefront's creator id).


@dataclass(frozen=True)
class BalanceDTO:
    payee_kind: str  # "shop" | "creator"
    payee_id: int
    pending: int  # earned on orders not completed yet
    available: int  # may be withdrawn
    in_flight: int  # withdrawn, not yet confirmed by the bank
    currency: str = "IDR"


@dataclass(frozen=True)
class StatementLineDTO:
    id: int  # the ledger entry's
    at: datetime
    kind: str  # the ledger transaction's kind, e.g. "order_settled"
    bucket: str  # "pending" | "available" | "in_flight": which of the payee's balances moved
    description: str
    amount: int  # positive: into the payee's balance
    balance_after: int  # the payee's balance (all three together) after this line
    order_number: str = ""
    payout_reference: str = ""


@dataclass(frozen=True)
class StatementDTO:
    """A period of a payee's money: `opening + sum(lines) == closing`, in rupiah, where a
    balance is pending, available and in flight together."""

    payee_kind: str
    payee_id: int
    date_from: date  # inclusive, Asia/Jakarta
    date_to: date  # inclusive, Asia/Jakarta
    opening: int
    closing: int
    lines: tuple[StatementLineDTO, ...] = ()
    currency: str = "IDR"


@dataclass(frozen=True)
class BankAccountDTO:
    id: int
    bank_code: str
    bank_name: str
    number_masked: str
    holder_name: str
    verified: bool
    created_at: datetime


@dataclass(frozen=True)
class PayoutDTO:
    id: int
    reference: str
    bank_account_id: int
    amount: int
    status: str  # "requested" | "succeeded" | "failed"
    requested_at: datetime
    settled_at: datetime | None = None
    failure_reason: str = ""
    currency: str = "IDR"


# --- Retry safety ----------------------------------------------------------------


class Retry(StrEnum):
    """What a transport may do when it cannot tell whether a call ran."""

    QUERY = "query"  # changes nothing: repeat freely
    IDEMPOTENT = "idempotent"  # deduplicated by its idempotency key: repeat when it carries one
    COMMAND = "command"  # may change something twice: never repeat once it may have arrived


RETRY_ATTRIBUTE = "__port_retry__"
Method = TypeVar("Method", bound=Callable[..., Any])


def _declare(kind: Retry) -> Callable[[Method], Method]:
    def declare(method: Method) -> Method:
        setattr(method, RETRY_ATTRIBUTE, kind)
        return method

    return declare


query = _declare(Retry.QUERY)
idempotent = _declare(Retry.IDEMPOTENT)
plain_command = _declare(Retry.COMMAND)


def retry_of(protocol: type, name: str) -> Retry | None:
    """The declaration on `protocol.name`, or None when it has none."""
    value = getattr(getattr(protocol, name, None), RETRY_ATTRIBUTE, None)
    return value if isinstance(value, Retry) else None


# --- The port ------------------------------------------------------------------


@runtime_checkable
class MarketplacePort(Protocol):
    """The storefront's only way into the marketplace.

    Every method raises a `PortError` subclass on failure: `NotFound`,
    `InvalidRequest` (with per-field messages), `Conflict` or `Unavailable`.
    Queries of several items are bulk: one call, never one per item. Each method
    declares its retry safety (`@query`, `@idempotent`, `@plain_command`), which the HTTP
    transport reads to decide whether a lost answer may be asked again.
    """

    @query
    def get_products(self, product_ids: list[int]) -> list[ProductDetail]: ...

    @query
    def get_product(self, product_id: int) -> ProductDetail: ...

    @query
    def list_product_summaries(self, *, after_id: int = 0, limit: int = 500) -> list[ProductSummary]: ...

    @query
    def list_categories(self) -> list[CategoryDTO]: ...

    @query
    def list_couriers(self) -> list[CourierDTO]: ...

    @query
    def list_reviews(self, *, product_id: int, limit: int = 20) -> list[ReviewDTO]: ...

    @query
    def get_cart(self, buyer_id: int) -> CartDTO: ...

    @query
    def preview_checkout(
        self,
        *,
        buyer_id: int,
        province: str,
        shipping: tuple[ShippingChoice, ...] = (),
        vouchers: tuple[VoucherChoice, ...] = (),
        platform_voucher: str = "",
    ) -> CheckoutPreview: ...

    @query
    def get_order(self, *, buyer_id: int, order_id: int) -> OrderDTO: ...

    @query
    def list_orders(self, buyer_id: int) -> list[OrderDTO]: ...

    @query
    def get_payment(self, *, buyer_id: int, payment_id: int) -> PaymentDTO: ...

    @plain_command
    def add_to_cart(self, *, buyer_id: int, variant_id: int, quantity: int) -> CartDTO: ...

    @plain_command
    def update_cart_line(self, *, buyer_id: int, line_id: int, quantity: int) -> CartDTO: ...

    @idempotent
    def checkout(self, command: CheckoutCommand) -> CheckoutResult: ...

    @plain_command
    def start_payment(self, *, buyer_id: int, order_id: int) -> PaymentDTO: ...

    @plain_command
    def confirm_delivery(self, *, buyer_id: int, order_id: int) -> OrderDTO: ...

    @plain_command
    def submit_review(self, *, buyer_id: int, order_line_id: int, stars: int, text: str) -> ReviewDTO: ...

    # Shops: the shop page's vouchers, the read model's rebuild, and opening a shop.

    @query
    def list_shop_vouchers(self, *, shop_id: int) -> list[ShopVoucherDTO]: ...

    @query
    def list_shop_summaries(self, *, after_id: int = 0, limit: int = 500) -> list[ShopSummary]: ...

    @plain_command
    def open_shop(self, command: ShopOpenCommand) -> ShopSummary: ...

    # A creator's money, the creator named by their storefront id (the storefront checked it).

    @query
    def get_creator_balance(self, *, creator_id: int) -> BalanceDTO: ...

    @query
    def get_creator_statement(self, *, creator_id: int, date_from: date, date_to: date) -> StatementDTO: ...

    @query
    def list_creator_bank_accounts(self, *, creator_id: int) -> list[BankAccountDTO]: ...

    @plain_command
    def add_creator_bank_account(self, *, creator_id: int, bank_code: str, number: str) -> BankAccountDTO: ...

    @query
    def list_creator_payouts(self, *, creator_id: int) -> list[PayoutDTO]: ...

    @idempotent
    def request_creator_payout(
        self, *, creator_id: int, bank_account_id: int, amount: int, idempotency_key: str
    ) -> PayoutDTO: ...
