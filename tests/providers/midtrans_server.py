"""A local stand-in for Midtrans, over real HTTP: the documented requests and answers of
Snap (create a transaction), the Core API (status, refund) and its HTTP notifications.

It checks Basic auth with the server key, keeps transactions in memory, answers an
unknown order 404 (in the body, as the Core API does), and can be told to fail the next
N calls of a path with a 5xx. Its signatures are computed here, from the documented
formula, not by the adapter under test.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Transaction:
    order_id: str
    gross_amount: int
    enabled_payments: list[str]
    custom_expiry: dict
    transaction_status: str = "pending"
    fraud_status: str = "accept"
    refunded: int = 0
    refunds: dict[str, int] = field(default_factory=dict)

    @property
    def status_code(self) -> str:
        return {"pending": "201", "deny": "202", "cancel": "202", "expire": "407"}.get(self.transaction_status, "200")

    def amount(self) -> str:
        return f"{self.gross_amount}.00"


class MidtransServer:
    def __init__(self, server_key: str):
        self.server_key = server_key
        self.transactions: dict[str, Transaction] = {}
        self.requests: list[tuple[str, str, dict | None, str]] = []  # method, path, body, Authorization
        self.fail_next: dict[str, int] = {}  # path -> how many calls answer 503
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> MidtransServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    # --- driving it from a test ---------------------------------------------
    def settle(self, order_id: str, status: str = "settlement", fraud: str = "accept") -> None:
        self.transactions[order_id].transaction_status, self.transactions[order_id].fraud_status = status, fraud

    def notification(self, order_id: str, *, gross_amount: str | None = None, key: str | None = None) -> bytes:
        """The body Midtrans would POST for the transaction's current status, signed with
        `key` (the server key unless told otherwise)."""
        t = self.transactions[order_id]
        amount = gross_amount or t.amount()
        signed = f"{order_id}{t.status_code}{amount}{key if key is not None else self.server_key}"
        return json.dumps(
            {
                "transaction_time": "2026-12-03 14:00:00",
                "transaction_status": t.transaction_status,
                "transaction_id": f"tx-{order_id}",
                "status_message": "midtrans payment notification",
                "status_code": t.status_code,
                "signature_key": hashlib.sha512(signed.encode()).hexdigest(),
                "payment_type": "bank_transfer",
                "order_id": order_id,
                "merchant_id": "G000000000",
                "gross_amount": amount,
                "fraud_status": t.fraud_status,
                "currency": "IDR",
            }
        ).encode()

    # --- the HTTP side ------------------------------------------------------
    def _answer(self, method: str, path: str, body: dict | None, authorization: str) -> tuple[int, dict]:
        with self._lock:
            self.requests.append((method, path, body, authorization))
            if self.fail_next.get(path):
                self.fail_next[path] -= 1
                return 503, {"status_code": "503", "status_message": "Midtrans is being maintained"}
            expected = "Basic " + base64.b64encode(f"{self.server_key}:".encode()).decode()
            if authorization != expected:
                return 401, {"status_code": "401", "error_messages": ["Access denied due to unauthorized transaction"]}
            if method == "POST" and path == "/snap/v1/transactions":
                return self._create(body or {})
            parts = path.strip("/").split("/")
            if len(parts) == 3 and parts[0] == "v2":
                transaction = self.transactions.get(parts[1])
                if transaction is None:
                    return 404, {"status_code": "404", "status_message": "Transaction doesn't exist."}
                if method == "GET" and parts[2] == "status":
                    return 200, self._status(transaction)
                if method == "POST" and parts[2] == "refund":
                    return self._refund(transaction, body or {})
            return 404, {"status_code": "404", "status_message": "Not found"}

    def _create(self, body: dict) -> tuple[int, dict]:
        details = body.get("transaction_details") or {}
        order_id, amount = details.get("order_id"), details.get("gross_amount")
        if not order_id or not isinstance(amount, int) or amount < 1:
            return 400, {"error_messages": ["transaction_details.gross_amount is required"]}
        if order_id in self.transactions:
            return 400, {"error_messages": ["transaction_details.order_id sudah digunakan"]}
        self.transactions[order_id] = Transaction(
            order_id, amount, list(body.get("enabled_payments") or []), dict(body.get("custom_expiry") or {})
        )
        token = hashlib.sha256(order_id.encode()).hexdigest()[:36]
        return 201, {"token": token, "redirect_url": f"{self.url}/snap/v4/redirection/{token}"}

    def _status(self, t: Transaction) -> dict:
        return {
            "status_code": t.status_code,
            "status_message": "Success, transaction is found",
            "transaction_id": f"tx-{t.order_id}",
            "order_id": t.order_id,
            "gross_amount": t.amount(),
            "currency": "IDR",
            "payment_type": "bank_transfer",
            "transaction_time": "2026-12-03 14:00:00",
            "transaction_status": t.transaction_status,
            "fraud_status": t.fraud_status,
        }

    def _refund(self, t: Transaction, body: dict) -> tuple[int, dict]:
        key, amount = str(body.get("refund_key", "")), body.get("amount", t.gross_amount - t.refunded)
        if t.transaction_status not in ("settlement", "partial_refund") and key not in t.refunds:
            return 412, {"status_code": "412", "status_message": "Merchant cannot modify the status of the transaction"}
        if key not in t.refunds:  # a repeated key refunds nothing more
            if not isinstance(amount, int) or amount < 1 or t.refunded + amount > t.gross_amount:
                return 400, {"status_code": "400", "status_message": "Refund amount exceeds the transaction amount"}
            t.refunds[key] = amount
            t.refunded += amount
            t.transaction_status = "refund" if t.refunded == t.gross_amount else "partial_refund"
        return 200, {
            "status_code": "200",
            "status_message": "Success, refund request is approved",
            "transaction_id": f"tx-{t.order_id}",
            "order_id": t.order_id,
            "payment_type": "bank_transfer",
            "transaction_status": t.transaction_status,
            "gross_amount": t.amount(),
            "refund_amount": f"{t.refunds[key]}.00",
            "refund_key": key,
        }

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                status, answer = server._answer(method, self.path, body, self.headers.get("Authorization", ""))
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def log_message(self, format, *args):  # quiet
                pass

        return Handler
