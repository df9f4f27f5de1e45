"""Campaigns such as Beli Lokal: schedule, banner and the rules that pick their products."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from integration import uploads

from .. import rules
from ..models import (
    Campaign,
)
from ._common import ALIAS, _unknown_products


def campaign_create(
    *,
    slug: str,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    headline: str = "",
    description: str = "",
    banner_url: str = "",
    banner: File | None = None,
    local_business_only: bool = False,
    category_ids: list[int] | None = None,
    product_ids: list[int] | None = None,
) -> Campaign:
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [_("A campaign must end after it starts.")]
    if Campaign.objects.using(ALIAS).filter(slug=slug).exists():
        errors["slug"] = [_("A campaign with this slug exists already.")]
    product_ids = list(dict.fromkeys(product_ids or []))
    if unknown := _unknown_products(product_ids):
        errors["product_ids"] = [_("Unknown product(s): %(ids)s.") % {"ids": ", ".join(map(str, unknown))}]
    if not (local_business_only or category_ids or product_ids):
        errors["__all__"] = [_("Choose at least one rule: local businesses, categories or products.")]
    errors |= rules.image_errors("banner", banner, uploads.Kind.BANNER)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(using=ALIAS):
        return Campaign.objects.using(ALIAS).create(
            slug=slug,
            name=name,
            headline=headline,
            description=description,
            banner_url=banner_url,
            banner=banner,
            starts_at=starts_at,
            ends_at=ends_at,
            local_business_only=local_business_only,
            category_ids=sorted(set(category_ids or [])),
            product_ids=product_ids,
        )
