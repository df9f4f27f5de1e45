"""The REST API's idempotency keys: claimed, completed with the stored answer, or released."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts

from ..models import (
    ApiIdempotencyRecord,
)
from ._common import ALIAS

# A call that has not finished by then crashed; its key may be claimed again.
IDEMPOTENCY_IN_FLIGHT_TIMEOUT = timedelta(seconds=60)


def api_idempotency_claim(*, user_id: int, key: str, fingerprint: str) -> ApiIdempotencyRecord:
    """Claims `key` for a call whose body hashes to `fingerprint`.

    Returns the record: in flight when this call should run, done when it ran
    already (its stored answer is the answer). Raises `Conflict` when the key
    was used for another body, or while another call with it still runs.
    """
    now = timezone.now()
    with transaction.atomic(using=ALIAS):
        record, created = (
            ApiIdempotencyRecord.objects.using(ALIAS)
            .select_for_update()
            .get_or_create(user_id=user_id, key=key, defaults={"fingerprint": fingerprint, "started_at": now})
        )
        if created:
            return record
        if record.fingerprint != fingerprint:
            raise contracts.Conflict(
                _("This Idempotency-Key was already used with a different request."),
                code="idempotency_key_reused",
                fields={"Idempotency-Key": [_("Already used with a different request.")]},
            )
        if record.state == ApiIdempotencyRecord.State.DONE:
            return record
        if record.started_at > now - IDEMPOTENCY_IN_FLIGHT_TIMEOUT:
            raise contracts.Conflict(
                _("A request with this Idempotency-Key is still being processed; retry shortly."),
                code="idempotency_key_in_flight",
            )
        record.started_at = now
        record.save(using=ALIAS, update_fields=["started_at"])
    return record


def api_idempotency_complete(*, record_id: int, status: int, body: dict) -> None:
    """Stores the answer that every repeat of the call gets."""
    with transaction.atomic(using=ALIAS):
        ApiIdempotencyRecord.objects.using(ALIAS).filter(id=record_id).update(
            state=ApiIdempotencyRecord.State.DONE, response_status=status, response_body=body
        )


def api_idempotency_release(*, record_id: int) -> None:
    """Frees the key of a call that failed, so that the client may fix the request and retry."""
    with transaction.atomic(using=ALIAS):
        ApiIdempotencyRecord.objects.using(ALIAS).filter(
            id=record_id, state=ApiIdempotencyRecord.State.IN_FLIGHT
        ).delete()
