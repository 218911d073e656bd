"""The Stripe stand-in for tests: localstripe on loopback, a receiver for the webhooks it signs,
and what a browser would do with Stripe.js (make a card token with the publishable key)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from services.api.integrations.stripe.client import STANDIN_PUBLISHABLE_KEY, STANDIN_SECRET_KEY

WEBHOOK_SECRET = "whsec_test_current"
OLD_WEBHOOK_SECRET = "whsec_test_previous"

# Test cards the stand-in knows (the same numbers Stripe documents for test mode).
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000341"
CARD_3DS = "4000002760003184"


@dataclass(frozen=True)
class Delivery:
    body: bytes
    signature: str

    @property
    def event(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


class WebhookReceiver:
    """Collects what the stand-in delivers, so a test can hand it to the API as Stripe would."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.deliveries.append(Delivery(body, self.headers.get("Stripe-Signature", "")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stripe"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, event_type: str, object_id: str, *, timeout: float = 15.0) -> Delivery:
        """The stand-in delivers about a second after the change; wait for that event."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for d in self.deliveries:
                    event = d.event
                    if event.get("type") == event_type and event["data"]["object"].get("id") == object_id:
                        return d
            time.sleep(0.05)
        raise AssertionError(f"the stand-in delivered no {event_type} for {object_id} within {timeout:g} s")


@dataclass(frozen=True)
class StandIn:
    url: str
    receiver: WebhookReceiver

    def card_token(self, number: str = CARD_OK) -> str:
        """What Stripe.js `createToken(card)` does in the browser: the card goes to Stripe only."""
        r = httpx.post(
            f"{self.url}/v1/tokens",
            data={
                "card[number]": number,
                "card[exp_month]": "12",
                "card[exp_year]": "2034",
                "card[cvc]": "123",
                "key": STANDIN_PUBLISHABLE_KEY,
            },
            timeout=10,
        )
        r.raise_for_status()
        return str(r.json()["id"])

    def get(self, path: str) -> dict[str, Any]:
        r = httpx.get(f"{self.url}{path}", auth=(STANDIN_SECRET_KEY, ""), timeout=10)
        r.raise_for_status()
        return dict(r.json())

    def post(self, path: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        r = httpx.post(f"{self.url}{path}", data=data or {}, auth=(STANDIN_SECRET_KEY, ""), timeout=10)
        r.raise_for_status()
        return dict(r.json())

    def authenticate(self, intent_id: str, client_secret: str, *, success: bool = True) -> dict[str, Any]:
        """What Stripe.js `confirmCardPayment(client_secret)` does for a 3-D Secure card."""
        r = httpx.post(
            f"{self.url}/v1/payment_intents/{intent_id}/_authenticate",
            params={"success": "true" if success else "false"},
            json={"key": STANDIN_PUBLISHABLE_KEY, "client_secret": client_secret},
            timeout=10,
        )
        r.raise_for_status()
        return dict(r.json())


def signed_event(event: dict[str, Any], secret: str = WEBHOOK_SECRET, *, at: int | None = None) -> Delivery:
    """An event signed the way Stripe signs (for what the stand-in cannot send)."""
    from services.api.integrations.stripe.client import sign_payload

    body = json.dumps(event).encode()
    return Delivery(body, sign_payload(body, secret, at))


_counter = 0


def make_event(event_type: str, obj: dict[str, Any], *, created: int | None = None) -> dict[str, Any]:
    global _counter
    _counter += 1
    return {
        "id": f"evt_test_{time.time_ns()}_{_counter}",
        "object": "event",
        "type": event_type,
        "created": created if created is not None else int(time.time()),
        "data": {"object": obj},
        "livemode": False,
    }
