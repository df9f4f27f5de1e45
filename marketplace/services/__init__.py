"""Commands of the marketplace, by sub-domain. Each opens one transaction on the
marketplace database, validates, writes, and publishes its events through the
outbox in the same transaction. Callers import this package (`from marketplace
import services`); the modules are its internal layout."""

from .cart import MAX_CART_QUANTITY, cart_add_item, cart_update_line
from .catalogue import (
    PRODUCT_FIELDS,
    VARIANT_FIELDS,
    product_create,
    product_publish_card,
    product_set_status,
    product_update,
    variant_create,
    variant_update,
)
from .checkout import checkout_keys_purge, checkout_place
from .ledger import ledger_reconcile
from .orders import (
    TRANSITIONS,
    order_cancel,
    order_complete,
    order_deliver,
    order_pack,
    order_refund,
    order_ship,
)
from .payments import (
    payment_expire,
    payment_for_order,
    payment_notification_receive,
    payment_open_session,
    payment_reconcile,
)
from .payouts import bank_account_add, payout_notification_receive, payout_request, payout_send
from .quote import CheckoutQuote, ShopQuote, checkout_preview, checkout_quote
from .reviews import review_reply, review_submit
from .shops import SHOP_FIELDS, shop_open, shop_publish_card, shop_update, shop_verify
from .stock import stock_adjust
from .vouchers import VOUCHER_FIELDS, voucher_create, voucher_update

__all__ = [
    "MAX_CART_QUANTITY",
    "PRODUCT_FIELDS",
    "SHOP_FIELDS",
    "TRANSITIONS",
    "VARIANT_FIELDS",
    "VOUCHER_FIELDS",
    "CheckoutQuote",
    "ShopQuote",
    "bank_account_add",
    "cart_add_item",
    "cart_update_line",
    "checkout_keys_purge",
    "checkout_place",
    "checkout_preview",
    "checkout_quote",
    "ledger_reconcile",
    "order_cancel",
    "order_complete",
    "order_deliver",
    "order_pack",
    "order_refund",
    "order_ship",
    "payment_expire",
    "payment_for_order",
    "payment_notification_receive",
    "payment_open_session",
    "payment_reconcile",
    "payout_notification_receive",
    "payout_request",
    "payout_send",
    "product_create",
    "product_publish_card",
    "product_set_status",
    "product_update",
    "review_reply",
    "review_submit",
    "shop_open",
    "shop_publish_card",
    "shop_update",
    "shop_verify",
    "stock_adjust",
    "variant_create",
    "variant_update",
    "voucher_create",
    "voucher_update",
]
