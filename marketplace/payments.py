"""Payment gateways. The marketplace talks to a gateway only outside any stock lock.

`PaymentGateway` is what a provider implements. `SimulatedGateway` is built in:
its hosted page is served by the marketplace on this site (`/gateway/sim/<reference>/`)
and it notifies the marketplace by an HMAC-SHA256 signed callback, like the real
ones do. `marketplace.providers.midtrans.MidtransGateway` is the real one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class GatewaySession:
    pay_url: str
    virtual_account: str = ""


# What a gateway says of a payment, whatever its own words for it.
PAID, PENDING, FAILED, EXPIRED, REFUNDED = "paid", "pending", "failed", "expired", "refunded"


@dataclass(frozen=True)
class Notification:
    reference: str
    amount: int
    status: str  # PAID | PENDING | FAILED | EXPIRED | REFUNDED, or anything else: not understood


@dataclass(frozen=True)
class GatewayRefund:
    reference: str
    key: str
    amount: int  # refunded by this request
    status: str  # REFUNDED (in full) | "partially_refunded"


class GatewayError(Exception):
    """The gateway could not be reached, or refused the request. The message never holds a secret."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.code = code


class PaymentGateway(Protocol):
    name: str

    def create_session(self, *, reference: str, amount: int, method: str) -> GatewaySession: ...

    def parse_notification(self, *, body: bytes, signature: str) -> Notification | None:
        """The notification in `body`, or None when the signature does not verify."""
        ...

    def status(self, *, reference: str) -> Notification | None:
        """What the gateway itself says of the payment now, or None when it knows nothing of it."""
        ...

    def refund(self, *, reference: str, amount: int, key: str) -> GatewayRefund:
        """Gives back `amount` of a paid payment; a repeat with the same `key` refunds nothing more."""
        ...


class SimulatedGateway:
    name = "sim"

    def __init__(self):
        if not settings.PAYMENT_SIMULATOR_ENABLED:
            raise ImproperlyConfigured("The simulated gateway is disabled: set PAYMENT_SIMULATOR_ENABLED to use it.")

    def _secret(self) -> bytes:
        secret = settings.PAYMENT_SIM_SECRET or ""
        if not secret:
            # An empty HMAC key is one anybody can sign with.
            raise ImproperlyConfigured("PAYMENT_SIM_SECRET is empty: the simulated gateway signs and verifies nothing.")
        return secret.encode()

    def create_session(self, *, reference: str, amount: int, method: str) -> GatewaySession:
        account = "8808" + "".join(str(int(c, 16) % 10) for c in reference[:12]) if method == "virtual_account" else ""
        return GatewaySession(
            pay_url=settings.PAYMENT_SIMULATOR_URL.rstrip("/") + reverse("marketplace:gateway_sim", args=[reference]),
            virtual_account=account,
        )

    def sign(self, body: bytes) -> str:
        return hmac.new(self._secret(), body, hashlib.sha256).hexdigest()

    def notification_body(self, *, reference: str, amount: int, status: str = "paid") -> bytes:
        return json.dumps({"reference": reference, "amount": amount, "status": status}, sort_keys=True).encode()

    def parse_notification(self, *, body: bytes, signature: str) -> Notification | None:
        if not settings.PAYMENT_SIM_SECRET or not signature:
            return None  # without a key nothing verifies, whatever was sent
        if not hmac.compare_digest(self.sign(body), signature):
            return None
        try:
            data = json.loads(body)
            return Notification(reference=str(data["reference"]), amount=int(data["amount"]), status=data["status"])
        except (ValueError, KeyError, TypeError):
            return None

    def status(self, *, reference: str) -> Notification | None:
        return None  # the simulator tells only by its callback

    def refund(self, *, reference: str, amount: int, key: str) -> GatewayRefund:
        # Simulated money goes back at once; nothing is kept, so a repeated key is answered alike.
        return GatewayRefund(reference=reference, key=key, amount=amount, status=REFUNDED)


def gateway() -> PaymentGateway:
    return import_string(settings.PAYMENT_GATEWAY)()


def gateway_name() -> str:
    """The configured gateway's name, without building it."""
    return getattr(import_string(settings.PAYMENT_GATEWAY), "name", "")


def online_payment_available() -> bool:
    """False where online payment is switched off or no gateway can be built (the simulator
    switched off and no provider configured)."""
    if not settings.PAYMENT_ONLINE_ENABLED:
        return False
    try:
        gateway()
    except ImproperlyConfigured:
        return False
    return True


def new_reference() -> str:
    return secrets.token_hex(16)
