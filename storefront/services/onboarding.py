"""Self-service: a signed-in user opens a shop (Buka Toko) or becomes a creator (Jadi Kreator).

The shop of record is the marketplace's: its rules (fields, a free address, the per-user limit)
live in the marketplace's `shop_open`, reached through the port. Creator profiles are the
storefront's own. Either way the user then gets the admin's seller or creator centre at once:
staff status and the role's group (`settings.ROLE_GROUPS`), in the `default` database.
Attempts are limited per user (the `onboarding` rate), counted alike from the page and the API.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from integration import contracts

from .. import rules
from ..models import Creator
from ._common import ALIAS


class TooManyAttempts(Exception):
    """The user tried too often; `wait` is the seconds until the next attempt counts."""

    def __init__(self, wait: int):
        self.wait = wait
        minutes = max(1, -(-wait // 60))
        super().__init__(_(rules.ONBOARDING_TOO_OFTEN) % {"minutes": minutes})


def onboarding_attempt(*, user_id: int) -> None:
    """Counts one attempt in the current window; `TooManyAttempts` beyond the rate."""
    attempts, seconds = rules.onboarding_rate()
    window = int(time.time()) // seconds
    key = f"storefront:onboarding:{user_id}:{window}"
    if cache.add(key, 1, timeout=seconds):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, timeout=seconds)
            count = 1
    if count > attempts:
        raise TooManyAttempts(seconds - int(time.time()) % seconds)


def role_grant(*, user, role: str) -> None:
    """Gives `user` the admin's centre of `role` ("seller" or "creator"): staff status and the
    role's group. Running it again changes nothing."""
    group = Group.objects.using("default").get(name=settings.ROLE_GROUPS[role])
    with transaction.atomic(using="default"):
        if not user.is_staff:
            user.is_staff = True
            user.save(using="default", update_fields=["is_staff"])
        user.groups.add(group)


def shop_open(
    *,
    user,
    port: contracts.MarketplacePort,
    name: str,
    slug: str,
    city: str,
    province: str,
    pickup_address: str,
    phone: str,
    declares_local_business: bool = False,
    nib: str = "",
) -> contracts.ShopSummary:
    """Opens a shop for `user` through the port; the marketplace refuses bad details by field
    (`InvalidRequest`). The new seller reaches the seller centre at once."""
    onboarding_attempt(user_id=user.id)
    shop = port.open_shop(
        contracts.ShopOpenCommand(
            owner_user_id=user.id,
            name=name,
            slug=slug,
            city=city,
            province=province,
            pickup_address=pickup_address,
            phone=phone,
            declares_local_business=declares_local_business,
            nib=nib,
        )
    )
    role_grant(user=user, role="seller")
    return shop


def creator_join(*, user, handle: str, display_name: str, bio: str = "", accepts_terms: bool = False) -> Creator:
    """Makes `user` a creator with a profile under `handle`; refuses bad details by field
    (`ValidationError`). The new creator reaches the creator centre at once."""
    onboarding_attempt(user_id=user.id)
    handle = rules.handle_normalise(handle)
    display_name = display_name.strip() if isinstance(display_name, str) else ""
    bio = bio.strip() if isinstance(bio, str) else ""
    creators = Creator.objects.using(ALIAS)
    with transaction.atomic(using=ALIAS):
        if creators.filter(user_id=user.id).exists():
            raise ValidationError({"non_field_errors": [str(rules.CREATOR_ALREADY)]})
        errors = rules.creator_join_errors(
            handle=handle,
            display_name=display_name,
            bio=bio,
            accepts_terms=accepts_terms,
            taken=lambda h: creators.filter(handle=h).exists(),
        )
        if errors:
            raise ValidationError(errors)
        try:
            with transaction.atomic(using=ALIAS):
                creator = creators.create(user_id=user.id, handle=handle, display_name=display_name, bio=bio)
        except IntegrityError:
            # Another sign-up took the handle (or this user's profile) meanwhile.
            if creators.filter(user_id=user.id).exists():
                raise ValidationError({"non_field_errors": [str(rules.CREATOR_ALREADY)]}) from None
            raise ValidationError({"handle": [str(rules.HANDLE_TAKEN)]}) from None
    role_grant(user=user, role="creator")
    return creator
