"""The payment provider interface and the built-in providers: the card sandbox, cash on delivery and bank
transfer. A real gateway (Stripe, PayPal, Nexi) is one more class with the same methods in PROVIDERS.

Providers know their gateway, not the shop's orders: payments/service.py holds the use cases and is
the only caller. Every call carries the payment's idempotency key, so a retried call is the same call.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from urllib.parse import urlencode

from storefront.domain.errors import DomainError, NotFound
from storefront.domain.forms import FieldErrors
from storefront.domain.models import Payment, PaymentStatus


def N_(message: str) -> str:
    """Marks a label for the message catalogue (`make messages` extracts it); pages translate it where
    they show it, in their own language."""
    return message


REFUNDABLE = (PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED)
MONEY_TAKEN = (*REFUNDABLE, PaymentStatus.REFUNDED)  # the shop got the money, whatever went back since
COD_SURCHARGE = 400  # cents, added to cash-on-delivery orders for the courier's collection fee
COD_COUNTRIES = {"IT"}


class BadSignature(DomainError):
    """A webhook we cannot trust: wrong signature, or a signed body we cannot read."""


class ProviderError(DomainError):
    """The provider refused a call or could not be reached."""


class CardRejected(FieldErrors):
    """The sandbox gateway's form was filled in wrongly: field -> what is wrong (never the typed value)."""


@dataclass(frozen=True)
class StartResult:
    redirect_url: str | None  # None: nothing for the shopper to do now (cash on delivery, bank transfer)
    reference: str | None = None  # the provider's id for the payment


@dataclass(frozen=True)
class WebhookEvent:
    kind: str  # "captured" | "failed"
    reference: str
    amount: int = 0
    card_brand: str = ""
    card_last4: str = ""
    failure: str = ""  # "declined", "insufficient_funds", ...


class Provider(Protocol):
    """What a gateway implements to be offered at checkout. Payments are captured when the shopper pays
    (the webhook says so): there is no separate capture call."""

    code: str
    name: str  # what shoppers and staff read, in English: templates translate it
    # Paid on the provider's page before the order goes ahead (a card): until the money is in, the order
    # sends no confirmation and its items stay in the shopper's cart. Offline methods go ahead at once.
    online: bool

    def available(self, country: str) -> bool: ...
    async def start(self, payment: Payment, *, return_url: str) -> StartResult: ...
    def verify_webhook(self, body: bytes, signature: str) -> WebhookEvent: ...
    async def refund(self, payment: Payment, amount: int, *, idempotency_key: str) -> None: ...


# --- keys ---------------------------------------------------------------------------------------

_secret: bytes | None = None


def configure(secret_key: str | bytes) -> None:
    """Set once at app startup with the shop's SECRET_KEY (the domain never reads settings).
    Each use gets its own key derived from it, so one leaked key reveals nothing else."""
    global _secret
    if not secret_key:
        raise ValueError("payments need a non-empty secret key")
    _secret = secret_key.encode() if isinstance(secret_key, str) else secret_key


def _mac(purpose: str, message: bytes) -> str:
    if _secret is None:
        raise RuntimeError("payments.configure(SECRET_KEY) was not called at startup")
    key = hmac.new(_secret, f"storefront payments: {purpose}".encode(), hashlib.sha256).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# --- card rules (what a card gateway checks before it asks the bank) ----------------------------

# Test cards, as real gateways publish them: number -> failure ("" = success).
TEST_CARDS = {
    "4242424242424242": "",
    "5555555555554444": "",
    "378282246310005": "",  # American Express: 4-digit security code
    "4000000000000002": "declined",
    "4000000000009995": "insufficient_funds",
}
# 12/28, 12 / 2028, or 1228: phone number pads have no "/".
_EXPIRY = re.compile(r"(\d{1,2})\s*/\s*(\d{2}|\d{4})|(\d{2})(\d{2})")


@dataclass(frozen=True)
class CardEntry:
    """What the shopper typed on the gateway's page. Lives only for the request: never stored or logged."""

    number: str = ""
    expiry: str = ""
    cvc: str = ""
    name: str = ""

    def __repr__(self) -> str:  # a traceback or a debug print must not show the card
        return "CardEntry(<redacted>)"


def card_digits(number: str) -> str:
    return re.sub(r"[\s-]", "", number)


def card_brand(digits: str) -> str:
    if digits[:2] in ("34", "37"):
        return "amex"
    if digits[:1] == "4":
        return "visa"
    if re.fullmatch(r"[0-9]{4}", digits[:4]) and (51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720):
        return "mastercard"
    return "card"


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def check_card(entry: CardEntry, today: date) -> dict[str, str]:
    """Every problem with the form at once: field -> code, for a message next to each field."""
    errors: dict[str, str] = {}
    digits = card_digits(entry.number)
    if not digits:
        errors["number"] = "required"
    elif not re.fullmatch(r"[0-9]{12,19}", digits) or not luhn_valid(digits):  # "²" is a digit to isdigit
        errors["number"] = "invalid"
    elif digits not in TEST_CARDS:
        errors["number"] = "not_test_card"  # a sandbox: real cards must never be typed here
    typed = entry.expiry.strip()
    expiry = _EXPIRY.fullmatch(typed)
    if not typed:
        errors["expiry"] = "required"
    elif not expiry or not 1 <= int(expiry[1] or expiry[3]) <= 12:
        errors["expiry"] = "format"
    else:
        month, year = int(expiry[1] or expiry[3]), int(expiry[2] or expiry[4])
        year += 2000 if year < 100 else 0
        if (year, month) < (today.year, today.month):  # valid through the last day of its month
            errors["expiry"] = "past"
    amex = card_brand(digits) == "amex"
    if not entry.cvc.strip():
        errors["cvc"] = "required"
    elif not re.fullmatch(r"\d{4}" if amex else r"\d{3}", entry.cvc.strip()):
        errors["cvc"] = "format_amex" if amex else "format"
    if not entry.name.strip():
        errors["name"] = "required"
    return errors


# --- the sandbox card gateway -------------------------------------------------------------------


class CardSandbox:
    """Plays an external card gateway, served by the app itself at /sandbox/pay/<reference>.

    Its state is the Payment row, not process memory (several workers serve it): a payment it has seen is
    a row carrying its reference, a captured one is the row's status. It captures at once (no separate
    authorisation). Its webhook is delivered in-process: charge() signs the event exactly as it would
    for an HTTP call, and payments.sandbox_pay() hands body and signature to receive_webhook(), which is
    what POST /payments/webhook/card does with a request.
    """

    code = "card"
    name = N_("Card")
    online = True

    def available(self, country: str) -> bool:
        return True

    async def start(self, payment: Payment, *, return_url: str) -> StartResult:
        # The same idempotency key always opens the same hosted page: a retried start creates nothing new.
        reference = "sbx_" + _mac("sandbox reference", payment.idempotency_key.encode())[:24]
        query = urlencode({"return": return_url, "sig": return_signature(reference, return_url)})
        return StartResult(f"/sandbox/pay/{reference}?{query}", reference)

    def charge(self, payment: Payment, entry: CardEntry, today: date) -> tuple[bytes, str]:
        """The shopper pressed "Pay": the signed webhook (body, signature) saying what the bank answered.
        Only brand and last four digits leave the gateway."""
        errors = check_card(entry, today)
        if errors:
            raise CardRejected(errors)
        digits = card_digits(entry.number)
        failure = TEST_CARDS[digits]
        body = json.dumps(
            {
                "event": "failed" if failure else "captured",
                "reference": payment.reference,
                "idempotency_key": payment.idempotency_key,
                "amount": payment.amount,
                "card_brand": card_brand(digits),
                "card_last4": digits[-4:],
                "failure": failure,
            }
        ).encode()
        return body, self.sign(body)

    def abandon(self, payment: Payment) -> tuple[bytes, str]:
        """The shopper pressed "Cancel" on the hosted page: the signed webhook saying nothing was paid."""
        body = json.dumps(
            {
                "event": "failed",
                "reference": payment.reference,
                "idempotency_key": payment.idempotency_key,
                "amount": payment.amount,
                "failure": "cancelled",
            }
        ).encode()
        return body, self.sign(body)

    def sign(self, body: bytes) -> str:
        return "sha256=" + _mac("sandbox webhook", body)

    def verify_webhook(self, body: bytes, signature: str) -> WebhookEvent:
        if not hmac.compare_digest(self.sign(body).encode(), signature.encode()):
            raise BadSignature("signature does not match")
        try:
            data = json.loads(body)
            return WebhookEvent(
                kind=str(data["event"]),
                reference=str(data["reference"]),
                amount=int(data.get("amount", 0)),
                card_brand=str(data.get("card_brand", ""))[:20],
                card_last4=str(data.get("card_last4", ""))[-4:],
                failure=str(data.get("failure", ""))[:60],
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BadSignature("unreadable body") from exc

    async def refund(self, payment: Payment, amount: int, *, idempotency_key: str) -> None:
        # `payment` is the row as it was before this refund was reserved on it.
        if payment.status not in REFUNDABLE or not 0 < amount <= payment.amount - payment.refunded_amount:
            raise ProviderError("sandbox: nothing to refund")


def return_signature(reference: str, return_url: str) -> str:
    """The gateway goes back only to the address the shop gave at start: never an open redirect."""
    return _mac("sandbox return", f"{reference}\n{return_url}".encode())[:32]


def return_ok(reference: str, return_url: str, signature: str) -> bool:
    expected = return_signature(reference, return_url).encode()
    return bool(return_url) and hmac.compare_digest(expected, signature.encode())


# --- offline methods ----------------------------------------------------------------------------


class _Offline:
    """Nothing to redirect to and no webhooks: staff record the money by hand (payments.mark_paid)."""

    code = ""
    name = ""
    online = False

    def available(self, country: str) -> bool:
        return True

    async def start(self, payment: Payment, *, return_url: str) -> StartResult:
        return StartResult(None)

    def verify_webhook(self, body: bytes, signature: str) -> WebhookEvent:
        raise BadSignature(f"{self.code} sends no webhooks")

    async def refund(self, payment: Payment, amount: int, *, idempotency_key: str) -> None:
        pass  # staff send the money back themselves; we record it


class CashOnDelivery(_Offline):
    code = "cod"
    name = N_("Cash on delivery")

    def available(self, country: str) -> bool:
        return country.upper() in COD_COUNTRIES


class BankTransfer(_Offline):
    code = "bank_transfer"
    name = N_("Bank transfer")


@dataclass(frozen=True)
class BankDetails:
    holder: str
    iban: str
    bic: str
    bank: str


def bank_details() -> BankDetails:
    """Where bank transfers go (demo values); the reference to quote is the order number."""
    return BankDetails(
        holder="Bottega Demo S.r.l.", iban="IT60 X054 2811 1010 0000 0123 456", bic="BPMOIT22XXX", bank="Banca Sandbox"
    )


# --- the registry -------------------------------------------------------------------------------

SANDBOX = CardSandbox()
# Every payment method, in the order checkout offers them and staff filter by them.
PROVIDERS: dict[str, Provider] = {p.code: p for p in (SANDBOX, BankTransfer(), CashOnDelivery())}
NAMES = {code: provider.name for code, provider in PROVIDERS.items()}


def provider_for(code: str) -> Provider:
    if code not in PROVIDERS:
        raise NotFound(f"payment method {code}")
    return PROVIDERS[code]


def paid_online(method_code: str) -> bool:
    return provider_for(method_code).online


def cod_available(country: str) -> bool:
    return PROVIDERS["cod"].available(country)


def surcharge(method_code: str, country: str) -> int:
    return COD_SURCHARGE if method_code == "cod" and cod_available(country) else 0
