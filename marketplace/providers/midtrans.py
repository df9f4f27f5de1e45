"""Midtrans: Snap hosted payment pages, HTTP notifications and the Core API.

- A session is a Snap transaction (`POST {snap}/snap/v1/transactions`, Basic auth
  with the server key as user and no password); the shopper pays on its
  `redirect_url`. The payment's reference is Midtrans's `order_id`.
- A notification is believed only when its `signature_key` is
  SHA-512(order_id + status_code + gross_amount + server key), and even then its
  status is taken from the Core API (`GET {api}/v2/{order_id}/status`), never
  from the body sent to us.
- Refunds go through `POST {api}/v2/{order_id}/refund` with a `refund_key`, so a
  repeated request refunds nothing twice.

Only the idempotent calls (status, refund with its key) are retried, on a
connection failure or a 5xx answer. Neither key is ever logged nor put in an error.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..payments import (
    EXPIRED,
    FAILED,
    PAID,
    PENDING,
    REFUNDED,
    GatewayError,
    GatewayRefund,
    GatewaySession,
    Notification,
)

logger = logging.getLogger(__name__)

SANDBOX_SNAP_BASE = "https://app.sandbox.midtrans.com"
SANDBOX_API_BASE = "https://api.sandbox.midtrans.com"
PRODUCTION_SNAP_BASE = "https://app.midtrans.com"
PRODUCTION_API_BASE = "https://api.midtrans.com"

# Our payment methods as Snap's `enabled_payments`.
ENABLED_PAYMENTS = {
    "virtual_account": ["bca_va", "bni_va", "bri_va", "permata_va"],
    "ewallet": ["gopay", "shopeepay"],
    "qris": ["other_qris"],
}

# Midtrans's transaction status table (docs: "Transaction Status Cycle").
_STATUS = {
    "settlement": PAID,
    "pending": PENDING,
    "authorize": PENDING,  # a card held, not yet captured
    "deny": FAILED,
    "cancel": FAILED,
    "failure": FAILED,
    "expire": EXPIRED,
    "refund": REFUNDED,
    "partial_refund": REFUNDED,
    "chargeback": REFUNDED,
    "partial_chargeback": REFUNDED,
}
# `capture` (cards) depends on the fraud detection's verdict.
_CAPTURE = {"accept": PAID, "challenge": PENDING, "deny": FAILED}


def base_urls(production: bool) -> tuple[str, str]:
    """(Snap base, Core API base) of the sandbox or of production."""
    return (PRODUCTION_SNAP_BASE, PRODUCTION_API_BASE) if production else (SANDBOX_SNAP_BASE, SANDBOX_API_BASE)


def signature_key(*, order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{server_key}".encode()).hexdigest()


def status_of(transaction_status: str, fraud_status: str = "") -> str:
    """Our word for Midtrans's (transaction_status, fraud_status); "" when not understood."""
    if transaction_status == "capture":
        return _CAPTURE.get(fraud_status or "accept", "")
    return _STATUS.get(transaction_status, "")


def _rupiah(value: Any) -> int:
    """Midtrans writes amounts as "215000.00"; anything not a whole rupiah amount is -1 (matches no payment)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return -1
    return int(amount) if amount == amount.to_integral_value() and amount >= 0 else -1


class MidtransGateway:
    name = "midtrans"

    def __init__(self):
        self._server_key = settings.MIDTRANS_SERVER_KEY or ""
        if not self._server_key:
            raise ImproperlyConfigured("MIDTRANS_SERVER_KEY is empty: the Midtrans gateway cannot sign in.")
        snap, api = base_urls(settings.MIDTRANS_PRODUCTION)
        self.snap_base = (settings.MIDTRANS_SNAP_BASE_URL or snap).rstrip("/")
        self.api_base = (settings.MIDTRANS_API_BASE_URL or api).rstrip("/")
        self.timeout = settings.MIDTRANS_TIMEOUT_SECONDS
        self.retries = max(0, settings.MIDTRANS_RETRIES)
        self.backoff = settings.MIDTRANS_RETRY_BACKOFF_SECONDS

    def __repr__(self) -> str:  # never the key
        return f"<MidtransGateway {self.api_base}>"

    # --- HTTP -----------------------------------------------------------------
    def _call(self, method: str, url: str, *, body: dict | None = None, idempotent: bool) -> httpx.Response:
        attempts = 1 + (self.retries if idempotent else 0)
        problem = ""
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = httpx.request(
                    method,
                    url,
                    json=body,
                    auth=(self._server_key, ""),
                    headers={"Accept": "application/json"},
                    timeout=self.timeout,
                )
            except httpx.TransportError as error:
                problem = type(error).__name__
            else:
                if response.status_code < 500:
                    return response
                problem = f"HTTP {response.status_code}"
            logger.warning("midtrans %s %s failed (attempt %d of %d): %s", method, url, attempt + 1, attempts, problem)
        raise GatewayError(f"Midtrans did not answer {method} {url}: {problem}", code="unavailable")

    @staticmethod
    def _json(response: httpx.Response) -> dict:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise GatewayError(f"Midtrans answered HTTP {response.status_code} without a JSON object", code="invalid")
        return data

    @staticmethod
    def _code(response: httpx.Response, data: dict) -> str:
        """The Core API puts its own status code in the body, whatever the HTTP status."""
        return str(data.get("status_code") or response.status_code)

    # --- the gateway ----------------------------------------------------------
    def create_session(self, *, reference: str, amount: int, method: str) -> GatewaySession:
        body: dict[str, Any] = {
            "transaction_details": {"order_id": reference, "gross_amount": amount},
            "custom_expiry": {"unit": "minute", "duration": settings.PAYMENT_WINDOW_MINUTES},
        }
        if method in ENABLED_PAYMENTS:
            body["enabled_payments"] = ENABLED_PAYMENTS[method]
        # Not retried: a second Snap transaction for the same order_id is refused anyway.
        response = self._call("POST", f"{self.snap_base}/snap/v1/transactions", body=body, idempotent=False)
        data = self._json(response)
        if response.status_code not in (200, 201) or not data.get("redirect_url"):
            messages = data.get("error_messages") or [data.get("status_message", "")]
            raise GatewayError(
                f"Midtrans refused the Snap transaction: HTTP {response.status_code} {'; '.join(map(str, messages))}",
                code=str(response.status_code),
            )
        return GatewaySession(pay_url=str(data["redirect_url"]))

    def status(self, *, reference: str) -> Notification | None:
        response = self._call("GET", f"{self.api_base}/v2/{reference}/status", idempotent=True)
        data = self._json(response)
        code = self._code(response, data)
        if code == "404":
            return None
        if code == "401" or "transaction_status" not in data:
            raise GatewayError(f"Midtrans refused the status of {reference}: {code}", code=code)
        if str(data.get("order_id", reference)) != reference:
            raise GatewayError(f"Midtrans answered the status of another order than {reference}", code="invalid")
        return Notification(
            reference=reference,
            amount=_rupiah(data.get("gross_amount")),
            status=status_of(str(data["transaction_status"]), str(data.get("fraud_status") or "")),
        )

    def parse_notification(self, *, body: bytes, signature: str = "") -> Notification | None:
        """Midtrans signs inside the body (`signature_key`), so `signature` is not used. A
        verified notification is answered with the Core API's status of the order, or with
        status "" when Midtrans itself knows no such order. Raises GatewayError when the
        Core API cannot be asked."""
        try:
            data = json.loads(body)
            fields = [str(data[name]) for name in ("order_id", "status_code", "gross_amount", "signature_key")]
        except (ValueError, KeyError, TypeError):
            return None
        order_id, status_code, gross_amount, sent = fields
        expected = signature_key(
            order_id=order_id, status_code=status_code, gross_amount=gross_amount, server_key=self._server_key
        )
        if not sent or not hmac.compare_digest(expected, sent):
            return None
        checked = self.status(reference=order_id)
        if checked is None:
            return Notification(reference=order_id, amount=_rupiah(gross_amount), status="")
        return checked

    def refund(self, *, reference: str, amount: int, key: str) -> GatewayRefund:
        body = {"refund_key": key, "amount": amount, "reason": "refund"}
        response = self._call("POST", f"{self.api_base}/v2/{reference}/refund", body=body, idempotent=True)
        data = self._json(response)
        code = self._code(response, data)
        if code != "200":
            raise GatewayError(
                f"Midtrans refused the refund {key} of {reference}: {code} {data.get('status_message', '')}", code=code
            )
        status = REFUNDED if data.get("transaction_status") == "refund" else "partially_refunded"
        return GatewayRefund(
            reference=reference,
            key=str(data.get("refund_key", key)),
            amount=_rupiah(data["refund_amount"]),
            status=status,
        )
