"""A local fake of the parts of Stripe's API the app calls, with Stripe's response shapes:
create and retrieve Checkout Sessions, and create refunds. Started by the tests in a thread;
the app reaches it through STRIPE_API_BASE. Webhooks are signed as Stripe signs them.
"""
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

WEBHOOK_SECRET = "whsec_test_secret"


def _nest(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (line_items[0][price_data][currency]=gbp) as nested dicts."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return root


class FakeStripe:
    def __init__(self):
        self.sessions: dict[str, dict] = {}
        self.refunds: list[dict] = []
        self.requests: list[tuple[str, str, dict, dict]] = []
        self.failing_refunds: set[str] = set()
        self._idempotent: dict[str, tuple[int, dict]] = {}
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # -- what a test does on Stripe's side -----------------------------------------------------

    def only_session(self) -> dict:
        assert len(self.sessions) == 1, self.sessions
        return next(iter(self.sessions.values()))

    def pay(self, session_id: str) -> dict:
        """The person pays on Stripe's page."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid",
                       payment_intent=f"pi_{uuid.uuid4().hex[:24]}")
        return session

    def let_expire(self, session_id: str) -> dict:
        session = self.sessions[session_id]
        session.update(status="expired", url=None)
        return session

    # -- the API ---------------------------------------------------------------------------------

    def _create_session(self, params: dict) -> tuple[int, dict]:
        item = params["line_items"]["0"]
        session_id = f"cs_test_{uuid.uuid4().hex}"
        session = {
            "id": session_id, "object": "checkout.session", "mode": params["mode"],
            "amount_subtotal": int(item["price_data"]["unit_amount"]) * int(item["quantity"]),
            "amount_total": int(item["price_data"]["unit_amount"]) * int(item["quantity"]),
            "currency": item["price_data"]["currency"],
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": params.get("metadata", {}),
            "success_url": params["success_url"], "cancel_url": params["cancel_url"],
            "created": int(time.time()), "expires_at": int(params["expires_at"]),
            "livemode": False, "payment_intent": None, "payment_status": "unpaid",
            "status": "open", "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        }
        if session["expires_at"] < time.time() + 30 * 60 - 5:
            return 400, _error("expires_at must be at least 30 minutes from now", "parameter_invalid_integer")
        self.sessions[session_id] = session
        return 200, session

    def _create_refund(self, params: dict) -> tuple[int, dict]:
        intent = params.get("payment_intent", "")
        session = next((s for s in self.sessions.values() if s["payment_intent"] == intent), None)
        if session is None:
            return 404, _error(f"No such payment_intent: '{intent}'", "resource_missing")
        if intent in self.failing_refunds:
            return 402, _error("The bank declined the refund.", "refund_failed", kind="card_error")
        refunded = sum(r["amount"] for r in self.refunds if r["payment_intent"] == intent)
        amount = int(params.get("amount", session["amount_total"]))
        if refunded + amount > session["amount_total"]:
            return 400, _error("Refund amount is greater than unrefunded amount",
                               "amount_too_large")
        refund = {"id": f"re_{uuid.uuid4().hex[:24]}", "object": "refund", "amount": amount,
                  "currency": session["currency"], "payment_intent": intent,
                  "status": "succeeded", "created": int(time.time()), "metadata": {}}
        self.refunds.append(refund)
        return 200, refund

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{uuid.uuid4().hex[:14]}")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                found = re.fullmatch(r"/v1/checkout/sessions/([\w-]+)", self.path)
                fake.requests.append(("GET", self.path, {}, dict(self.headers)))
                if found and found.group(1) in fake.sessions:
                    return self._answer(200, fake.sessions[found.group(1)])
                return self._answer(404, _error("No such checkout.session", "resource_missing"))

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                params = _nest(parse_qsl(body, keep_blank_values=True))
                fake.requests.append(("POST", self.path, params, dict(self.headers)))
                if not (self.headers.get("Authorization") or "").startswith("Bearer sk_test_"):
                    return self._answer(401, _error("Invalid API Key provided", None,
                                                    kind="invalid_request_error"))
                key = self.headers.get("Idempotency-Key")
                with fake._lock:
                    if key and key in fake._idempotent:
                        return self._answer(*fake._idempotent[key])
                    if self.path == "/v1/checkout/sessions":
                        answer = fake._create_session(params)
                    elif self.path == "/v1/refunds":
                        answer = fake._create_refund(params)
                    else:
                        answer = 404, _error("Unrecognized request URL", None)
                    if key and answer[0] < 500:
                        fake._idempotent[key] = answer
                return self._answer(*answer)

        return Handler


def _error(message: str, code: str | None, kind: str = "invalid_request_error") -> dict:
    return {"error": {"type": kind, "code": code, "message": message}}


def stripe_event(event_type: str, session: dict) -> bytes:
    return json.dumps({
        "id": f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "type": event_type,
        "api_version": "2026-10-28.endive", "created": int(time.time()), "livemode": False,
        "data": {"object": session}, "pending_webhooks": 1, "request": {"id": None},
    }).encode()


def signature_header(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """`Stripe-Signature: t=...,v1=...`: HMAC-SHA256 of "<t>.<payload>" under the secret."""
    timestamp = at or int(time.time())
    signed = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={signed.hexdigest()}"
