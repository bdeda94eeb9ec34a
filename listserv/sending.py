"""The sending loop: nothing lost, nothing twice.

Deliveries exist before sending starts (one row per mailing and subscriber, unique).
A worker claims a batch of queued rows atomically (``SELECT ... FOR UPDATE SKIP
LOCKED`` on PostgreSQL, a conditional ``UPDATE ... WHERE claimed_by IS NULL``
elsewhere), opens one SMTP connection for the batch and works through it in groups
of ``LISTSERV_MARK_SENT_EVERY`` rows (default 1): one query checks the group's
subscribers are still subscribed, each message is sent, and one UPDATE marks the
group's accepted messages sent. Rows of a worker that died are reclaimed once their
claim is older than the timeout; failures are recorded and retried a bounded
number of times.

The one unavoidable window: a worker killed (SIGKILL, power loss) after the SMTP
server accepted a message but before its group was marked sent sends that group
again on resume. With the default (groups of one) that is at most one message; a
larger group (20 doubles the throughput on SQLite) widens the window to that many
messages and lets someone who unsubscribes mid-group still get that one mailing.
A worker asked to stop (SIGTERM/SIGINT) finishes the message in hand, marks what
was accepted and releases the rest, so a normal restart never repeats mail.

SMTP has no way to close that window, so the copy is made recognisable instead:
every message of a mailing carries a ``Message-ID`` that depends only on the
mailing and the subscriber (``<listserv.{mailing_id}.{subscriber_id}@{domain}>``),
and a message sent again after a crash has the same one. Receivers that drop a
second message with an ID they already have (Gmail, most IMAP clients) show it
once. Staff test messages get a random ID, never a real recipient's.
"""

import logging
import os
import smtplib
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import make_msgid
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from listserv.models import Delivery, Mailing, Subscriber
from listserv.tokens import make_manage_token
from members.text import render_markdown

logger = logging.getLogger(__name__)

_TOKEN_PLACEHOLDER = "LISTSERVTOKENPLACEHOLDER"


def batch_size_setting() -> int:
    return getattr(settings, "LISTSERV_BATCH_SIZE", 100)


def rate_setting() -> float:
    return getattr(settings, "LISTSERV_RATE_PER_SECOND", 10)


def max_attempts_setting() -> int:
    return getattr(settings, "LISTSERV_MAX_ATTEMPTS", 3)


def claim_timeout_setting() -> float:
    return getattr(settings, "LISTSERV_CLAIM_TIMEOUT_SECONDS", 900)


def retry_delay_setting() -> float:
    return getattr(settings, "LISTSERV_RETRY_DELAY_SECONDS", 60)


def message_id_domain() -> str:
    """Right-hand side of mailing Message-IDs: ``LISTSERV_MESSAGE_ID_DOMAIN``, else
    the host of ``PORTAL_BASE_URL``."""
    return (
        getattr(settings, "LISTSERV_MESSAGE_ID_DOMAIN", "")
        or urlsplit(settings.PORTAL_BASE_URL).hostname
        or "lmsa.net"
    )


def mailing_message_id(
    *, mailing_id: int, subscriber_id: int, domain: str | None = None
) -> str:
    """The one Message-ID of a mailing's message to one subscriber: the same on
    every send, so a copy re-sent after a crash is a duplicate by RFC 5322."""
    return f"<listserv.{mailing_id}.{subscriber_id}@{domain or message_id_domain()}>"


def make_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# ------------------------------------------------------------------------------
# Rendering
# ------------------------------------------------------------------------------
class _TextExtractor(HTMLParser):
    """Sanitised mailing HTML to readable plain text (links keep their address)."""

    BLOCKS = {"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self.parts.append("\n\n----------\n\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_endtag(self, tag):
        if tag == "a":
            text = "".join(self.link_text).strip()
            if self.href and self.href != text:
                self.parts.append(f" ({self.href})")
            self.href = None
        elif tag in self.BLOCKS or tag in ("ul", "ol"):
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self.href is not None:
            self.link_text.append(data)
        self.parts.append(data)

    def text(self) -> str:
        lines = [line.rstrip() for line in "".join(self.parts).splitlines()]
        text = "\n".join(lines)
        while "\n\n\n" in text:
            text = text.replace("\n\n\n", "\n\n")
        return text.strip() + "\n"


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.text()


class RenderedMailing:
    """A mailing rendered once; ``message_for`` only swaps in each recipient's
    signed links, so building 10,000 messages costs little."""

    def __init__(self, mailing: Mailing, *, base_url: str | None = None):
        self.mailing = mailing
        base = (base_url or settings.PORTAL_BASE_URL).rstrip("/")
        self.unsubscribe_url = base + reverse(
            "listserv:unsubscribe", args=[_TOKEN_PLACEHOLDER]
        )
        self.preferences_url = base + reverse(
            "listserv:preferences", args=[_TOKEN_PLACEHOLDER]
        )
        self.body_html = render_markdown(mailing.body_markdown)
        self.body_text = html_to_text(self.body_html)
        context = {
            "mailing": mailing,
            "body_html": mark_safe(self.body_html),  # noqa: S308 - sanitised by nh3
            "body_text": self.body_text,
            "unsubscribe_url": self.unsubscribe_url,
            "preferences_url": self.preferences_url,
        }
        self.html = render_to_string("listserv/email/mailing.html", context)
        self.text = render_to_string("listserv/email/mailing.txt", context)
        self.from_email = getattr(
            settings, "LISTSERV_FROM_EMAIL", settings.DEFAULT_FROM_EMAIL
        )
        self.mailto = getattr(
            settings, "LISTSERV_UNSUBSCRIBE_MAILTO", "listserv-unsubscribe@lmsa.net"
        )
        self.list_id = getattr(
            settings,
            "LISTSERV_LIST_ID",
            "LMSA National Mentorship Listserv <mentorship-listserv.lmsa.net>",
        )
        self.message_id_domain = message_id_domain()

    def headers_for(self, token: str) -> dict[str, str]:
        """RFC 2369 / RFC 8058 headers: one-click unsubscribe from the mail client."""
        unsubscribe = self.unsubscribe_url.replace(_TOKEN_PLACEHOLDER, token)
        return {
            "List-Unsubscribe": (
                f"<{unsubscribe}>, <mailto:{self.mailto}?subject=unsubscribe%20{token}>"
            ),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": self.list_id,
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        }

    def message_for(
        self,
        *,
        subscriber_id: int,
        email: str,
        subject_prefix: str = "",
        connection=None,
    ) -> EmailMultiAlternatives:
        """The message for one recipient. Its ``Message-ID`` is the recipient's
        stable one (``mailing_message_id``); a message with a ``subject_prefix``
        (the staff test) is not the real mailing and gets a random one, so it can
        never hide, or be hidden by, the real message."""
        token = make_manage_token(subscriber_id)
        headers = self.headers_for(token)
        if subject_prefix:
            headers["Message-ID"] = make_msgid(domain=self.message_id_domain)
        else:
            headers["Message-ID"] = mailing_message_id(
                mailing_id=self.mailing.pk,
                subscriber_id=subscriber_id,
                domain=self.message_id_domain,
            )
        message = EmailMultiAlternatives(
            subject=subject_prefix + self.mailing.subject,
            body=self.text.replace(_TOKEN_PLACEHOLDER, token),
            from_email=self.from_email,
            to=[email],
            headers=headers,
            connection=connection,
        )
        message.attach_alternative(
            self.html.replace(_TOKEN_PLACEHOLDER, token), "text/html"
        )
        return message


# ------------------------------------------------------------------------------
# Claiming
# ------------------------------------------------------------------------------
def _claimable(mailing_id: int, now):
    return Delivery.objects.filter(
        mailing_id=mailing_id,
        status=Delivery.Status.QUEUED,
        claimed_by__isnull=True,
    ).filter(Q(retry_after__isnull=True) | Q(retry_after__lte=now))


def claim_batch(*, mailing_id: int, claim: str, size: int) -> tuple[list[int], bool]:
    """Claim up to ``size`` queued deliveries for ``claim``. Returns the claimed ids
    and whether there were candidates at all (a lost race is not "no work")."""
    now = timezone.now()
    if db_connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(
                _claimable(mailing_id, now)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:size]
            )
            if ids:
                Delivery.objects.filter(pk__in=ids).update(
                    claimed_by=claim, claimed_at=now
                )
        return ids, bool(ids)
    candidates = list(
        _claimable(mailing_id, now).order_by("pk").values_list("pk", flat=True)[:size]
    )
    if not candidates:
        return [], False
    # The WHERE repeats the conditions: a row another worker claimed in between
    # is not updated, so each row is claimed by exactly one worker.
    _claimable(mailing_id, now).filter(pk__in=candidates).update(
        claimed_by=claim, claimed_at=now
    )
    ids = list(
        Delivery.objects.filter(claimed_by=claim, status=Delivery.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return ids, True


def release_stale_claims(*, mailing_id: int, timeout_seconds: float) -> int:
    """Give back rows claimed by a worker that died (claim older than the timeout)."""
    cutoff = timezone.now() - timezone.timedelta(seconds=timeout_seconds)
    return Delivery.objects.filter(
        mailing_id=mailing_id,
        status=Delivery.Status.QUEUED,
        claimed_by__isnull=False,
        claimed_at__lt=cutoff,
    ).update(claimed_by=None, claimed_at=None)


def release_claim(claim: str) -> int:
    return Delivery.objects.filter(
        claimed_by=claim, status=Delivery.Status.QUEUED
    ).update(claimed_by=None, claimed_at=None)


# ------------------------------------------------------------------------------
# Sending
# ------------------------------------------------------------------------------
class Pacer:
    """Keeps the sending rate at ``rate_per_second`` (0 or None: unlimited)."""

    def __init__(self, rate_per_second: float | None):
        self.interval = 1.0 / rate_per_second if rate_per_second else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = max(now, self.next_at) + self.interval


@dataclass
class SendReport:
    worker_id: str = ""
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    batches: int = 0
    stopped: bool = False
    errors: list[str] = field(default_factory=list)


def is_permanent_failure(error: Exception) -> bool:
    """A 5xx answer (mailbox does not exist, rejected): retrying will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _record_failure(
    *, delivery_id: int, claim: str, attempts_before: int, error: Exception, report
) -> None:
    final = attempts_before + 1 >= max_attempts_setting() or is_permanent_failure(error)
    message = f"{type(error).__name__}: {error}"[:2000]
    updates = {
        "attempts": F("attempts") + 1,
        "last_error": message,
        "claimed_by": None,
        "claimed_at": None,
    }
    if final:
        updates["status"] = Delivery.Status.FAILED
        report.failed += 1
    else:
        updates["retry_after"] = timezone.now() + timezone.timedelta(
            seconds=retry_delay_setting()
        )
        report.retried += 1
    Delivery.objects.filter(pk=delivery_id, claimed_by=claim).update(**updates)
    if len(report.errors) < 20:
        report.errors.append(message)
    logger.warning("Listserv delivery %s failed: %s", delivery_id, message)


def mark_sent_every_setting() -> int:
    return max(1, getattr(settings, "LISTSERV_MARK_SENT_EVERY", 1))


def _mark_sent(*, claim: str, delivery_ids: list[int]) -> None:
    """Record a group of messages the SMTP server accepted, in one UPDATE."""
    if delivery_ids:
        Delivery.objects.filter(pk__in=delivery_ids, claimed_by=claim).update(
            status=Delivery.Status.SENT,
            sent_at=timezone.now(),
            attempts=F("attempts") + 1,
            last_error="",
        )


def send_batch(
    *,
    rendered: RenderedMailing,
    claim: str,
    delivery_ids: list[int],
    pacer: Pacer,
    report: SendReport,
    should_stop: Callable[[], bool],
) -> None:
    """Send one claimed batch over one SMTP connection.

    The batch goes in small groups: one query reads a group's rows and their
    subscribers' status, and one UPDATE marks the group's accepted messages sent
    (also when the worker is asked to stop, or a send fails halfway).
    """
    connection = get_connection()
    opened = False
    group_size = mark_sent_every_setting()
    try:
        for start in range(0, len(delivery_ids), group_size):
            group = delivery_ids[start : start + group_size]
            # Read the rows and the subscribers' status just before sending them:
            # someone who unsubscribed a second ago gets nothing, and a claim that
            # was taken over (this worker looked dead) is left to its new owner.
            rows = {
                row[0]: row[1:]
                for row in Delivery.objects.filter(
                    pk__in=group, claimed_by=claim, status=Delivery.Status.QUEUED
                ).values_list(
                    "pk",
                    "attempts",
                    "subscriber_id",
                    "subscriber__status",
                    "subscriber__email",
                )
            }
            accepted: list[int] = []
            try:
                for delivery_id in group:
                    if should_stop():
                        report.stopped = True
                        return
                    if delivery_id not in rows:
                        continue
                    attempts, subscriber_id, status, email = rows[delivery_id]
                    if status != Subscriber.Status.CONFIRMED:
                        Delivery.objects.filter(
                            pk=delivery_id, claimed_by=claim
                        ).update(
                            status=Delivery.Status.SKIPPED,
                            last_error=f"Subscriber is {status} at send time.",
                        )
                        report.skipped += 1
                        continue
                    pacer.wait()
                    try:
                        message = rendered.message_for(
                            subscriber_id=subscriber_id, email=email
                        )
                        if not opened:
                            connection.open()
                            opened = True
                        connection.send_messages([message])
                    except Exception as error:  # noqa: BLE001 - any failure is recorded
                        _record_failure(
                            delivery_id=delivery_id,
                            claim=claim,
                            attempts_before=attempts,
                            error=error,
                            report=report,
                        )
                        # Start the next message on a fresh connection.
                        try:
                            connection.close()
                        except Exception:  # noqa: BLE001
                            logger.debug(
                                "Closing a broken SMTP connection failed", exc_info=True
                            )
                        opened = False
                        continue
                    accepted.append(delivery_id)
                    report.sent += 1
            finally:
                _mark_sent(claim=claim, delivery_ids=accepted)
    finally:
        try:
            release_claim(claim)
        except Exception:  # noqa: BLE001 - the claim then expires on its own
            logger.exception("Could not release listserv claim %s", claim)
        if opened:
            try:
                connection.close()
            except Exception:  # noqa: BLE001
                logger.debug("Closing the SMTP connection failed", exc_info=True)


def _finish_if_done(mailing_id: int) -> bool:
    if Delivery.objects.filter(
        mailing_id=mailing_id, status=Delivery.Status.QUEUED
    ).exists():
        return False
    Mailing.objects.filter(
        pk=mailing_id, status__in=[Mailing.Status.QUEUED, Mailing.Status.SENDING]
    ).update(status=Mailing.Status.SENT, finished_at=timezone.now())
    return True


def mailing_deliver(
    *,
    mailing_id: int,
    worker_id: str | None = None,
    batch_size: int | None = None,
    rate_per_second: float | None = None,
    claim_timeout_seconds: float | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    max_idle_wait_seconds: float = 300,
) -> SendReport:
    """Send every queued delivery of a mailing; safe to run in several workers at
    once and to run again after a crash."""
    worker_id = worker_id or make_worker_id()
    report = SendReport(worker_id=worker_id)
    mailing = Mailing.objects.get(pk=mailing_id)
    if mailing.status == Mailing.Status.DRAFT:
        logger.warning("Mailing %s is a draft; nothing to send", mailing_id)
        return report
    Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.QUEUED).update(
        status=Mailing.Status.SENDING, started_at=timezone.now()
    )
    batch_size = batch_size or batch_size_setting()
    timeout = (
        claim_timeout_setting()
        if claim_timeout_seconds is None
        else claim_timeout_seconds
    )
    rendered = RenderedMailing(mailing)
    pacer = Pacer(rate_setting() if rate_per_second is None else rate_per_second)
    idle_since = None
    while not should_stop():
        release_stale_claims(mailing_id=mailing_id, timeout_seconds=timeout)
        report.batches += 1
        claim = f"{worker_id}:{report.batches}"
        ids, had_candidates = claim_batch(
            mailing_id=mailing_id, claim=claim, size=batch_size
        )
        if ids:
            idle_since = None
            send_batch(
                rendered=rendered,
                claim=claim,
                delivery_ids=ids,
                pacer=pacer,
                report=report,
                should_stop=should_stop,
            )
            continue
        if had_candidates:
            continue  # another worker won this batch; try the next one
        # Nothing claimable now: wait for retries that are due later, if any.
        next_retry = Delivery.objects.filter(
            mailing_id=mailing_id,
            status=Delivery.Status.QUEUED,
            claimed_by__isnull=True,
            retry_after__isnull=False,
        ).aggregate(at=Min("retry_after"))["at"]
        if next_retry is None:
            break
        idle_since = idle_since or time.monotonic()
        if time.monotonic() - idle_since > max_idle_wait_seconds:
            break
        time.sleep(min(max((next_retry - timezone.now()).total_seconds(), 0.05), 5))
    if should_stop():
        report.stopped = True
    _finish_if_done(mailing_id)
    logger.info(
        "Listserv mailing %s, worker %s: %s sent, %s failed, %s skipped, %s retried",
        mailing_id,
        worker_id,
        report.sent,
        report.failed,
        report.skipped,
        report.retried,
    )
    return report
