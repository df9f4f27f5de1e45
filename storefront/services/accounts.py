"""Shopper accounts: sign-up, credentials (password, API tokens, sessions) and the address book."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

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


IDENTITY = "default"  # users, sessions and API tokens


def user_tokens_revoke(*, user_id: int) -> int:
    """Deletes every API token of the user; a client signs in again for a new one."""
    deleted, _by_model = Token.objects.using(IDENTITY).filter(user_id=user_id).delete()
    return deleted


def user_password_save(*, user) -> None:
    """Stores a password already set on `user` (changed, reset, or set by staff) and revokes the
    user's API tokens with it. Other sessions end by themselves: a session's auth hash is derived
    from the password, so the door that keeps the current one signed in re-stamps it."""
    with transaction.atomic(using=IDENTITY):
        user.save(using=IDENTITY, update_fields=["password"])
        user_tokens_revoke(user_id=user.pk)


def user_sign_out_everywhere(*, user_id: int, keep_session_key: str | None = None) -> int:
    """Revokes the user's API tokens and ends every other session of theirs; answers how many ended.

    Sessions store the user id only inside their encoded data, so this reads the unexpired ones:
    paid for when a user asks, never on an ordinary sign-in or request."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    user_tokens_revoke(user_id=user_id)
    live = Session.objects.using(IDENTITY).filter(expire_date__gt=timezone.now()).exclude(session_key=keep_session_key)
    for session in live.iterator():
        if session.get_decoded().get("_auth_user_id") == str(user_id):
            # Through the session store, so a cached copy (cached_db) goes too.
            store(session_key=session.session_key).delete()
            ended += 1
    return ended
