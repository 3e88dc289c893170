"""The outbox sender: renders each queued email in the shop's voice and delivers it over SMTP.

domain/notifications.py writes an OutboxEmail row in the same transaction as the change that causes it;
this module turns rows into messages. Rows are rendered the first time the sender sees them (so the
outbox stays readable without SMTP) and sent when SMTP_URL is set. A failed send is retried with
exponential backoff; an email is never deleted.

Exactly once between several sender processes (uvicorn workers each run one): a sender first *claims*
a row with one conditional UPDATE, "push next_attempt_at a lease into the future, where the row is
still unsent and still due". The database runs that statement atomically, so of two senders that read
the same due row only one changes it; the other sees 0 rows and moves on. The re-checked "due"
condition is used instead of comparing next_attempt_at with the value read, because timestamps do not
always compare equal after a round trip through the database (precision, time zone formatting).
The lease (10 min) outlasts the SMTP timeout (30 s), so a live claim never expires mid-send; a sender
that dies mid-send leaves a claim that expires and the email is retried. No transaction is ever held
open around the SMTP call: every statement here commits on its own.

The one unavoidable gap: if a process dies after the mail server accepted a message but before
sent_at is written, the email is sent again after the lease. Every try carries the same Message-ID,
so mail servers and clients can recognise the duplicate.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from tortoise.expressions import F, Q

from storefront import languages, links, templating
from storefront.domain import shop_time
from storefront.domain.models import Order, OutboxEmail
from storefront.domain.orders import fulfilment, notifications
from storefront.domain.payments import service as payments
from storefront.domain.shipping import rates
from storefront.settings import Settings

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "emails"
LEASE = timedelta(minutes=10)
SMTP_TIMEOUT = 30  # seconds; must stay well below LEASE
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=1)


# --- rendering ----------------------------------------------------------------------------------


@cache
def environment(locale: str) -> Environment:
    """The emails' Jinja environment: HTML templates escape everything, text templates nothing
    (a text body is not HTML; what must stay one line, the subject, is cleaned in Python)."""
    env = Environment(
        # The emails, then the storefront's templates for what pages and emails share (partials/totals.html).
        loader=FileSystemLoader([TEMPLATES, TEMPLATES.parent]),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.install_gettext_translations(templating.translations(locale), newstyle=True)  # type: ignore[attr-defined]  # jinja2.ext.i18n adds it
    env.filters.update(
        money=templating.money,
        day=templating.day,
        number=templating.number,
        percent=templating.percent,
        country_name=templating.country_name,
    )
    return env


def one_line(text: str) -> str:
    """Header-safe: CR, LF and other line breaks become spaces, runs of spaces one."""
    return " ".join(text.split())


async def _context(email: OutboxEmail, settings: Settings) -> dict:
    if email.order_id is None:
        raise ValueError(f"outbox email {email.id} has no order")
    order = await Order.get(id=email.order_id).prefetch_related("lines", "events", "payments")
    taken = payments.taken(list(order.payments))
    language = languages.normalise(order.language) or settings.language  # the one it was placed in
    return {
        "kind": email.kind,
        "shop_name": settings.shop_name,
        "locale": language,
        "currency": order.currency,
        "order": order,
        "lines": list(order.lines),
        "name": notifications.first_name(order.full_name),
        "placed_on": shop_time.day_of(order.created_at),
        "order_url": links.order_url(settings, order.number, language),
        # Filled in when shipped; an order stored with the method's template still gets a working link.
        "pickup": await rates.is_pickup(order.shipping_method),
        "tracking_link": fulfilment.tracking_url(order.tracking_url, order.tracking_number),
        "bank": payments.bank_details() if order.payment_method == "bank_transfer" else None,
        "pay_by": shop_time.day_of(order.expires_at),
        "card": next((p for p in taken if p.card_last4), None),
        "paid": payments.money_taken(order),
        "fully_refunded": payments.fully_refunded(order),
    }


async def render(email: OutboxEmail, settings: Settings) -> tuple[str, str, str]:
    """Subject, text and HTML of an outbox email, from its order as it is now."""
    context = await _context(email, settings)
    env = environment(context["locale"])
    text_template = env.get_template(f"{email.kind}.txt")
    subject = "".join(text_template.blocks["subject"](text_template.new_context(context)))
    subject = one_line(subject)[:200]  # the column's size
    context["subject"] = subject
    text = text_template.render(context)
    html = env.get_template(f"{email.kind}.html").render(context)
    return subject, text, html


async def _fill(email: OutboxEmail, settings: Settings) -> None:
    """Render an email once and keep the result on its row (what was sent, readable in the outbox)."""
    if email.subject:
        return
    email.subject, email.text, email.html = await render(email, settings)
    await OutboxEmail.filter(id=email.id, subject="").update(subject=email.subject, text=email.text, html=email.html)


# --- sending ------------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """1 min after the first failure, then 2, 4, 8 ... capped at an hour: retried forever, never lost."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)


def message(email: OutboxEmail, settings: Settings, now: datetime) -> EmailMessage:
    """multipart/alternative: the text part first, the HTML part preferred by clients that show it."""
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = email.to
    msg["Subject"] = one_line(email.subject)
    msg["Date"] = format_datetime(now.astimezone(UTC), usegmt=True)
    msg["Message-ID"] = message_id(email, settings)
    msg.set_content(email.text)
    msg.add_alternative(email.html, subtype="html")
    return msg


def message_id(email: OutboxEmail, settings: Settings) -> str:
    # The same on every try of one email, so a rare duplicate send can be recognised as one.
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<outbox-{email.id}.{int(email.created_at.timestamp())}@{domain}>"


def _smtp_send(smtp_url: str, msg: EmailMessage) -> None:
    """Blocking: runs in a worker thread. smtp:// is plain SMTP, smtps:// TLS from the first byte."""
    url = urlsplit(smtp_url)
    if url.scheme not in ("smtp", "smtps"):
        raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {url.scheme}://")
    host = url.hostname or "localhost"
    if url.scheme == "smtps":
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            host, url.port or 465, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
        )
    else:
        server = smtplib.SMTP(host, url.port or 25, timeout=SMTP_TIMEOUT)
    with server:
        if url.username:
            server.login(unquote(url.username), unquote(url.password or ""))
        server.send_message(msg)


async def _claim(email: OutboxEmail, now: datetime) -> bool:
    """Take the email for this sender (see the module's docstring): True if nobody else has it."""
    claimed = await OutboxEmail.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), id=email.id, sent_at__isnull=True
    ).update(next_attempt_at=now + LEASE)
    return claimed == 1


async def _failed(email: OutboxEmail, error: Exception, now: datetime) -> None:
    """Keep the email for a later try, and say why this one failed (shown by `storefront outbox`)."""
    attempts = email.attempts + 1
    await OutboxEmail.filter(id=email.id, sent_at__isnull=True).update(
        attempts=F("attempts") + 1,
        last_error=f"{type(error).__name__}: {one_line(str(error))}"[:255],
        next_attempt_at=now + backoff(attempts),
    )
    log.warning("outbox email %s (%s) failed, attempt %s: %s", email.id, email.kind, attempts, error)


async def _deliver(email: OutboxEmail, settings: Settings, now: datetime) -> bool:
    try:
        await _fill(email, settings)
        await asyncio.to_thread(_smtp_send, settings.smtp_url, message(email, settings, now))
    except Exception as error:  # any failure (render, network, refusal) leaves the email for a retry
        await _failed(email, error, now)
        return False
    await OutboxEmail.filter(id=email.id).update(sent_at=now)
    return True


async def deliver_pending(settings: Settings, *, now: datetime | None = None, limit: int = 50) -> int:
    """Render the queued emails and, with SMTP configured, send the ones due. Returns how many were sent."""
    now = now or datetime.now(UTC)
    due = OutboxEmail.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), sent_at__isnull=True)
    if not settings.smtp_url:
        for email in await due.filter(subject="").order_by("id").limit(limit):
            try:
                await _fill(email, settings)
            except Exception as error:  # backs off like a failed send, so it cannot block the others
                await _failed(email, error, now)
        return 0
    sent = 0
    for email in await due.order_by("id").limit(limit):
        if await _claim(email, now):
            sent += await _deliver(email, settings, now)
    return sent


async def run_sender(settings: Settings, interval: float = 5.0) -> None:
    """The background sender the app's lifespan starts: one delivery round every `interval` seconds."""
    while True:
        try:
            await deliver_pending(settings)
        except Exception:  # e.g. the database busy for a moment: the next round tries again
            log.exception("outbox delivery round failed")
        await asyncio.sleep(interval)


# --- the operator's view ------------------------------------------------------------------------


def status(email: OutboxEmail, now: datetime) -> str:
    if email.sent_at:
        return f"sent {email.sent_at:%Y-%m-%d %H:%M}"
    if not email.attempts:
        return "queued"
    retry = "now" if not email.next_attempt_at or email.next_attempt_at <= now else f"{email.next_attempt_at:%H:%M}"
    return f"retry {retry} ({email.attempts} failed: {email.last_error})"


async def outbox_report(settings: Settings, *, send: bool = False, limit: int = 50) -> str:
    """`storefront outbox [--send]`: the latest emails with their status, after one delivery round
    if asked (without --send the emails are only rendered, so their subjects can be listed)."""
    now = datetime.now(UTC)
    head = []
    if send and not settings.smtp_url:
        head.append("SMTP_URL is not set: emails stay in the outbox.")
    sent = await deliver_pending(settings if send else settings.override(smtp_url=""), now=now)
    if send and settings.smtp_url:
        head.append(f"Sent {sent}.")
    emails = await OutboxEmail.all().order_by("-id").limit(limit)
    waiting = await OutboxEmail.filter(sent_at__isnull=True).count()
    rows = [f"{e.id:>6}  {e.to:<32}  {e.subject or '(' + e.kind + ')':<60}  {status(e, now)}" for e in emails]
    return "\n".join([*head, f"{waiting} waiting.", *rows])
