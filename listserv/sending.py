"""The sending loop: nothing lost, nothing twice.

Deliveries exist before sending starts (one row per mailing and subscriber, unique).
A worker claims a batch of queued rows atomically (``SELECT ... FOR UPDATE SKIP
LOCKED`` on PostgreSQL, a conditional ``UPDATE ... WHERE claimed_by IS NULL``
elsewhere), reads the batch's subscribers in one query, sends the batch over one
SMTP connection with Django's ``send_messages`` (one message at a time, so each
recipient's outcome is known), and records the whole batch in one transaction.
Rows of a worker that died are reclaimed once their claim is older than the
timeout; failures are recorded and retried a bounded number of times.

Someone who unsubscribes while their batch is being sent still gets that one
mailing; the next batch reads their new status. (A batch of 100 at the default 10
messages a second is ten seconds.)

The one unavoidable window: a worker killed (SIGKILL, power loss) after the SMTP
server accepted messages but before its batch was recorded sends those messages
again on resume. A worker asked to stop (SIGTERM/SIGINT) finishes the message in
hand, records what was accepted and releases the rest, so a normal restart never
repeats mail.

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
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Min, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from listserv.models import Delivery, MailEvent, Mailing, Subscriber, Suppression
from listserv.services import MANAGE_LINK
from listserv.suppression import record_event
from lmsa_portal.mail import portal_url
from lmsa_portal.text import html_to_text, render_markdown

logger = logging.getLogger(__name__)

_TOKEN_PLACEHOLDER = "LISTSERVTOKENPLACEHOLDER"


def batch_size_setting() -> int:
    return settings.LISTSERV_BATCH_SIZE


def rate_setting() -> float:
    return settings.LISTSERV_RATE_PER_SECOND


def max_attempts_setting() -> int:
    return settings.LISTSERV_MAX_ATTEMPTS


def claim_timeout_setting() -> float:
    return settings.LISTSERV_CLAIM_TIMEOUT_SECONDS


def retry_delay_setting() -> float:
    return settings.LISTSERV_RETRY_DELAY_SECONDS


def message_id_domain() -> str:
    """Right-hand side of mailing Message-IDs: ``LISTSERV_MESSAGE_ID_DOMAIN``, else
    the host of ``PORTAL_BASE_URL``."""
    return (
        settings.LISTSERV_MESSAGE_ID_DOMAIN
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


class RenderedMailing:
    """A mailing rendered once; ``message_for`` only swaps in each recipient's
    signed links, so building 10,000 messages costs little."""

    def __init__(self, mailing: Mailing, *, base_url: str | None = None):
        self.mailing = mailing
        self.unsubscribe_url = portal_url(
            reverse("listserv:unsubscribe", args=[_TOKEN_PLACEHOLDER]),
            base_url=base_url,
        )
        self.preferences_url = portal_url(
            reverse("listserv:preferences", args=[_TOKEN_PLACEHOLDER]),
            base_url=base_url,
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
        self.from_email = settings.LISTSERV_FROM_EMAIL
        self.mailto = settings.LISTSERV_UNSUBSCRIBE_MAILTO
        self.list_id = settings.LISTSERV_LIST_ID
        self.message_id_domain = message_id_domain()
        self.reply_to = [mailing.reply_to_address]

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
        if subject_prefix:
            message_id = make_msgid(domain=self.message_id_domain)
        else:
            message_id = mailing_message_id(
                mailing_id=self.mailing.pk,
                subscriber_id=subscriber_id,
                domain=self.message_id_domain,
            )
        return self._email(
            token=MANAGE_LINK.token(subscriber_id),
            message_id=message_id,
            email=email,
            subject_prefix=subject_prefix,
            connection=connection,
        )

    def _email(
        self,
        *,
        token: str,
        message_id: str,
        email: str,
        subject_prefix: str = "",
        connection=None,
    ) -> EmailMultiAlternatives:
        headers = self.headers_for(token)
        headers["Message-ID"] = message_id
        message = EmailMultiAlternatives(
            subject=subject_prefix + self.mailing.subject,
            body=self.text.replace(_TOKEN_PLACEHOLDER, token),
            from_email=self.from_email,
            to=[email],
            headers=headers,
            reply_to=self.reply_to,
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


def is_bad_address(error: Exception) -> bool:
    """The SMTP server refused the recipient because the address does not exist
    (5.1.x: bad mailbox, bad domain, bad syntax), not for policy or load."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused):
        return False
    answers = list(error.recipients.values())
    return bool(answers) and all(
        code >= 500
        and (
            (
                message.decode(errors="replace")
                if isinstance(message, bytes)
                else str(message)
            )
            .lstrip()
            .startswith("5.1.")
        )
        for code, message in answers
    )


def _record_failure(
    *, delivery: Delivery, claim: str, error: Exception, report
) -> None:
    final = delivery.attempts + 1 >= max_attempts_setting() or is_permanent_failure(
        error
    )
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
        if is_bad_address(error):
            record_event(
                email=delivery.subscriber.email,
                kind=MailEvent.Kind.HARD_BOUNCE,
                source="SMTP",
                description=message,
            )
    else:
        updates["retry_after"] = timezone.now() + timezone.timedelta(
            seconds=retry_delay_setting()
        )
        report.retried += 1
    Delivery.objects.filter(pk=delivery.pk, claimed_by=claim).update(**updates)
    if len(report.errors) < 20:
        report.errors.append(message)
    logger.warning("Listserv delivery %s failed: %s", delivery.pk, message)


def send_batch(
    *,
    rendered: RenderedMailing,
    claim: str,
    delivery_ids: list[int],
    pacer: Pacer,
    report: SendReport,
    should_stop: Callable[[], bool],
) -> None:
    """Send one claimed batch over one SMTP connection, then record it in one
    transaction (also when the worker is asked to stop or a send fails)."""
    # Read the rows and their subscribers just before sending: someone who
    # unsubscribed (or whose address was suppressed) before this batch gets
    # nothing, and rows whose claim was taken over (this worker looked dead) are
    # left to their new owner. The suppression comes in the same query.
    deliveries = list(
        Delivery.objects.filter(
            pk__in=delivery_ids, claimed_by=claim, status=Delivery.Status.QUEUED
        )
        .select_related("subscriber")
        .only("attempts", "subscriber__status", "subscriber__email")
        .annotate(
            suppressed_reason=Subquery(
                Suppression.objects.active()
                .filter(email=OuterRef("subscriber__email"))
                .values("reason")[:1]
            )
        )
        .order_by("pk")
    )
    accepted: list[int] = []
    skipped: list[Delivery] = []
    failures: list[tuple[Delivery, Exception]] = []
    connection = get_connection()
    opened = False
    try:
        for delivery in deliveries:
            if should_stop():
                report.stopped = True
                break
            subscriber = delivery.subscriber
            if (
                subscriber.status != Subscriber.Status.CONFIRMED
                or delivery.suppressed_reason
            ):
                skipped.append(delivery)
                continue
            pacer.wait()
            try:
                if not opened:
                    connection.open()
                    opened = True
                message = rendered.message_for(
                    subscriber_id=subscriber.pk, email=subscriber.email
                )
                if not connection.send_messages([message]):
                    raise smtplib.SMTPServerDisconnected("nothing was sent")
            except Exception as error:  # noqa: BLE001 - any failure is recorded
                failures.append((delivery, error))
                # Start the next message on a fresh connection.
                _close_quietly(connection)
                opened = False
                continue
            accepted.append(delivery.pk)
    finally:
        try:
            _record_batch(
                claim=claim,
                accepted=accepted,
                skipped=skipped,
                failures=failures,
                report=report,
            )
        finally:
            if opened:
                _close_quietly(connection)


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - a broken connection is dropped either way
        logger.debug("Closing the SMTP connection failed", exc_info=True)


def _record_batch(*, claim, accepted, skipped, failures, report) -> None:
    """One transaction: accepted rows sent, skipped rows skipped, failures
    recorded for a retry or as final, and the rest of the claim released."""
    mine = Delivery.objects.filter(claimed_by=claim)
    with transaction.atomic():
        if accepted:
            mine.filter(pk__in=accepted).update(
                status=Delivery.Status.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                last_error="",
            )
        # One UPDATE per reason, not per row.
        skipped_by_reason: dict[str, list[int]] = {}
        for delivery in skipped:
            if getattr(delivery, "suppressed_reason", None):
                why = f"Address is suppressed ({delivery.suppressed_reason})."
            else:
                why = f"Subscriber is {delivery.subscriber.status} at send time."
            skipped_by_reason.setdefault(why, []).append(delivery.pk)
        for why, ids in skipped_by_reason.items():
            mine.filter(pk__in=ids).update(
                status=Delivery.Status.SKIPPED, last_error=why
            )
        for delivery, error in failures:
            _record_failure(delivery=delivery, claim=claim, error=error, report=report)
        release_claim(claim)
    report.sent += len(accepted)
    report.skipped += len(skipped)


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
    if mailing.status in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
        logger.warning("Mailing %s is not due to send yet", mailing_id)
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
