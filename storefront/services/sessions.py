"""Sign-in sessions and API tokens: revoked on a password change, or all at once by their owner."""

from importlib import import_module

from django.conf import settings
from django.db import transaction
from rest_framework.authtoken.models import Token

from ..models import AccountSession
from ._common import ALIAS


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_record(*, user_id: int, session_key: str | None) -> None:
    """Notes a signed-in session (called on every sign-in)."""
    if session_key:
        AccountSession.objects.using(ALIAS).update_or_create(session_key=session_key, defaults={"user_id": user_id})


def session_forget(*, session_key: str | None) -> None:
    if session_key:
        AccountSession.objects.using(ALIAS).filter(session_key=session_key).delete()


def api_tokens_revoke(*, user_id: int) -> int:
    """Deletes the user's API tokens: every client signed in with one must sign in again."""
    deleted, _rows = Token.objects.using("default").filter(user_id=user_id).delete()
    return deleted


def sign_out_everywhere(*, user_id: int, keep_session_key: str | None = None) -> int:
    """Ends every session of the user but the one given (the device asking) and revokes
    every API token; returns how many sessions were ended."""
    store = _session_store()
    with transaction.atomic(using=ALIAS):
        sessions = AccountSession.objects.using(ALIAS).select_for_update().filter(user_id=user_id)
        keys = [key for key in sessions.values_list("session_key", flat=True) if key != keep_session_key]
        for key in keys:
            store(session_key=key).delete()
        AccountSession.objects.using(ALIAS).filter(session_key__in=keys).delete()
    api_tokens_revoke(user_id=user_id)
    return len(keys)
