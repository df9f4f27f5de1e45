"""Account security on Django's own signals, whichever door changed the account.

A new password (the password change and reset pages, the admin's set-password form,
`manage.py changepassword`) revokes the user's API tokens; Django itself already
ends the other sessions then. A re-hash of the same password on sign-in revokes nothing.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save, pre_save

from . import services


def _note_password_change(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    instance._jalin_password_changed = False
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender._default_manager.using(using).filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is None or stored == instance.password:
        return
    plain = getattr(instance, "_password", None)  # set by set_password() until the save
    # The same password hashed anew (a hasher upgrade on sign-in) is no change.
    instance._jalin_password_changed = plain is None or not check_password(plain, stored)


def _revoke_tokens_on_password_change(sender, instance, created=False, raw=False, **kwargs):
    if not raw and not created and getattr(instance, "_jalin_password_changed", False):
        services.api_tokens_revoke(user_id=instance.pk)
        instance._jalin_password_changed = False


def _on_sign_in(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        services.session_record(user_id=user.pk, session_key=session.session_key)


def _on_sign_out(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        services.session_forget(session_key=session.session_key)


def register() -> None:
    User = get_user_model()
    pre_save.connect(_note_password_change, sender=User, dispatch_uid="storefront.password_change.note")
    post_save.connect(_revoke_tokens_on_password_change, sender=User, dispatch_uid="storefront.password_change.tokens")
    user_logged_in.connect(_on_sign_in, dispatch_uid="storefront.sessions.sign_in")
    user_logged_out.connect(_on_sign_out, dispatch_uid="storefront.sessions.sign_out")
