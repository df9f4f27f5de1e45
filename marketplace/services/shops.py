"""Shops: opening one (Buka Toko), the seller's edits, the platform's verification, and the
shop event the storefront's shop pages follow."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts, events
from integration.publish import publish

from .. import rules, selectors
from ..models import OutboxEvent, Shop
from ._common import ALIAS, UNSET, _owned

# What a seller may change on their shop; the local mark and the verification are the platform's.
SHOP_FIELDS = ("name", "slug", "city", "province", "pickup_address", "phone", "nib")


def shop_publish_card(*, shop_id: int) -> None:
    """Publishes the shop's facts with a new revision. Call inside the change's transaction."""
    shops = Shop.objects.using(ALIAS).filter(id=shop_id)
    # The update holds the row's lock until commit: one shop's revisions commit in order.
    shops.update(card_revision=F("card_revision") + 1)
    publish(OutboxEvent, events.ShopChanged(shop=selectors.shop_facts_by_id(shop_id)))


def _refused(errors: rules.Errors) -> contracts.InvalidRequest:
    return contracts.InvalidRequest(_("Please correct the shop's details."), fields=errors)


def _save(shop: Shop) -> None:
    """Saves a checked shop; another shop taking the address meanwhile is refused like a taken one."""
    try:
        with transaction.atomic(using=ALIAS):
            shop.save(using=ALIAS)
    except IntegrityError:
        if Shop.objects.using(ALIAS).filter(slug=shop.slug).exclude(id=shop.id).exists():
            raise _refused({"slug": [str(rules.SHOP_SLUG_TAKEN)]}) from None
        raise


# The first key of the transaction-scoped advisory lock that serialises one owner's openings.
OPEN_LOCK_KEY = 0x5E1_0001


def _lock_owner(owner_user_id: int) -> None:
    """Serialises the openings of one owner until commit, so that two at once cannot both pass
    the per-user limit. SQLite takes one writer at a time anyway."""
    connection = transaction.get_connection(ALIAS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [OPEN_LOCK_KEY, owner_user_id % 2**31])


def shop_open(
    *,
    owner_user_id: int,
    name: str,
    slug: str,
    city: str,
    province: str,
    pickup_address: str,
    phone: str,
    declares_local_business: bool = False,
    nib: str = "",
) -> Shop:
    """Opens a shop for `owner_user_id`, usable at once and unverified: its local mark (if
    declared) shows once platform staff verify it. At most `SHOPS_PER_USER_MAX` shops a user."""
    shop = Shop(
        owner_user_id=owner_user_id,
        name=name,
        slug=slug,
        city=city,
        province=province,
        pickup_address=pickup_address,
        phone=phone,
        nib=nib,
        is_local_business=bool(declares_local_business),
    )
    with transaction.atomic(using=ALIAS):
        _lock_owner(owner_user_id)
        errors = rules.shop_errors(shop, using=ALIAS)
        owned = selectors.shops_for_owner(owner_user_id).count()
        if found := rules.shops_per_user_errors(owned, settings.SHOPS_PER_USER_MAX):
            errors["non_field_errors"] = found
        if errors:
            raise _refused(errors)
        _save(shop)
        shop_publish_card(shop_id=shop.id)
    return shop


def shop_update(
    *,
    shop_id: int,
    owner_user_id: int | None = None,
    name: str = UNSET,
    slug: str = UNSET,
    city: str = UNSET,
    province: str = UNSET,
    pickup_address: str = UNSET,
    phone: str = UNSET,
    nib: str = UNSET,
    is_local_business: bool = UNSET,
) -> Shop:
    """The seller's edits (only the fields given change); `is_local_business` is for platform
    staff (`owner_user_id` None). The shop page and its products' cards follow by event."""
    given: dict[str, object] = {
        "name": name,
        "slug": slug,
        "city": city,
        "province": province,
        "pickup_address": pickup_address,
        "phone": phone,
        "nib": nib,
    }
    if owner_user_id is None:
        given["is_local_business"] = is_local_business
    with transaction.atomic(using=ALIAS):
        shops = Shop.objects.using(ALIAS).select_for_update().filter(id=shop_id)
        shop = _owned(shops, owner_user_id, "owner_user_id", _("Shop not found."))
        # Contact details, once given, stay given; a shop set up before self-service may lack them.
        had_contact = bool(shop.pickup_address or shop.phone)
        for field, value in given.items():
            if value is not UNSET:
                setattr(shop, field, value)
        if errors := rules.shop_errors(shop, using=ALIAS, contact_required=had_contact):
            raise _refused(errors)
        _save(shop)
        shop_publish_card(shop_id=shop.id)
    return shop


def shop_verify(*, shop_id: int) -> bool:
    """Platform staff checked the shop: its local mark shows from now on. False when it
    was verified already (nothing changes, no event)."""
    with transaction.atomic(using=ALIAS):
        verified = (
            Shop.objects.using(ALIAS).filter(id=shop_id, verified_at__isnull=True).update(verified_at=timezone.now())
        )
        if verified:
            shop_publish_card(shop_id=shop_id)
    return bool(verified)
