"""Shopper accounts: sign-up, credentials (password, API tokens, sessions) and the address book."""

from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from .. import rules
from ..models import Address, EmailVerification
from ._common import ALIAS

VERIFY_SALT = "storefront.email-verification"


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


def user_sign_up_errors(*, username: str, email: str) -> dict[str, list[str]]:
    """The sign-up rules every door checks: an e-mail address unused in any case, a username
    neither taken nor a look-alike of a taken one. Both arguments already normalised."""
    users = get_user_model().objects.db_manager(IDENTITY)
    errors = {}
    if users.filter(email__iexact=email).exists():
        errors["email"] = [rules.email_taken_message()]
    name_errors = rules.username_errors(username, taken=lambda name: users.filter(username__iexact=name).exists())
    if name_errors:
        errors["username"] = name_errors
    return errors


def user_sign_up(*, username: str, email: str, password: str, verify_url: Callable[[str], str]):
    """Creates a shopper's account (identity lives in the `default` database) and mails the link
    that confirms its e-mail address. Refuses, with per-field messages, what the rules refuse."""
    username, email = rules.username_normalise(username), rules.email_normalise(email)
    errors = user_sign_up_errors(username=username, email=email)
    if errors:
        raise ValidationError(errors)
    User = get_user_model()
    try:
        with transaction.atomic(using=IDENTITY):
            user = User.objects.db_manager(IDENTITY).create_user(username=username, email=email, password=password)
    except IntegrityError:
        # Another sign-up took the address (or the name) meanwhile: the unique indexes held.
        errors = user_sign_up_errors(username=username, email=email) or {"email": [rules.email_taken_message()]}
        raise ValidationError(errors) from None
    email_verification_send(user=user, verify_url=verify_url)
    return user


# --- E-mail verification --------------------------------------------------------------------


def email_verification_send(*, user, verify_url: Callable[[str], str]) -> None:
    """Mails a signed link (valid EMAIL_VERIFICATION_MAX_AGE_HOURS) confirming the user's address."""
    EmailVerification.objects.using(ALIAS).update_or_create(
        user_id=user.pk, defaults={"email": user.email, "verified_at": None}
    )
    token = signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFY_SALT)
    hours = rules.email_verification_max_age() // 3600
    send_mail(
        _("Confirm your e-mail address for Jalin"),
        _("Open this link within %(hours)d hours to confirm your address:\n\n%(url)s\n")
        % {"hours": hours, "url": verify_url(token)},
        None,
        [user.email],
    )


def email_verify(*, token: str) -> int | None:
    """Marks the address in a valid, unexpired link as confirmed; answers the user's id, or None
    when the link is forged, expired or names an address the account no longer has."""
    try:
        claim = signing.loads(token, salt=VERIFY_SALT, max_age=rules.email_verification_max_age())
    except signing.BadSignature:
        return None
    user = get_user_model().objects.db_manager(IDENTITY).filter(pk=claim.get("user")).first()
    if user is None or rules.email_normalise(user.email) != rules.email_normalise(claim.get("email", "")):
        return None
    EmailVerification.objects.using(ALIAS).update_or_create(
        user_id=user.pk, defaults={"email": user.email, "verified_at": timezone.now()}
    )
    return user.pk


def email_mark_verified(*, user_id: int, email: str) -> None:
    """Records an address as confirmed without a link: demo accounts, whose addresses are made up."""
    EmailVerification.objects.using(ALIAS).update_or_create(
        user_id=user_id, defaults={"email": email, "verified_at": timezone.now()}
    )


def email_is_verified(*, user_id: int) -> bool:
    return EmailVerification.objects.using(ALIAS).filter(user_id=user_id, verified_at__isnull=False).exists()


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
