"""Shopper accounts: sign-up and the address book."""

from django.contrib.auth import get_user_model
from django.db import transaction

from ..models import (
    Address,
)
from ._common import ALIAS


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
