"""The one module that talks to Stripe (the official SDK, its `*_async` calls).

Everything else sees plain dataclasses and our own errors, so a Stripe SDK upgrade or the
stand-in's gaps stay in here. Every call that creates something carries an idempotency key
derived from our ids, so a retried request never charges or refunds twice.

With no secret key configured the embedded run points this client at `localstripe` (see
`standin.py`): the same calls, the same code path, except one documented gap: the stand-in
cannot confirm a PaymentIntent with `payment_method_data`, so a card token is attached by
updating the intent first (`_attach_token`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import stripe

from services.api.config import Settings

STANDIN_SECRET_KEY = "sk_test_halcyon_standin"  # noqa: S105 - the stand-in accepts any sk_ key
STANDIN_PUBLISHABLE_KEY = "pk_test_halcyon_standin"
WEBHOOK_TOLERANCE_SECONDS = 300


class StripeUnavailable(Exception):
    """Stripe did not answer or answered with a server error: nothing was decided."""


class CardDeclined(Exception):
    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class StripeRejected(Exception):
    """Stripe refused the request itself (a bug of ours or a state Stripe forbids)."""


class BadSignature(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Intent:
    id: str
    status: str  # Stripe's PaymentIntent status
    amount: int
    currency: str
    client_secret: str | None
    metadata: dict[str, str]
    latest_charge: str | None
    failure_code: str | None
    failure_message: str | None
    livemode: bool


@dataclass(frozen=True, slots=True)
class RefundResult:
    id: str
    status: str
    amount: int
    currency: str
    payment_intent: str | None
    charge: str | None
    metadata: dict[str, str]


def _plain(obj: Any) -> dict[str, Any]:
    """SDK objects become plain dicts at this boundary; webhook payloads already are."""
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    to_dict = getattr(obj, "to_dict", None)
    return dict(to_dict()) if callable(to_dict) else {}


def _get(obj: Any, key: str, default: Any = None) -> Any:
    value = _plain(obj).get(key, default)
    return default if value is None else value


def _charge_id(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    found = _get(value, "id")
    return str(found) if found else None


def intent_from(obj: Any) -> Intent:
    """An Intent from an SDK object or a webhook's plain `data.object` dict."""
    error = _get(obj, "last_payment_error")
    metadata = _get(obj, "metadata") or {}
    return Intent(
        id=str(_get(obj, "id")),
        status=str(_get(obj, "status")),
        amount=int(_get(obj, "amount") or 0),
        currency=str(_get(obj, "currency") or ""),
        client_secret=_get(obj, "client_secret"),
        metadata={str(k): str(v) for k, v in dict(metadata).items()},
        latest_charge=_charge_id(_get(obj, "latest_charge")),
        failure_code=_get(error, "decline_code") or _get(error, "code") if error else None,
        failure_message=_get(error, "message") if error else None,
        livemode=bool(_get(obj, "livemode", False)),
    )


def refund_from(obj: Any) -> RefundResult:
    metadata = _get(obj, "metadata") or {}
    return RefundResult(
        id=str(_get(obj, "id")),
        status=str(_get(obj, "status") or "pending"),
        amount=int(_get(obj, "amount") or 0),
        currency=str(_get(obj, "currency") or ""),
        payment_intent=_get(obj, "payment_intent"),
        charge=_charge_id(_get(obj, "charge")),
        metadata={str(k): str(v) for k, v in dict(metadata).items()},
    )


class StripeGateway:
    """Stripe as the payments domain needs it. One per app (settings decide where it points)."""

    def __init__(self, settings: Settings) -> None:
        key = settings.stripe_secret_key.get_secret_value()
        self.standin = not key
        self.secret_key = key or STANDIN_SECRET_KEY
        self.publishable_key = settings.stripe_publishable_key or (STANDIN_PUBLISHABLE_KEY if self.standin else "")
        self.test_mode = self.standin or self.secret_key.startswith("sk_test_")
        self.js_url = settings.stripe_js_url
        base = settings.stripe_api_base or None
        self.configured = bool(base) or not self.standin
        self._client = stripe.StripeClient(
            self.secret_key,
            base_addresses={"api": base} if base else {},
            http_client=stripe.HTTPXClient(timeout=20),
            max_network_retries=2,
        )
        self.webhook_secrets = [
            s.strip() for s in settings.stripe_webhook_secrets.get_secret_value().split(",") if s.strip()
        ]

    # --- calls --------------------------------------------------------------------------
    async def _call(self, coro: Any) -> Any:
        if not self.configured:
            coro.close()  # never send the stand-in's fake key to Stripe itself
            raise StripeUnavailable("payments are not configured: set HALCYON_STRIPE_SECRET_KEY")
        try:
            return await coro
        except stripe.CardError as exc:
            err = exc.error
            raise CardDeclined(
                _get(err, "decline_code") or _get(err, "code") or exc.code, exc.user_message or str(exc)
            ) from None
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise StripeUnavailable(str(exc)) from None
        except stripe.StripeError as exc:
            if exc.http_status is not None and exc.http_status >= 500:
                raise StripeUnavailable(str(exc)) from None
            if exc.http_status == 402:  # the stand-in answers a decline without the card_error type
                raise CardDeclined(exc.code, exc.user_message or str(exc)) from None
            raise StripeRejected(str(exc)) from None

    async def create_intent(
        self, *, amount: int, currency: str, booking_id: str, payment_id: str, description: str
    ) -> Intent:
        params: stripe.params.PaymentIntentCreateParams = {
            "amount": amount,
            "currency": currency,
            "metadata": {"booking_id": booking_id, "payment_id": payment_id, "description": description},
        }
        if not self.standin:  # the stand-in refuses the field; cards need no redirect either way
            params["automatic_payment_methods"] = {"enabled": True, "allow_redirects": "never"}
        pi = await self._call(
            self._client.v1.payment_intents.create_async(
                params=params, options={"idempotency_key": f"halcyon-pi-{booking_id}"}
            )
        )
        return intent_from(pi)

    async def retrieve_intent(self, intent_id: str) -> Intent:
        return intent_from(await self._call(self._client.v1.payment_intents.retrieve_async(intent_id)))

    async def confirm_with_token(self, intent_id: str, token: str, *, attempt: str) -> Intent:
        """Confirm with a card token made by Stripe.js in the browser (card data never reaches us)."""
        if self.standin:
            await self._attach_token(intent_id, token)
            params: stripe.params.PaymentIntentConfirmParams = {}
        else:
            method = await self._call(
                self._client.v1.payment_methods.create_async(
                    params={"type": "card", "card": {"token": token}},
                    options={"idempotency_key": f"halcyon-pm-{attempt}"},
                )
            )
            params = {"payment_method": str(_get(method, "id"))}
        pi = await self._call(
            self._client.v1.payment_intents.confirm_async(
                intent_id, params=params, options={"idempotency_key": f"halcyon-confirm-{attempt}"}
            )
        )
        return intent_from(pi)

    async def _attach_token(self, intent_id: str, token: str) -> None:
        tok = await self._call(self._client.v1.tokens.retrieve_async(token))
        card = _get(_get(tok, "card"), "id")
        if not card:
            raise StripeRejected("the card token carries no card")
        await self._call(self._client.v1.payment_intents.update_async(intent_id, params={"payment_method": card}))

    async def cancel_intent(self, intent_id: str) -> Intent:
        """Cancel an unpaid intent; an intent past cancelling is returned as Stripe has it."""
        try:
            pi = await self._call(self._client.v1.payment_intents.cancel_async(intent_id))
        except StripeRejected:
            return await self.retrieve_intent(intent_id)
        return intent_from(pi)

    async def refund(self, *, intent_id: str, amount: int, refund_id: str, kind: str) -> RefundResult:
        result = await self._call(
            self._client.v1.refunds.create_async(
                params={
                    "payment_intent": intent_id,
                    "amount": amount,
                    "metadata": {"refund_id": refund_id, "kind": kind},
                },
                options={"idempotency_key": f"halcyon-refund-{refund_id}"},
            )
        )
        return refund_from(result)

    # --- webhooks -----------------------------------------------------------------------
    def verify_event(self, payload: bytes, signature_header: str | None) -> dict[str, Any]:
        """Check the `Stripe-Signature` header on the raw body against each configured secret
        (several during rotation), within Stripe's 300 s tolerance; return the event."""
        if not signature_header:
            raise BadSignature("missing Stripe-Signature header")
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            raise BadSignature("the body is not UTF-8 text") from None
        stamps = [p.split("=", 1)[1] for p in signature_header.split(",") if p.strip().startswith("t=")]
        if stamps and stamps[0].strip().isdigit() and int(stamps[0]) > time.time() + WEBHOOK_TOLERANCE_SECONDS:
            raise BadSignature("timestamp in the future")  # the SDK only checks the past side
        for secret in self.webhook_secrets:
            try:
                stripe.WebhookSignature.verify_header(text, signature_header, secret, WEBHOOK_TOLERANCE_SECONDS)
            except stripe.SignatureVerificationError:
                continue
            try:
                event = json.loads(text)
            except ValueError:
                raise BadSignature("the body is not JSON") from None
            if not isinstance(event, dict) or not isinstance(event.get("id"), str):
                raise BadSignature("the body is not an event")
            return event
        raise BadSignature("no signature matches")


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header for a payload (tests, the benchmark and the stand-in's gaps)."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), str(ts).encode() + b"." + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"
