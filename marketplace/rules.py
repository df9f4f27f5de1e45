"""The catalogue's rulebook: every limit and check of products, variants, stock and vouchers.

The services enforce these rules when they write. The doors (the seller API's serializers,
the admin's forms, the import resources) read the same limits and messages from here, so
that a bad value is refused with the same words whichever way it came in, and the API's
schema cannot drift from what the services accept. Amounts are whole rupiah.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop

from integration import uploads
from integration.contracts import ID_MAX
from integration.text import message

from .models import Category, FreeShippingCampaign, PlatformVoucher, Shop, Variant, Voucher, VoucherKind


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Whole:
    """A whole number from `low` to `high`, both included, other than those `excluded`."""

    low: int
    high: int
    message: str
    excluded: tuple[int, ...] = ()

    def errors(self, value) -> list[str]:
        if not _is_whole(value) or not self.low <= value <= self.high or value in self.excluded:
            return [str(self.message)]
        return []

    def schema(self) -> dict:
        """The rule as an OpenAPI schema, for a field whose rule a plain minimum and maximum cannot say."""
        schema = {"type": "integer", "minimum": self.low, "maximum": self.high}
        if self.excluded:
            schema["not"] = {"enum": list(self.excluded)}
        return schema

    def field_kwargs(self) -> dict:
        """The bounds and message of a form or serializer integer field (Django and DRF name them alike)."""
        text = self.message
        return {"min_value": self.low, "max_value": self.high, "error_messages": {"min_value": text, "max_value": text}}


@dataclass(frozen=True)
class Text:
    """Text of at most `max_length` characters (after trimming); `required` refuses it empty."""

    max_length: int
    message: str
    required: bool = True
    blank_message: str | None = None  # what an empty value is told, when not `message`

    @property
    def _blank(self) -> str:
        return self.blank_message or self.message

    def errors(self, value) -> list[str]:
        if value is None:
            value = ""
        if isinstance(value, Promise):
            value = str(value)  # a translated text not shown yet
        if not isinstance(value, str):
            return [str(self.message)]
        value = value.strip()
        if self.required and not value:
            return [str(self._blank)]
        if len(value) > self.max_length:
            return [str(self.message)]
        return []

    def field_kwargs(self) -> dict:
        """The length and messages of a form or serializer text field."""
        messages = {"max_length": self.message}
        if self.required:
            messages |= {"required": self._blank, "blank": self._blank}
        return {"max_length": self.max_length, "error_messages": messages}


WHOLE_NUMBER = gettext_noop("Enter a whole number from %(low)d to %(high)d.")


def _whole(low: int, high: int, template: str = WHOLE_NUMBER) -> Whole:
    return Whole(low, high, message(template, low=low, high=high))


ID = _whole(1, ID_MAX)  # an id a seller sends: it must fit every database's id column

# --- Products -------------------------------------------------------------------------------

TITLE = Text(200, message(gettext_noop("Enter a title of at most %(n)d characters."), n=200))
DESCRIPTION = Text(
    10_000, message(gettext_noop("A description has at most %(n)d characters."), n=10_000), required=False
)
IMAGE_URL = Text(300, message(gettext_noop("An image address has at most %(n)d characters."), n=300), required=False)
COMMISSION_BP = _whole(
    0, 8000, gettext_noop("Commission is between %(low)d and %(high)d basis points (at most 80 percent).")
)
VARIANTS_PER_PRODUCT = 50
VARIANTS_TOO_MANY = message(gettext_noop("A product has at most %(n)d variants."), n=VARIANTS_PER_PRODUCT)
CATEGORY_UNKNOWN = message(gettext_noop("Choose an existing category."))

PRODUCT_LIMITS = {"title": TITLE, "description": DESCRIPTION, "image_url": IMAGE_URL, "commission_bp": COMMISSION_BP}

# --- Variants -------------------------------------------------------------------------------

VARIANT_NAME = Text(100, message(gettext_noop("Enter a name of at most %(n)d characters."), n=100))
SKU = Text(64, message(gettext_noop("Enter a SKU of at most %(n)d characters."), n=64))
SKU_TAKEN = message(gettext_noop("Enter a SKU no other variant uses."))
PRICE = _whole(1, 1_000_000_000)
WEIGHT_GRAMS = _whole(1, 100_000)
MAX_PER_ORDER = _whole(1, 999)

VARIANT_LIMITS = {
    "name": VARIANT_NAME,
    "sku": SKU,
    "price": PRICE,
    "weight_grams": WEIGHT_GRAMS,
    "max_per_order": MAX_PER_ORDER,
}

# --- Stock ----------------------------------------------------------------------------------

OPENING_STOCK = _whole(0, 1_000_000)
STOCK_DELTA = Whole(
    -1_000_000,
    1_000_000,
    message(gettext_noop("Enter a non-zero whole number of units (at most a million).")),
    excluded=(0,),
)
STOCK_REASON = Text(
    255,
    message(gettext_noop("Say why the stock changes, in at most %(n)d characters."), n=255),
    blank_message=message(gettext_noop("Say why the stock changes.")),
)
OPENING_STOCK_REASON = message(gettext_noop("Opening stock"))

# --- Vouchers -------------------------------------------------------------------------------

VOUCHER_CODE = Text(30, message(gettext_noop("Use 1 to 30 letters and digits.")))
VOUCHER_PERCENT = _whole(1, 100, gettext_noop("A percentage is between %(low)d and %(high)d."))
VOUCHER_AMOUNT = Whole(1, 100_000_000, message(gettext_noop("Enter an amount between Rp 1 and Rp 100.000.000.")))
VOUCHER_MIN_SPEND = _whole(0, 10**12)
VOUCHER_MAX_DISCOUNT = _whole(0, 10**12)
VOUCHER_USAGE_LIMIT = _whole(0, 10**9)
VOUCHER_PER_BUYER_LIMIT = _whole(1, 10**6)
VOUCHER_KIND_UNKNOWN = message(gettext_noop("Choose percentage or fixed amount."))
VOUCHER_WINDOW = message(gettext_noop("The voucher must end after it starts."))
# A voucher's dates lie in this calendar span (UTC): beyond it a date is a typing slip, and
# a date near year 1 cannot even be shown in local time.
VOUCHER_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
VOUCHER_LATEST = datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC)
VOUCHER_DATE_RANGE = message(gettext_noop("Choose a date from 1 January 2000 to 31 December 2100."))
VOUCHER_USED_MORE = message(gettext_noop("It has been used more often already."))
VOUCHER_CODE_TAKEN = message(gettext_noop("This shop already has a voucher with this code."))
PLATFORM_VOUCHER_CODE_TAKEN = message(gettext_noop("Another platform voucher has this code."))
SHOP_SHARE_BP = _whole(0, 10_000, gettext_noop("A shops' share is between %(low)d and %(high)d basis points."))
SHOP_SHARE_WITHOUT_SHOPS = message(gettext_noop("A shops' share needs participating shops."))
SHOPS_UNKNOWN = message(gettext_noop("Choose existing shops."))
CAMPAIGN_KEY = Text(100, message(gettext_noop("Enter a campaign key of at most %(n)d characters."), n=100))
CAMPAIGN_NAME = Text(120, message(gettext_noop("Enter a name of at most %(n)d characters."), n=120))
CAMPAIGN_KEY_TAKEN = message(gettext_noop("Another free-shipping campaign has this key."))
CAMPAIGN_NO_SHOPS = message(gettext_noop("Choose at least one eligible shop."))

# `value` is bounded by the wider of its two kinds; `voucher_errors` narrows it by kind.
VOUCHER_LIMITS = {
    "code": VOUCHER_CODE,
    "value": VOUCHER_AMOUNT,
    "min_spend": VOUCHER_MIN_SPEND,
    "max_discount": VOUCHER_MAX_DISCOUNT,
    "usage_limit": VOUCHER_USAGE_LIMIT,
    "per_buyer_limit": VOUCHER_PER_BUYER_LIMIT,
}


# --- Checks ---------------------------------------------------------------------------------

Errors = dict[str, list[str]]


def _limit_errors(instance, limits: dict, *, optional: tuple[str, ...] = ()) -> Errors:
    errors: Errors = {}
    for name, rule in limits.items():
        value = getattr(instance, name)
        if value is None and name in optional:
            continue
        if found := rule.errors(value):
            errors[name] = found
    return errors


def product_errors(product, *, using: str = "marketplace") -> Errors:
    """What is wrong with `product` (trimming its title first), by field."""
    product.title = (product.title or "").strip()
    errors = _limit_errors(product, PRODUCT_LIMITS)
    if product.category_id is not None and not Category.objects.using(using).filter(id=product.category_id).exists():
        errors["category_id"] = [str(CATEGORY_UNKNOWN)]
    if (
        product.image
        and not product.image._committed
        and (found := uploads.upload_errors(uploads.Kind.PRODUCT_IMAGE, product.image.file))
    ):
        errors["image"] = found  # a new upload, not the stored one
    return errors


def variant_errors(variant, *, taken_skus=(), using: str = "marketplace") -> Errors:
    """What is wrong with `variant` (trimming its SKU first), by field. `taken_skus`: those of
    other variants not written yet (the same request's)."""
    variant.sku = (variant.sku or "").strip() if isinstance(variant.sku, str) else variant.sku
    errors = _limit_errors(variant, VARIANT_LIMITS)
    if "sku" not in errors and (
        variant.sku in taken_skus
        or Variant.objects.using(using).filter(sku=variant.sku).exclude(id=variant.id).exists()
    ):
        errors["sku"] = [str(SKU_TAKEN)]
    return errors


def variant_count_errors(count: int) -> list[str]:
    return [str(VARIANTS_TOO_MANY)] if count > VARIANTS_PER_PRODUCT else []


def opening_stock_errors(units) -> list[str]:
    return OPENING_STOCK.errors(units)


def stock_change_errors(delta, reason) -> Errors:
    errors: Errors = {}
    if found := STOCK_DELTA.errors(delta):
        errors["delta"] = found
    if found := STOCK_REASON.errors(reason):
        errors["reason"] = found
    return errors


def stock_floor_errors(on_hand_after: int, reserved: int) -> list[str]:
    """Stock on hand never goes below what open orders reserved."""
    if on_hand_after < reserved:
        return [gettext("Stock cannot go below the %(reserved)d units reserved for orders.") % {"reserved": reserved}]
    return []


def _voucher_terms_errors(voucher) -> Errors:
    """The terms a shop's and the platform's vouchers share (normalising the code first): code,
    kind and value, limits, validity window, and a usage limit not below the uses made."""
    voucher.code = (voucher.code or "").strip().upper() if isinstance(voucher.code, str) else voucher.code
    errors = _limit_errors(voucher, VOUCHER_LIMITS, optional=("max_discount", "usage_limit"))
    if "code" not in errors and not voucher.code.isalnum():
        errors["code"] = [str(VOUCHER_CODE.message)]
    errors.pop("value", None)
    if voucher.kind not in VoucherKind.values:
        errors["kind"] = [str(VOUCHER_KIND_UNKNOWN)]
    else:
        value_rule = VOUCHER_PERCENT if voucher.kind == VoucherKind.PERCENT else VOUCHER_AMOUNT
        if found := value_rule.errors(voucher.value):
            errors["value"] = found
    errors |= _window_errors(voucher)
    if (
        "usage_limit" not in errors
        and voucher.usage_limit is not None
        and voucher.usage_limit < (voucher.used_count or 0)
    ):
        errors["usage_limit"] = [str(VOUCHER_USED_MORE)]
    return errors


def voucher_errors(voucher, *, using: str = "marketplace") -> Errors:
    """What is wrong with a shop's `voucher` (normalising its code first), by field."""
    errors = _voucher_terms_errors(voucher)
    if (
        not errors
        and Voucher.objects.using(using)
        .filter(shop_id=voucher.shop_id, code=voucher.code)
        .exclude(id=voucher.id)
        .exists()
    ):
        errors["code"] = [str(VOUCHER_CODE_TAKEN)]
    return errors


def _window_errors(row) -> Errors:
    errors: Errors = {}
    for name in ("starts_at", "ends_at"):
        moment = getattr(row, name)
        if moment is not None and not VOUCHER_EARLIEST <= moment <= VOUCHER_LATEST:
            errors[name] = [str(VOUCHER_DATE_RANGE)]
    if not errors and (row.starts_at is None or row.ends_at is None or row.starts_at >= row.ends_at):
        errors["ends_at"] = [str(VOUCHER_WINDOW)]
    return errors


def _shop_errors(shop_ids, using: str) -> list[str]:
    ids = set(shop_ids)
    if Shop.objects.using(using).filter(id__in=ids).count() != len(ids):
        return [str(SHOPS_UNKNOWN)]
    return []


def platform_voucher_errors(voucher, *, shop_ids=(), using: str = "marketplace") -> Errors:
    """What is wrong with a platform voucher and its participating shops (normalising its code
    first), by field: the shop voucher's terms, plus the shops' share."""
    errors = _voucher_terms_errors(voucher)
    if found := SHOP_SHARE_BP.errors(voucher.shop_share_bp):
        errors["shop_share_bp"] = found
    elif voucher.shop_share_bp and not shop_ids:
        errors["shop_share_bp"] = [str(SHOP_SHARE_WITHOUT_SHOPS)]
    if found := _shop_errors(shop_ids, using):
        errors["shops"] = found
    if not errors and PlatformVoucher.objects.using(using).filter(code=voucher.code).exclude(id=voucher.id).exists():
        errors["code"] = [str(PLATFORM_VOUCHER_CODE_TAKEN)]
    return errors


def free_shipping_errors(campaign, *, shop_ids=(), using: str = "marketplace") -> Errors:
    """What is wrong with a free-shipping campaign and its eligible shops, by field."""
    campaign.campaign_key = (campaign.campaign_key or "").strip()
    limits = {
        "campaign_key": CAMPAIGN_KEY,
        "name": CAMPAIGN_NAME,
        "max_per_order": VOUCHER_MAX_DISCOUNT,
        "max_per_checkout": VOUCHER_MAX_DISCOUNT,
        "min_spend": VOUCHER_MIN_SPEND,
    }
    errors = _limit_errors(campaign, limits, optional=("max_per_order", "max_per_checkout"))
    errors |= _window_errors(campaign)
    if not shop_ids:
        errors["shops"] = [str(CAMPAIGN_NO_SHOPS)]
    elif found := _shop_errors(shop_ids, using):
        errors["shops"] = found
    if (
        "campaign_key" not in errors
        and FreeShippingCampaign.objects.using(using)
        .filter(campaign_key=campaign.campaign_key)
        .exclude(id=campaign.id)
        .exists()
    ):
        errors["campaign_key"] = [str(CAMPAIGN_KEY_TAKEN)]
    return errors


# --- Shops ------------------------------------------------------------------------------------

SHOP_NAME = Text(
    120,
    message(gettext_noop("Enter a shop name of at most %(n)d characters."), n=120),
    blank_message=message(gettext_noop("Enter the shop's name.")),
)
SHOP_SLUG_MIN, SHOP_SLUG_MAX = 3, 50
SHOP_SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SHOP_SLUG = message(
    gettext_noop("Use %(low)d to %(high)d lower-case letters, digits and single hyphens, e.g. batik-sekar."),
    low=SHOP_SLUG_MIN,
    high=SHOP_SLUG_MAX,
)
SHOP_SLUG_TAKEN = message(gettext_noop("Another shop already uses this address."))
# Addresses the shop pages themselves use: /shops/open/ opens a shop.
SHOP_SLUG_RESERVED = frozenset({"open", "new", "admin", "api"})
SHOP_CITY = Text(
    80,
    message(gettext_noop("Enter a city of at most %(n)d characters."), n=80),
    blank_message=message(gettext_noop("Enter the shop's city.")),
)
SHOP_PROVINCE = Text(
    80,
    message(gettext_noop("Enter a province of at most %(n)d characters."), n=80),
    blank_message=message(gettext_noop("Enter the shop's province.")),
)
PICKUP_ADDRESS = Text(
    255,
    message(gettext_noop("Enter a pickup address of at most %(n)d characters."), n=255),
    blank_message=message(gettext_noop("Enter the address couriers collect parcels from.")),
)
SHOP_PHONE_DIGITS = (8, 15)
SHOP_PHONE = message(
    gettext_noop("Enter a phone number of %(low)d to %(high)d digits, e.g. 0812 3456 7890."),
    low=SHOP_PHONE_DIGITS[0],
    high=SHOP_PHONE_DIGITS[1],
)
NIB_DIGITS = 13
NIB = message(gettext_noop("A business identification number (NIB) has %(n)d digits."), n=NIB_DIGITS)
SHOPS_PER_USER_REACHED = gettext_noop("You already have %(n)d shops, the most one account may open.")


def shop_slug_normalise(slug) -> str:
    return slug.strip().lower() if isinstance(slug, str) else ""


def phone_digits(phone: str) -> str:
    """The digits of a phone number typed with spaces, hyphens, dots or a leading +."""
    text = phone.strip()
    text = text.removeprefix("+")
    if any(c not in "0123456789 -." for c in text):
        return ""
    return "".join(c for c in text if c.isdigit())


def shop_errors(shop, *, using: str = "marketplace", contact_required: bool = True) -> Errors:
    """What is wrong with `shop` (trimming its texts and lower-casing its address first), by field.

    A shop opened by its seller has a pickup address and a phone; one set up by platform staff
    before self-service may lack them until its seller adds them (`contact_required` False)."""
    for name in ("name", "city", "province", "pickup_address", "phone", "nib"):
        value = getattr(shop, name)
        setattr(shop, name, value.strip() if isinstance(value, str) else value)
    shop.slug = shop_slug_normalise(shop.slug)
    limits = {"name": SHOP_NAME, "city": SHOP_CITY, "province": SHOP_PROVINCE}
    if contact_required or shop.pickup_address:
        limits["pickup_address"] = PICKUP_ADDRESS
    errors = _limit_errors(shop, limits)
    slug = shop.slug
    if not SHOP_SLUG_MIN <= len(slug) <= SHOP_SLUG_MAX or not re.match(SHOP_SLUG_PATTERN, slug):
        errors["slug"] = [str(SHOP_SLUG)]
    elif slug in SHOP_SLUG_RESERVED or Shop.objects.using(using).filter(slug=slug).exclude(id=shop.id).exists():
        errors["slug"] = [str(SHOP_SLUG_TAKEN)]
    phone = shop.phone if isinstance(shop.phone, str) else ""
    low, high = SHOP_PHONE_DIGITS
    if (contact_required or phone) and (not low <= len(phone_digits(phone)) <= high or len(phone) > 30):
        errors["phone"] = [str(SHOP_PHONE)]
    nib = shop.nib if isinstance(shop.nib, str) else None
    if nib is None or (nib and (len(nib) != NIB_DIGITS or not nib.isascii() or not nib.isdigit())):
        errors["nib"] = [str(NIB)]
    return errors


def shops_per_user_errors(owned: int, limit: int) -> list[str]:
    """A user may own at most `limit` shops (`SHOPS_PER_USER_MAX`)."""
    return [gettext(SHOPS_PER_USER_REACHED) % {"n": limit}] if owned >= limit else []


# --- Payees' money -----------------------------------------------------------------------------

PAYOUT_KEY_MAX_LENGTH = 100  # Payout.idempotency_key
PAYOUT_AMOUNT_MAX = 10**13
STATEMENT_MAX_DAYS = 366
STATEMENT_REVERSED = message(gettext_noop("The period must not end before it starts."))
STATEMENT_TOO_LONG = message(gettext_noop("A statement covers at most %(n)d days."), n=STATEMENT_MAX_DAYS)


def statement_period_problems(date_from, date_to) -> dict[str, list[str]]:
    """What is wrong with a statement's period (dates in Asia/Jakarta, both included)."""
    if date_from > date_to:
        return {"to": [str(STATEMENT_REVERSED)]}
    if (date_to - date_from).days + 1 > STATEMENT_MAX_DAYS:
        return {"to": [str(STATEMENT_TOO_LONG)]}
    return {}
