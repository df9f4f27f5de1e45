"""Commands of the storefront. Each opens one transaction on the storefront database."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Address, Creator, Post, PostProduct, PostStatus, ProductCard

ALIAS = "storefront"


def post_create(
    *, creator: Creator, caption: str, product_ids: list[int], image_url: str = "", publish: bool = True
) -> Post:
    """Creates a post tagging products known to the read model."""
    max_tags = getattr(settings, "STOREFRONT_MAX_TAGS_PER_POST", 6)
    errors = {}
    if len(caption) > Post._meta.get_field("caption").max_length:
        errors["caption"] = [
            _("A caption has at most %(n)d characters.") % {"n": Post._meta.get_field("caption").max_length}
        ]
    unique_ids = list(dict.fromkeys(product_ids))
    if len(unique_ids) > max_tags:
        errors["product_ids"] = [_("A post tags at most %(n)d products.") % {"n": max_tags}]
    else:
        known = set(
            ProductCard.objects.using(ALIAS).filter(product_id__in=unique_ids).values_list("product_id", flat=True)
        )
        unknown = [pid for pid in unique_ids if pid not in known]
        if unknown:
            errors["product_ids"] = [_("Unknown product(s): %(ids)s.") % {"ids": ", ".join(map(str, unknown))}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(using=ALIAS):
        post = Post.objects.using(ALIAS).create(
            creator=creator,
            caption=caption,
            image_url=image_url,
            status=PostStatus.PUBLISHED if publish else PostStatus.DRAFT,
            published_at=timezone.now() if publish else None,
        )
        PostProduct.objects.using(ALIAS).bulk_create(
            PostProduct(post=post, product_id=pid, position=i) for i, pid in enumerate(unique_ids)
        )
    return post


def product_cards_rebuild(*, port, batch_size: int = 1000, progress=lambda n: None) -> int:
    """Rebuilds the read model from the marketplace, in bulk through the port.

    Cards of products the marketplace no longer shows are hidden. Returns the
    number of visible cards.
    """
    from .handlers import card_values

    started = timezone.now()
    visible = 0
    after_id = 0
    while True:
        summaries = port.list_product_summaries(after_id=after_id, limit=batch_size)
        if not summaries:
            break
        cards = [ProductCard(product_id=s.product_id, is_visible=True, **card_values(s)) for s in summaries]
        with transaction.atomic(using=ALIAS):
            ProductCard.objects.using(ALIAS).bulk_create(
                cards,
                batch_size=batch_size,
                update_conflicts=True,
                unique_fields=["product_id"],
                update_fields=[*card_values(summaries[0]).keys(), "is_visible", "updated_at"],
            )
        visible += len(summaries)
        after_id = summaries[-1].product_id
        progress(len(summaries))
    with transaction.atomic(using=ALIAS):
        # Every card written above was stamped after `started`; older ones are gone upstream.
        ProductCard.objects.using(ALIAS).filter(updated_at__lt=started).update(is_visible=False)
    return visible


def address_create(*, user_id: int, values: dict[str, str], label: str = "", make_default: bool = False) -> Address:
    """Saves an address to the shopper's book; the first one becomes the default."""
    with transaction.atomic(using=ALIAS):
        book = Address.objects.using(ALIAS).select_for_update().filter(user_id=user_id)
        has_default = book.filter(is_default=True).exists()
        if make_default and has_default:
            book.filter(is_default=True).update(is_default=False)
        return Address.objects.using(ALIAS).create(
            user_id=user_id, label=label, is_default=make_default or not has_default, **values
        )


def address_delete(*, user_id: int, address_id: int) -> bool:
    """Removes one of the shopper's own addresses; the oldest remaining one becomes the default."""
    with transaction.atomic(using=ALIAS):
        address = Address.objects.using(ALIAS).select_for_update().filter(user_id=user_id, id=address_id).first()
        if address is None:
            return False
        address.delete()
        if address.is_default:
            successor = Address.objects.using(ALIAS).filter(user_id=user_id).order_by("id").first()
            if successor is not None:
                successor.is_default = True
                successor.save(update_fields=["is_default"])
    return True


def user_sign_up(*, username: str, email: str, password: str):
    """Creates a shopper's account; identity lives in the `default` database."""
    User = get_user_model()
    with transaction.atomic(using="default"):
        return User.objects.db_manager("default").create_user(username=username, email=email, password=password)
