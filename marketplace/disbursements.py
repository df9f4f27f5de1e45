"""Disbursement gateways: bank account inquiry and payouts to sellers and creators.

`DisbursementGateway` is what a real provider implements. `SimulatedDisbursements`
is built in, like the simulated payment gateway: it answers an account inquiry from
the number alone, and answers a payout at once (a real provider answers later, by an
HMAC-signed callback; the simulator signs and verifies those too).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from integration import money

BANKS = money.BANKS  # code -> name


@dataclass(frozen=True)
class Inquiry:
    found: bool
    holder_name: str = ""


@dataclass(frozen=True)
class PayoutNotification:
    reference: str
    amount: int
    status: str  # "succeeded" | "failed"
    reason: str = ""


class DisbursementGateway(Protocol):
    name: str

    def inquire(self, *, bank_code: str, number: str) -> Inquiry:
        """Who holds the account, as the bank says."""
        ...

    def create_payout(
        self, *, reference: str, amount: int, bank_code: str, number: str, holder_name: str
    ) -> PayoutNotification | None:
        """Hands the payout to the provider, idempotently by `reference`. The outcome, when the
        provider knows it at once; otherwise None, and it comes by callback."""
        ...

    def parse_notification(self, *, body: bytes, signature: str) -> PayoutNotification | None:
        """The notification in `body`, or None when the signature does not verify."""
        ...


class SimulatedDisbursements:
    """An account whose number ends in 0000 does not exist; a payout to one ending in 9 bounces."""

    name = "sim"

    def __init__(self):
        if not settings.DISBURSEMENT_SIMULATOR_ENABLED:
            raise ImproperlyConfigured("The simulated disbursement gateway is disabled.")

    def _secret(self) -> bytes:
        secret = settings.DISBURSEMENT_SIM_SECRET or ""
        if not secret:
            raise ImproperlyConfigured("DISBURSEMENT_SIM_SECRET is empty: the simulator signs and verifies nothing.")
        return secret.encode()

    def inquire(self, *, bank_code: str, number: str) -> Inquiry:
        if bank_code not in BANKS or number.endswith("0000"):
            return Inquiry(found=False)
        return Inquiry(found=True, holder_name=f"SIM {number[-4:]}")

    def create_payout(
        self, *, reference: str, amount: int, bank_code: str, number: str, holder_name: str
    ) -> PayoutNotification | None:
        if settings.DISBURSEMENT_SIM_BY_CALLBACK:
            return None  # the outcome comes by `payout_notification_receive`
        if number.endswith("9"):
            return PayoutNotification(reference, amount, "failed", reason="rejected by the bank")
        return PayoutNotification(reference, amount, "succeeded")

    def sign(self, body: bytes) -> str:
        return hmac.new(self._secret(), body, hashlib.sha256).hexdigest()

    def notification_body(self, *, reference: str, amount: int, status: str, reason: str = "") -> bytes:
        data = {"reference": reference, "amount": amount, "status": status, "reason": reason}
        return json.dumps(data, sort_keys=True).encode()

    def parse_notification(self, *, body: bytes, signature: str) -> PayoutNotification | None:
        if not settings.DISBURSEMENT_SIM_SECRET or not signature:
            return None
        if not hmac.compare_digest(self.sign(body), signature):
            return None
        try:
            data = json.loads(body)
            return PayoutNotification(
                reference=str(data["reference"]),
                amount=int(data["amount"]),
                status=str(data["status"]),
                reason=str(data.get("reason", "")),
            )
        except (ValueError, KeyError, TypeError):
            return None


def gateway() -> DisbursementGateway:
    return import_string(settings.DISBURSEMENT_GATEWAY)()
